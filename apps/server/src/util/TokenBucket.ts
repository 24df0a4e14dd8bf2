/**
 * Token bucket rate limiter: `rate` tokens per second refill up to `burst`. Time is passed
 * in (ms) so tests need no fake timers.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number = performance.now(),
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new TypeError('rate must be > 0 and burst >= 1');
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token if there is one. */
  take(now: number = performance.now()): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
