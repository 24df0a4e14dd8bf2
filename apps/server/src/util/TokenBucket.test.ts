import { describe, expect, it } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

describe('TokenBucket', () => {
  it('passes a burst, then the sustained rate', () => {
    const b = new TokenBucket(10, 20, 0);
    let passed = 0;
    for (let i = 0; i < 100; i++) if (b.take(0)) passed++;
    expect(passed).toBe(20);
    // One second later: 10 more.
    passed = 0;
    for (let i = 0; i < 100; i++) if (b.take(1000)) passed++;
    expect(passed).toBe(10);
  });

  it('never holds more than the burst', () => {
    const b = new TokenBucket(10, 5, 0);
    let passed = 0;
    for (let i = 0; i < 100; i++) if (b.take(60_000)) passed++;
    expect(passed).toBe(5);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucket(0, 5)).toThrow(TypeError);
    expect(() => new TokenBucket(5, 0)).toThrow(TypeError);
  });
});
