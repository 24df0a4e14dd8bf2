/**
 * NTP-style clock sync between a client and the server over a data channel.
 *
 * Each exchange gives four times: t0 client send, t1 server receive, t2 server send, t3
 * client receive. offset = ((t1 - t0) + (t2 - t3)) / 2 estimates server − client; the
 * estimate is wrong by at most half the round trip (minus server time), when all the delay
 * was on one side. So, like NTP's clock filter, we trust the exchange with the smallest round
 * trip among recent ones: queueing only ever adds delay, and the least-delayed exchange is
 * the least asymmetric one. Recent = a time window, so drift between the clocks is followed.
 */
export interface ClockSample {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

export interface ClockEstimate {
  /** server clock − client clock (ms). */
  offset: number;
  /** Round trip of the exchange the offset comes from, without server hold time (ms). */
  rtt: number;
  /** Bound on |offset error| (ms): half that round trip, plus drift since it was taken. */
  errorBound: number;
  /** How many exchanges are in the window. */
  samples: number;
}

export interface ClockSyncOptions {
  /** Exchanges older than this are forgotten (ms). Default 30 000. */
  windowMs?: number;
  /** Drift allowance added to the error bound per second of the chosen sample's age (ms/s). Default 0.05 (50 ppm). */
  driftMsPerS?: number;
}

interface Entry extends ClockSample {
  rtt: number;
  offset: number;
}

export class ClockSync {
  readonly #window: number;
  readonly #drift: number;
  #entries: Entry[] = [];

  constructor(o: ClockSyncOptions = {}) {
    this.#window = o.windowMs ?? 30_000;
    this.#drift = o.driftMsPerS ?? 0.05;
  }

  /** Adds one exchange; ignores impossible ones (negative round trip). */
  add(s: ClockSample): void {
    const rtt = s.t3 - s.t0 - (s.t2 - s.t1);
    if (!(rtt >= 0) || !Number.isFinite(rtt)) return;
    const offset = (s.t1 - s.t0 + (s.t2 - s.t3)) / 2;
    this.#entries.push({ ...s, rtt, offset });
    const horizon = s.t3 - this.#window;
    // Keep at least the newest few even if the window is short.
    while (this.#entries.length > 4 && this.#entries[0]!.t3 < horizon) this.#entries.shift();
  }

  /** The current estimate, at client time `now`; undefined before the first exchange. */
  estimate(now?: number): ClockEstimate | undefined {
    if (this.#entries.length === 0) return undefined;
    let best = this.#entries[0]!;
    for (const e of this.#entries) if (e.rtt < best.rtt) best = e;
    const newest = this.#entries[this.#entries.length - 1]!;
    const age = Math.max(0, (now ?? newest.t3) - best.t3) / 1000;
    return {
      offset: best.offset,
      rtt: best.rtt,
      errorBound: best.rtt / 2 + age * this.#drift,
      samples: this.#entries.length,
    };
  }

  /** Converts a server time to client time with the current estimate. */
  toClient(serverTime: number): number | undefined {
    const e = this.estimate();
    return e ? serverTime - e.offset : undefined;
  }
}
