import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { monotonicToServer, serverNow } from './clock.js';

describe('clock', () => {
  it('maps a monotonic time from another process onto serverNow()', () => {
    const before = serverNow();
    const mono = Number(
      execFileSync('/usr/bin/python3', ['-c', 'import time; print(time.monotonic_ns() / 1e6)'], {
        encoding: 'utf8',
      }),
    );
    const after = serverNow();
    const t = monotonicToServer(mono);
    expect(t).toBeGreaterThanOrEqual(before - 1);
    expect(t).toBeLessThanOrEqual(after + 1);
  });
});
