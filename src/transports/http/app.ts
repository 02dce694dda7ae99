import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { HttpConfig } from '../../config/schema.js';
import { asTenantMcpError, serverClosing, TenantMcpError } from '../../errors.js';
import { logAccess, startRecord, type AccessRecord } from './access-log.js';
import { allowCors, answerPreflight } from './cors.js';
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
    this.#wire = { challenge, logger: deps.logger, maxBodyBytes: deps.settings.maxBodyBytes };
  }

  /** Node's request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const record = startRecord(
      randomUUID(),
      req.method ?? '',
      this.#routeOf(req),
      performance.now(),
    );
    res.setHeader('x-request-id', record.requestId);
    this.#active.set(res, record);
    res.once('close', () => this.#finished(record, res));
    this.#serve(req, res, record).catch((error: unknown) => this.#fail(res, record, error));
  };

  /**
   * Node's clientError listener: what its parser refuses (malformed HTTP, headers too large,
   * a request not whole in time) is answered like any other refusal, then the connection is
   * closed. Nothing is written where an answer has begun: Node keeps that response as the
   * socket's `_httpMessage`, the check its own default listener makes.
   */
  readonly clientError = (error: NodeJS.ErrnoException, socket: Duplex): void => {
    const begun = (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    const answer =
      socket.writable && begun !== true ? clientErrorAnswer(error, randomUUID()) : undefined;
    if (answer === undefined) socket.destroy();
    else socket.end(answer);
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

// `http://host:port/path`: a client may send the whole URL (RFC 9112 section 3.2.2).
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^?#]*)/i;

/**
 * The path the request asks for, without its query. A whole URL counts only when it names the
 * same host as the Host header, which the Host check has vetted; any other is no path of ours.
 */
function pathOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const absolute = ABSOLUTE_FORM.exec(target);
  if (absolute === null) return target.split('?', 1)[0] ?? '/';
  const [, authority = '', path = ''] = absolute;
  if (authority.toLowerCase() !== req.headers.host?.toLowerCase()) return '';
  return path === '' ? '/' : path;
}

function starting(): TenantMcpError {
  return new TenantMcpError('SERVER_STARTING', 'the server is still starting', {
    hint: 'try again after the Retry-After delay',
  });
}
