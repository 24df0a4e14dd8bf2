import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootLogger } from '../logger.js';
import { SafeEmitter } from './SafeEmitter.js';

// The listener below throws on purpose: its error log is expected, not worth printing.
let level: string;
beforeAll(() => {
  level = rootLogger.level;
  rootLogger.level = 'silent';
});
afterAll(() => {
  rootLogger.level = level;
});

describe('SafeEmitter', () => {
  it('calls every listener even when one throws, and once() listeners only once', () => {
    const e = new SafeEmitter<{ close: [reason: string] }>('test');
    const seen: string[] = [];
    e.on('close', (r) => seen.push(`a:${r}`));
    e.on('close', () => {
      throw new Error('faulty listener');
    });
    e.once('close', (r) => seen.push(`b:${r}`));
    expect(e.safeEmit('close', 'x')).toBe(true);
    expect(e.safeEmit('close', 'y')).toBe(true);
    expect(seen).toEqual(['a:x', 'b:x', 'a:y']);
    // With plain emit the throwing listener would have stopped the one after it.
    expect(() => e.emit('close', 'z')).toThrow('faulty listener');
  });

  it('says whether anyone listened', () => {
    const e = new SafeEmitter<{ ping: [] }>('test');
    expect(e.safeEmit('ping')).toBe(false);
  });
});
