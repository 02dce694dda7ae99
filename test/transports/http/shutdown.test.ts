import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ENDLESS_SQL,
  MCP_HEADERS,
  activeRequests,
  queryCall,
  startFixture,
  toolResult,
  waitForHealth,
  type Answer,
  type HttpFixture,
} from './fixture.js';

// A stop (SIGTERM in the CLI) refuses new work, lets calls in progress finish within the
// grace, then closes every tenant and the query pool.

let fixture: HttpFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/**
 * Starts a call that runs until its time limit and waits until the server holds it. The
 * answer comes wrapped: returned bare from an async function, it would be awaited here.
 */
async function callInProgress(
  running: HttpFixture,
  timeoutMs: number,
): Promise<{ answer: Promise<Answer> }> {
  const answer = running.rpc(queryCall(ENDLESS_SQL, { timeoutMs }), await running.token());
  // Rejections are asserted by the test that expects them; keep them from going unhandled.
  answer.catch(() => undefined);
  await waitForHealth(running, (h) => activeRequests(h) === 1);
  return { answer };
}

/** A POST whose chunked body is never finished; resolves with the status and our code. */
function unfinishedPost(
  running: HttpFixture,
  token: string,
): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const port = running.service.port;
    const headers = {
      ...MCP_HEADERS,
      host: `127.0.0.1:${port}`,
      authorization: `Bearer ${token}`,
      'transfer-encoding': 'chunked',
    };
    const req = request({ port, method: 'POST', path: '/mcp', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => {
        const body = JSON.parse(text) as { error: { data: { code: unknown } } };
        resolve({ status: res.statusCode ?? 0, code: body.error.data.code });
      });
    });
    req.on('error', reject);
    req.write('{"jsonrpc": "2.0", ');
  });
}

describe('stopping with a call in progress', () => {
  it('lets the call finish with its own answer, then stops', async () => {
    fixture = await startFixture({ shutdownGraceMs: 20_000 });
    const call = await callInProgress(fixture, 700);

    const stopped = fixture.service.stop();
    const answer = await call.answer;
    await stopped;

    expect(answer.status).toBe(200);
    const result = toolResult(answer);
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^QUERY_TIMEOUT/),
    });
    await expect(fixture.send({ path: '/healthz' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('accepts no new connection once stopping has begun', async () => {
    fixture = await startFixture({ shutdownGraceMs: 20_000 });
    const call = await callInProgress(fixture, 700);

    const stopped = fixture.service.stop();
    const late = fixture.send({ path: '/healthz' });

    await expect(late).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await call.answer).status).toBe(200);
    await stopped;
  });

  it('answers a call that outlives the grace with 503 SERVER_CLOSING, and still stops', async () => {
    fixture = await startFixture({ shutdownGraceMs: 100 });
    // Longer than the test may run: only the cut-off can end it in time.
    const call = await callInProgress(fixture, 30_000);

    await fixture.service.stop();
    const answer = await call.answer;

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers.connection).toBe('close');
    expect(answer.json).toMatchObject({ id: 1, error: { data: { code: 'SERVER_CLOSING' } } });
  });

  it('answers a request still sending its body at the end of the grace with 503', async () => {
    fixture = await startFixture({ shutdownGraceMs: 100 });
    const answer = unfinishedPost(fixture, await fixture.token());
    await waitForHealth(fixture, (h) => activeRequests(h) === 1);

    await fixture.service.stop();

    await expect(answer).resolves.toMatchObject({ status: 503, code: 'SERVER_CLOSING' });
  });

  it('stops at once when nothing is in progress, and a second stop is the same stop', async () => {
    fixture = await startFixture();
    const first = fixture.service.stop();
    expect(fixture.service.stop()).toBe(first);
    await first;
    await expect(fixture.service.stopped).resolves.toBeUndefined();
  });
});
