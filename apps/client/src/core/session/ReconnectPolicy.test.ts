import { describe, expect, it } from 'vitest';
import { ClientError } from '../ClientError';
import { ReconnectPolicy } from './ReconnectPolicy';

const lost = ClientError.connectionLost();

describe('ReconnectPolicy', () => {
  it('doubles the delay after every failed try, up to the ceiling', () => {
    const policy = new ReconnectPolicy({ firstDelayMs: 250, random: () => 0.5 });
    const delays = [0, 1, 2, 3, 4].map((retries) =>
      policy.nextDelayMs({ error: lost, retries, elapsedMs: 0 }),
    );
    expect(delays).toEqual([250, 500, 1000, 1000, 1000]);
  });

  it('keeps a first delay above the ceiling once, then falls back to the ceiling', () => {
    const policy = new ReconnectPolicy({ firstDelayMs: 2000, random: () => 0.5 });
    expect(policy.nextDelayMs({ error: lost, retries: 0, elapsedMs: 0 })).toBe(2000);
    expect(policy.nextDelayMs({ error: lost, retries: 1, elapsedMs: 0 })).toBe(1000);
  });

  it('jitters by ±25 %', () => {
    const low = new ReconnectPolicy({ random: () => 0 });
    const high = new ReconnectPolicy({ random: () => 0.999_999 });
    expect(low.nextDelayMs({ error: lost, retries: 0, elapsedMs: 0 })).toBe(187.5);
    expect(high.nextDelayMs({ error: lost, retries: 0, elapsedMs: 0 })).toBeCloseTo(312.5, 3);
  });

  it('gives up when the next try would start past the deadline', () => {
    const policy = new ReconnectPolicy({ reconnectForMs: 1000, firstDelayMs: 250, random: () => 0.5 });
    expect(policy.nextDelayMs({ error: lost, retries: 0, elapsedMs: 750 })).toBe(250);
    expect(policy.nextDelayMs({ error: lost, retries: 0, elapsedMs: 751 })).toBeNull();
    expect(policy.nextDelayMs({ error: lost, retries: 3, elapsedMs: 100 })).toBeNull();
  });

  it('gives up at once on errors after which resuming cannot succeed', () => {
    const policy = new ReconnectPolicy();
    for (const code of [
      'not-allowed',
      'session-not-found',
      'session-closed',
      'incompatible-protocol',
    ] as const) {
      const error = new ClientError(code, code);
      expect(ReconnectPolicy.isFinal(error)).toBe(true);
      expect(policy.nextDelayMs({ error, retries: 0, elapsedMs: 0 })).toBeNull();
    }
    for (const code of ['server-unreachable', 'request-timeout', 'transport-not-found'] as const) {
      expect(ReconnectPolicy.isFinal(new ClientError(code, code))).toBe(false);
    }
  });
});
