import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppRuntime } from './AppRuntime.js';
import { WarmPool } from './WarmPool.js';

/** A stand-in runtime: WarmPool only listens for 'died' and closes it. */
function fakeRuntime(): AppRuntime {
  return { events: new EventEmitter(), close: async () => {} } as unknown as AppRuntime;
}

describe('WarmPool refill', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a taken runtime’s replacement only after refillDelayMs, not during the new session’s start', async () => {
    const start = vi.fn(async () => fakeRuntime());
    const pool = new WarmPool({ size: 1, start, refillDelayMs: 3000 });
    pool.fill();
    await vi.waitFor(() => expect(pool.ready).toBe(1));
    expect(start).toHaveBeenCalledTimes(1);

    expect(await pool.acquire()).toBeDefined();
    await vi.advanceTimersByTimeAsync(2900);
    expect(start).toHaveBeenCalledTimes(1);
    expect(pool.size).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(start).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(pool.ready).toBe(1));
    await pool.close();
  });

  it('refills at once without a delay, and not at all once closed', async () => {
    const start = vi.fn(async () => fakeRuntime());
    const pool = new WarmPool({ size: 1, start });
    pool.fill();
    await vi.waitFor(() => expect(pool.ready).toBe(1));
    await pool.acquire();
    expect(start).toHaveBeenCalledTimes(2);

    const delayed = new WarmPool({ size: 1, start: vi.fn(async () => fakeRuntime()), refillDelayMs: 1000 });
    delayed.fill();
    await vi.waitFor(() => expect(delayed.ready).toBe(1));
    await delayed.acquire();
    await delayed.close();
    await vi.advanceTimersByTimeAsync(2000);
    expect(delayed.o.start).toHaveBeenCalledTimes(1);
    await pool.close();
  });
});
