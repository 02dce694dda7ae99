import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { afterResponse } from '../../../src/transports/http/mcp-endpoint.js';

/** Just enough of a ServerResponse: its `closed` flag and its 'close' event. */
function fakeResponse(closed: boolean): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { closed }) as unknown as ServerResponse & EventEmitter;
}

describe('afterResponse', () => {
  it('waits for the response to close', () => {
    const res = fakeResponse(false);
    let released = 0;
    afterResponse(res, () => (released += 1));
    expect(released).toBe(0);
    res.emit('close');
    res.emit('close');
    expect(released).toBe(1);
  });

  it('releases at once when the client has already hung up', () => {
    let released = 0;
    afterResponse(fakeResponse(true), () => (released += 1));
    expect(released).toBe(1);
  });
});
