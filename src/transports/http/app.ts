import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { HttpConfig } from '../../config/schema.js';
import { asTenantMcpError, serverClosing, TenantMcpError } from '../../errors.js';
import { logAccess, startRecord, type AccessRecord } from './access-log.js';
import { allowCors, answerPreflight } from './cors.js';
import { boundUnreadBody, isAnsweredEarly } from './body.js';
import { checkBrowserSafety } from './guard.js';
import { serveMcpPost, type McpEndpointDeps } from './mcp-endpoint.js';
import { metadataPaths, resourceMetadata, type ResourceMetadata } from './metadata.js';
import { HEALTH_PATH } from './settings.js';
import { clientErrorAnswer, sendFailure, sendJson, type FailureWire } from './wire.js';

/** Everything the request handler needs. */
export interface HttpAppDeps extends McpEndpointDeps {
  readonly http: HttpConfig;
  /** Counters for the health check: numbers, never tenant ids. */
  readonly counters: () => Record<string, unknown>;
}

type Route = 'mcp' | 'health' | 'metadata' | 'unknown';

/** Starting until startup migrations are done; stopping once a stop has begun. */
type State = 'starting' | 'ready' | 'stopping';

const HEALTH_STATUS: Record<State, string> = {
  starting: 'starting',
  ready: 'ok',
  stopping: 'stopping',
};

const READ_METHODS = 'GET, HEAD';

/**
 * The HTTP request handler: browser-safety checks first, then the MCP endpoint, the health
 * check and the protected-resource metadata. It starts refusing MCP requests with
 * SERVER_STARTING until `ready()`, and tracks requests in progress so that a stop can refuse
 * new ones, wait for the rest and answer those that outlive the grace.
 */
export class HttpApp {
  readonly #deps: HttpAppDeps;
  readonly #metadata: ResourceMetadata;
  readonly #metadataPaths: ReadonlySet<string>;
  readonly #wire: FailureWire;
  readonly #active = new Map<ServerResponse, AccessRecord>();
  readonly #startedAt = performance.now();
  #state: State = 'starting';
  #onIdle: (() => void) | undefined;

  constructor(deps: HttpAppDeps) {
    this.#deps = deps;
    this.#metadata = resourceMetadata(deps.http, deps.settings);
    this.#metadataPaths = metadataPaths(deps.settings);
    const challenge = {
      resourceMetadataUrl: deps.settings.resourceMetadataUrl,
      requiredScopes: deps.settings.requiredScopes,
    };
    this.#wire = { challenge, logger: deps.logger };
  }

  /** Node's request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    toOriginForm(req);
    const record = startRecord(
      randomUUID(),
      req.method ?? '',
      this.#routeOf(req),
      performance.now(),
    );
    res.setHeader('x-request-id', record.requestId);
    this.#active.set(res, record);
    res.once('close', () => this.#finished(record, res));
    res.once('finish', () => boundUnreadBody(req, this.#deps.settings.maxBodyBytes));
    this.#serve(req, res, record).catch((error: unknown) => this.#fail(res, record, error));
  };

  /**
   * Node's clientError listener: what its parser refuses (malformed HTTP, headers too large,
   * a request not whole in time) is answered like any other refusal, logged with the same
   * request id, then the connection is closed. Nothing is written where an answer has gone
   * out already: Node keeps a response in progress as the socket's `_httpMessage` (the check
   * its own default listener makes), and one sent before its body arrived is remembered.
   */
  readonly clientError = (error: NodeJS.ErrnoException, socket: Duplex): void => {
    const pending = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    const answered = pending?.headersSent === true || isAnsweredEarly(socket);
    const pendingId = pending?.getHeader('x-request-id');
    const reqId = typeof pendingId === 'string' ? pendingId : randomUUID();
    const answer = socket.writable && !answered ? clientErrorAnswer(error, reqId) : undefined;
    if (answer === undefined) {
      socket.destroy();
      return;
    }
    const { status, code } = answer;
    this.#deps.logger.info({ reqId, status, code }, 'request refused by the HTTP parser');
    socket.end(answer.text);
  };

  /** Requests in progress. */
  get inFlight(): number {
    return this.#active.size;
  }

