import { describe, expect, it } from 'vitest';
import { MediaRecovery, type RecoveryJob } from './MediaRecovery.js';

function setup(o: { maxPerMinute?: number } = {}) {
  let now = 0;
  let closed = false;
  const jobs: RecoveryJob[] = [];
  const gaveUp: string[] = [];
  let release: () => void = () => {};
  const recovery = new MediaRecovery({
    rebuild: async (job) => {
      jobs.push(job);
      await new Promise<void>((r) => {
        release = r;
      });
    },
    giveUp: (reason) => {
      gaveUp.push(reason);
      closed = true;
    },
    closed: () => closed,
    now: () => now,
    ...o,
  });
  return {
    recovery,
    jobs,
    gaveUp,
    finish: async () => {
      release();
      await new Promise((r) => setTimeout(r, 0));
    },
    advance: (ms: number) => {
      now += ms;
    },
    close: () => {
      closed = true;
    },
  };
}

describe('MediaRecovery', () => {
  it('folds failures that come in while a rebuild runs into the next one', async () => {
    const t = setup();
    t.recovery.request('encoder died', {});
    expect(t.recovery.running).toBeDefined();
    t.recovery.request('worker died', { router: true });
    t.recovery.request('app crashed', { runtime: true });
    expect(t.jobs).toEqual([{ router: false, runtime: false, reasons: ['encoder died'] }]);
    await t.finish();
    expect(t.jobs[1]).toEqual({ router: true, runtime: true, reasons: ['worker died', 'app crashed'] });
    await t.finish();
    await t.recovery.running;
    expect(t.recovery.running).toBeUndefined();
  });

  it('gives up past its budget of rebuilds within a minute, and counts only the last minute', async () => {
    const t = setup({ maxPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      t.recovery.request(`fail ${i}`, {});
      await t.finish();
    }
    // Over a minute later the first two no longer count.
    t.advance(61_000);
    t.recovery.request('fail 2', {});
    await t.finish();
    t.recovery.request('fail 3', {});
    await t.finish();
    expect(t.gaveUp).toEqual([]);
    t.recovery.request('fail 4', {});
    await t.finish();
    expect(t.gaveUp).toEqual(['fail 4 (gave up after 2 restarts within a minute)']);
    expect(t.jobs).toHaveLength(4);
  });

  it('does nothing once the session is closed', () => {
    const t = setup();
    t.close();
    t.recovery.request('late failure', {});
    expect(t.recovery.running).toBeUndefined();
    expect(t.jobs).toEqual([]);
  });
});
