/**
 * The server's clock for latency accounting: epoch milliseconds with sub-millisecond
 * resolution (performance.timeOrigin + performance.now()), the same time base a page's
 * `performance.timeOrigin + performance.now()` uses on this host.
 */
export function serverNow(): number {
  return performance.timeOrigin + performance.now();
}

// performance.now() counts CLOCK_MONOTONIC (process.hrtime) from timeOrigin.
const monoAtTimeOrigin = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Converts a CLOCK_MONOTONIC time (ms, e.g. Python's time.monotonic_ns()/1e6) to serverNow()'s base. */
export function monotonicToServer(monoMs: number): number {
  return performance.timeOrigin + (monoMs - monoAtTimeOrigin);
}
