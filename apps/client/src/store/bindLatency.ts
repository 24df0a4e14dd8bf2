import type { StoreApi } from 'zustand/vanilla';
import type { LatencyMonitor } from '../core/latency/LatencyMonitor';
import type { OffloadStore } from './store';
import { type ThrottleTimers, throttle } from './throttle';

export interface BindLatencyOptions {
  /** Shortest time between two store updates (ms). Default 250 (≤ 4 Hz): percentiles over 1000 samples need not redraw per frame. */
  intervalMs?: number;
  timers?: ThrottleTimers;
}

/** Mirrors a LatencyMonitor into the store's latency slice, throttled. Returns an unbind function. */
export function bindLatencyToStore(
  monitor: LatencyMonitor,
  store: StoreApi<OffloadStore>,
  { intervalMs = 250, timers }: BindLatencyOptions = {},
): () => void {
  // Percentiles are recomputed only when samples changed; pongs (1 Hz) refresh just the clock and counters.
  let dirty = true;
  const push = () => {
    const s = store.getState();
    if (dirty) s.setLatencySamples(monitor.samples);
    dirty = false;
    s.setLatencyStatus({ clock: monitor.clock, counts: monitor.counts });
  };
  const update = throttle(push, intervalMs, timers);
  const changed = () => {
    dirty = true;
    update.call();
  };
  const offs = [
    monitor.on('sample', changed),
    monitor.on('reset', changed),
    monitor.on('clock', () => update.call()),
  ];
  push();
  return () => {
    update.cancel();
    for (const off of offs) off();
  };
}
