import { EventEmitter } from 'node:events';
import type { LatencySample } from '@offload/latency';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LatencyMonitor } from '../core/latency/LatencyMonitor';
import { bindLatencyToStore } from './bindLatency';
import type { KeyValueStorage } from './budgetStorage';
import { createOffloadStore } from './store';
import { throttle } from './throttle';

const sample = (seq: number, total: number, renderCapture = total / 2): LatencySample => ({
  seq,
  kind: 'touch:start',
  sentAt: seq,
  total,
  segments: {
    uplink: 2,
    inject: 1,
    renderCapture,
    encode: 3,
    network: 3,
    jitterBuffer: 2,
    decode: 2,
    render: total - renderCapture - 13,
  },
  residual: 0,
  syncError: 0.5,
  frameGap: 0,
});

class MemoryStorage implements KeyValueStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

/** Just enough of a LatencyMonitor for the binder. */
class FakeMonitor extends EventEmitter {
  samples: LatencySample[] = [];
  clock = { offset: 1, rtt: 2, errorBound: 1, samples: 3 };
  counts = { sent: 0, matched: 0, expired: 0, pending: 0, pings: 0, pongs: 0, reported: 0, framesRead: 0 };
  override on(event: string, fn: () => void) {
    super.on(event, fn);
    return (() => this.off(event, fn)) as never;
  }
}

describe('latency slice', () => {
  it('defaults to cloud-phone over wired, hidden HUD, no verdict', () => {
    const l = createOffloadStore({ storage: null }).getState().latency;
    expect(l.choice).toEqual({ app: 'cloud-phone', network: 'wired' });
    expect(l.budget.id).toBe('cloud-phone@wired');
    expect(l.hudVisible).toBe(false);
    expect(l.verdict).toBeNull();
    expect(l.histogram.every((b) => b.count === 0)).toBe(true);
  });

  it('summarises samples and judges p95s against the budget', () => {
    const store = createOffloadStore({ storage: null });
    const samples = Array.from({ length: 100 }, (_, i) => sample(i, 40 + (i % 10)));
    store.getState().setLatencySamples(samples);
    let l = store.getState().latency;
    expect(l.samples).not.toBe(samples);
    expect(l.summary.total).toMatchObject({ count: 100, p50: 44, p95: 49 });
    expect(l.summary.segments.uplink.p95).toBe(2);
    expect(l.histogram.find((b) => b.le === 40)!.count).toBe(10);
    expect(l.histogram.find((b) => b.le === 50)!.count).toBe(90);
    expect(l.verdict).toMatchObject({ pass: true, total: { p95: 49, allowance: 150, pass: true } });

    store.getState().setBudgetChoice({ app: 'gaming-competitive' });
    l = store.getState().latency;
    expect(l.verdict?.pass).toBe(false);
    expect(l.verdict?.burnsMost).toBe('renderCapture');
    expect(() => store.getState().setBudgetChoice({ network: 'carrier-pigeon' })).toThrow(TypeError);
  });

  it('persists the budget choice and ignores unknown saved ids', () => {
    const storage = new MemoryStorage();
    createOffloadStore({ storage }).getState().setBudgetChoice({ app: 'gaming-casual', network: '5g' });
    expect(createOffloadStore({ storage }).getState().latency.choice).toEqual({
      app: 'gaming-casual',
      network: '5g',
    });
    storage.setItem('offload.latencyBudget', '{"app":"nope","network":"4g"}');
    expect(createOffloadStore({ storage }).getState().latency.choice).toEqual({
      app: 'cloud-phone',
      network: '4g',
    });
    storage.setItem('offload.latencyBudget', '{oops');
    expect(createOffloadStore({ storage }).getState().latency.budget.id).toBe('cloud-phone@wired');
  });

  it('toggles the HUD, and reset() keeps the choice but drops the samples', () => {
    const store = createOffloadStore({ storage: null });
    store.getState().toggleHud();
    store.getState().setBudgetChoice({ network: 'wifi' });
    store.getState().setLatencySamples([sample(0, 50)]);
    store.getState().reset();
    const l = store.getState().latency;
    expect(l.hudVisible).toBe(true);
    expect(l.choice.network).toBe('wifi');
    expect(l.samples).toEqual([]);
    expect(l.verdict).toBeNull();
  });
});

describe('latency binding', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('updates the store at most 4 times a second, recomputing percentiles only for new samples', () => {
    const store = createOffloadStore({ storage: null });
    const monitor = new FakeMonitor();
    const timers = {
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as number),
      now: () => Date.now(),
    };
    const unbind = bindLatencyToStore(monitor as unknown as LatencyMonitor, store, { timers });
    const setSamples = vi.spyOn(store.getState(), 'setLatencySamples');
    let updates = 0;
    store.subscribe((s, prev) => {
      if (s.latency.samples !== prev.latency.samples) updates++;
    });
    for (let i = 0; i < 100; i++) {
      monitor.samples = [...monitor.samples, sample(i, 30)];
      monitor.emit('sample');
      vi.advanceTimersByTime(10); // 100 samples/s for 1 s
    }
    vi.advanceTimersByTime(250);
    expect(updates).toBeGreaterThanOrEqual(4);
    expect(updates).toBeLessThanOrEqual(5);
    expect(store.getState().latency.samples).toHaveLength(100);
    expect(store.getState().latency.clock?.rtt).toBe(2);

    setSamples.mockClear();
    monitor.emit('clock');
    vi.advanceTimersByTime(300);
    expect(setSamples).not.toHaveBeenCalled();
    unbind();
    monitor.emit('sample');
    vi.advanceTimersByTime(300);
    expect(setSamples).not.toHaveBeenCalled();
  });

  it('throttle runs at once when idle and once more at the end of the interval', () => {
    let t = 0;
    const fn = vi.fn();
    const th = throttle(fn, 250, {
      setTimeout: (f, ms) => setTimeout(f, ms),
      clearTimeout: (h) => clearTimeout(h as number),
      now: () => t,
    });
    th.call();
    expect(fn).toHaveBeenCalledTimes(1);
    t = 100;
    th.call();
    th.call();
    expect(fn).toHaveBeenCalledTimes(1);
    t = 250;
    vi.advanceTimersByTime(150);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