  /** Serves MCP requests from now on (startup migrations are done). */
  ready(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /**
   * Refuses every new request with SERVER_CLOSING from now on and asks clients of requests
   * in progress to close their connections; resolves once those requests have finished.
   */
  stopAccepting(): Promise<void> {
    this.#state = 'stopping';
    for (const res of this.#active.keys()) {
      if (!res.headersSent) res.setHeader('connection', 'close');
    }
    if (this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#onIdle = resolve));
  }

  /**
   * Answers 503 SERVER_CLOSING to every request in progress whose answer has not begun, so
   * that its client learns why rather than seeing a reset; resolves once those answers are
   * handed to the network. The handlers still running are aborted as their responses close.
   */
  answerClosing(): Promise<void> {
    const written: Promise<void>[] = [];
    for (const [res, record] of this.#active) {
      if (res.headersSent) continue;
      written.push(new Promise((resolve) => res.once('close', resolve)));
      this.#fail(res, record, serverClosing());
    }
    return Promise.all(written).then(() => undefined);
  }

  async #serve(req: IncomingMessage, res: ServerResponse, record: AccessRecord): Promise<void> {
    checkBrowserSafety(req, this.#deps.settings);
    allowCors(req, res, this.#deps.settings);
    if (record.route === 'health') return this.#health(req, res);
    if (this.#state === 'stopping') throw serverClosing();
    switch (record.route) {
      case 'mcp':
        return this.#mcp(req, res, record);
      case 'metadata':
        return this.#readOnly(req, res, () => sendJson(res, 200, this.#metadata));
      case 'unknown':
        throw new TenantMcpError('NOT_FOUND', 'no such endpoint');
    }
  }

  async #mcp(req: IncomingMessage, res: ServerResponse, record: AccessRecord): Promise<void> {
    if (req.method === 'POST' && this.#state === 'starting') throw starting();
    if (req.method === 'POST') return serveMcpPost(req, res, record, this.#deps);
    if (req.method === 'OPTIONS') return answerPreflight(res, 'POST');
    // Stateless: no stream to resume (GET) and no session to end (DELETE).
    res.setHeader('allow', 'POST');
    throw new TenantMcpError('METHOD_NOT_ALLOWED', 'this endpoint takes POST only');
  }

  #health(req: IncomingMessage, res: ServerResponse): void {
    const body = {
      status: HEALTH_STATUS[this.#state],
      uptimeSeconds: Math.round((performance.now() - this.#startedAt) / 1000),
      requests: this.#deps.limits.stats(),
      ...this.#deps.counters(),
    };
    const status = this.#state === 'ready' ? 200 : 503;
    this.#readOnly(req, res, () => sendJson(res, status, body));
  }

  #readOnly(req: IncomingMessage, res: ServerResponse, send: () => void): void {
    if (req.method === 'GET' || req.method === 'HEAD') return send();
    if (req.method === 'OPTIONS') return answerPreflight(res, READ_METHODS);
    res.setHeader('allow', READ_METHODS);
    throw new TenantMcpError('METHOD_NOT_ALLOWED', 'this endpoint takes GET or HEAD only');
  }

  #fail(res: ServerResponse, record: AccessRecord, error: unknown): void {
    const known = asTenantMcpError(error);
    record.code = known.code;
    sendFailure(res, known, this.#wire, record.rpcId ?? null);
  }

  #finished(record: AccessRecord, res: ServerResponse): void {
    this.#active.delete(res);
    // Health checks come every few seconds from a balancer: keep them out of the info log.
    const level = record.route === 'health' ? 'debug' : 'info';
    logAccess(this.#deps.logger, level, record, res, performance.now());
    if (this.#state === 'stopping' && this.#active.size === 0) this.#onIdle?.();
  }

  #routeOf(req: IncomingMessage): Route {
    const path = pathOf(req);
    if (path === this.#deps.settings.path) return 'mcp';
    if (path === HEALTH_PATH) return 'health';
    return this.#metadataPaths.has(path) ? 'metadata' : 'unknown';
  }
}

// `http://host:port/path?query`: a client may send the whole URL (RFC 9112 section 3.2.2).
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/is;

/**
 * Rewrites a whole-URL request target to its path and query, as the SDK's transport expects,
 * when it names the same host as the Host header (which the Host check vets). One naming
 * another host is left as it is, and routes nowhere.
 */
function toOriginForm(req: IncomingMessage): void {
  const absolute = ABSOLUTE_FORM.exec(req.url ?? '');
  if (absolute === null) return;
  const [, authority = '', rest = ''] = absolute;
  if (authority.toLowerCase() !== req.headers.host?.toLowerCase()) return;
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
}

/** The path the request asks for, without its query or fragment. */
function pathOf(req: IncomingMessage): string {
  return /^[^?#]*/.exec(req.url ?? '/')?.[0] ?? '';
}

function starting(): TenantMcpError {
  return new TenantMcpError('SERVER_STARTING', 'the server is still starting', {
    hint: 'try again after the Retry-After delay',
  });
}
