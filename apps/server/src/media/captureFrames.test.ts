import { describe, expect, it } from 'vitest';
import { ChunkSplitter, JpegSplitter } from './captureFrames.js';

const jpeg = (body: number[]) => Buffer.from([0xff, 0xd8, ...body, 0xff, 0xd9]);

describe('JpegSplitter', () => {
  it('cuts pictures however the bytes arrive', () => {
    const a = jpeg([1, 0xff, 0x00, 2]);
    const b = jpeg([3, 4, 5]);
    const all = Buffer.concat([Buffer.from([9, 9]), a, b]);
    for (const cut of [1, 3, 7, all.length]) {
      const s = new JpegSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < all.length; i += cut) out.push(...s.push(all.subarray(i, i + cut)));
      expect(out).toEqual([a, b]);
    }
  });

  it('keeps an unfinished picture for later', () => {
    const s = new JpegSplitter();
    expect(s.push(Buffer.from([0xff, 0xd8, 1, 2]))).toEqual([]);
    expect(s.push(Buffer.from([0xff, 0xd9]))).toEqual([jpeg([1, 2])]);
  });
});

describe('ChunkSplitter', () => {
  it('gives chunks of exactly its size', () => {
    const s = new ChunkSplitter(4);
    expect(s.push(Buffer.from([1, 2, 3]))).toEqual([]);
    expect(s.push(Buffer.from([4, 5, 6, 7, 8, 9]))).toEqual([
      Buffer.from([1, 2, 3, 4]),
      Buffer.from([5, 6, 7, 8]),
    ]);
    expect(() => new ChunkSplitter(0)).toThrow(TypeError);
  });
});
