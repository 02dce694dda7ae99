import { crc32, deflateSync } from 'node:zlib';
import type { Random } from './random.js';

const SIZE = 8;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A real 8×8 PNG identicon (left half random, mirrored), about a hundred bytes. */
export function avatarPng(rng: Random): Buffer {
  const colour = rng.bytes(3);
  const background = Buffer.from([0xf4, 0xf1, 0xea]);
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const half = Array.from({ length: SIZE / 2 }, () => rng.chance(0.5));
    const pixels = [...half, ...[...half].reverse()].map((on) => (on ? colour : background));
    // Each scanline starts with filter type 0 (none).
    rows.push(Buffer.from([0]), ...pixels);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header()),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function header(): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(SIZE, 0);
  data.writeUInt32BE(SIZE, 4);
  // Bit depth 8, colour type 2 (RGB), default compression, filter and interlace.
  data.set([8, 2, 0, 0, 0], 8);
  return data;
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
