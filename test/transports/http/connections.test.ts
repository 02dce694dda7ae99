import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type HttpFixture } from './fixture.js';

let fixture: HttpFixture;

beforeAll(async () => {
  fixture = await startFixture({ maxConcurrentRequests: 2, maxConnections: 2 });
});
afterAll(() => fixture.close());

/** A connection that sends nothing, as a slow or idle client's would. */
function idle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the bytes received once the server closes `socket`. */
function closedByServer(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

/** The health answer, asked again while the server drops the asking connection. */
async function healthWhenASlotIsFree(): Promise<{ health: unknown; refused: number }> {
  for (let refused = 0; ; refused++) {
    try {
      return { health: (await fixture.send({ path: '/healthz' })).json, refused };
    } catch {
      // The server has not yet seen the freed connection close: this one was dropped too.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('the connection cap', () => {
  it('closes a connection over http.maxConnections at once, counted on the health check', async () => {
    const port = fixture.service.port;
    const held = [await idle(port), await idle(port)];

    const over = await idle(port);
    expect(await closedByServer(over)).toBe('');

    held[0]?.destroy();
    const { health, refused } = await healthWhenASlotIsFree();
    held[1]?.destroy();
    expect(health).toMatchObject({ status: 'ok', connections: { max: 2, dropped: 1 + refused } });
  });
});
