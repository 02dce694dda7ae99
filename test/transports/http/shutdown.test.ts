import { afterEach, describe, expect, it } from 'vitest';
import {
  ENDLESS_SQL,
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

  it('cuts off a call that outlives the grace, and still stops', async () => {
    fixture = await startFixture({ shutdownGraceMs: 100 });
    // Longer than the test may run: only the cut-off can end it in time.
    const call = await callInProgress(fixture, 30_000);

    await fixture.service.stop();

    await expect(call.answer).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stops at once when nothing is in progress, and a second stop is the same stop', async () => {
    fixture = await startFixture();
    const first = fixture.service.stop();
    expect(fixture.service.stop()).toBe(first);
    await first;
    await expect(fixture.service.stopped).resolves.toBeUndefined();
  });
});
