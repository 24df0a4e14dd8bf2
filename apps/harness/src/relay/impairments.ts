/**
 * What a link does to packets, one direction at a time: delay with jitter (order kept, as in
 * a queue), random or bursty loss, and a bandwidth cap. Pure, with the random source and the
 * clock passed in, so tests are exact.
 */
export interface LinkImpairments {
  /** One-way delay added to every packet (ms). */
  delayMs: number;
  /** Extra delay, uniform in [0, jitterMs] per packet (ms); packets stay in order. */
  jitterMs: number;
  /** Random loss (%). */
  lossPct: number;
  /**
   * Bursty loss (Gilbert–Elliott): chance per packet to enter / leave the bad state (%), in
   * which every packet is lost. 0 = no bursts.
   */
  burstEnterPct: number;
  burstExitPct: number;
  /** Bandwidth cap (kbit/s); 0 = none. Packets queue behind it (queue capped at queueMs). */
  rateKbps: number;
  /** Longest a packet may wait in the rate queue before it is dropped (ms). */
  queueMs: number;
}

export const NO_IMPAIRMENTS: LinkImpairments = {
  delayMs: 0,
  jitterMs: 0,
  lossPct: 0,
  burstEnterPct: 0,
  burstExitPct: 100,
  rateKbps: 0,
  queueMs: 200,
};

/** Decides, packet by packet, whether it is lost and when it leaves. */
export class Link {
  #bad = false;
  #lastDeparture = 0;
  #lastRateFree = 0;
  readonly counts = { packets: 0, lost: 0, queueDrops: 0 };

  constructor(
    readonly imp: LinkImpairments,
    readonly random: () => number = Math.random,
  ) {}

  /** When a packet of `bytes` that arrived at `now` (ms) leaves, or undefined if it is lost. */
  schedule(now: number, bytes: number): number | undefined {
    this.counts.packets++;
    const i = this.imp;
    if (i.burstEnterPct > 0) {
      if (this.#bad) this.#bad = this.random() * 100 >= i.burstExitPct;
      else this.#bad = this.random() * 100 < i.burstEnterPct;
      if (this.#bad) {
        this.counts.lost++;
        return undefined;
      }
    }
    if (i.lossPct > 0 && this.random() * 100 < i.lossPct) {
      this.counts.lost++;
      return undefined;
    }
    let ready = now;
    if (i.rateKbps > 0) {
      // Serialisation at the capped rate, behind whatever is queued.
      const start = Math.max(now, this.#lastRateFree);
      if (start - now > i.queueMs) {
        this.counts.queueDrops++;
        return undefined;
      }
      this.#lastRateFree = start + (bytes * 8) / i.rateKbps;
      ready = this.#lastRateFree;
    }
    const jitter = i.jitterMs > 0 ? this.random() * i.jitterMs : 0;
    const departure = Math.max(ready + i.delayMs + jitter, this.#lastDeparture);
    this.#lastDeparture = departure;
    return departure;
  }
}
