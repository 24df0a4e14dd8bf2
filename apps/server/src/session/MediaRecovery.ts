/** What a media rebuild must make anew (the video sources always are). */
export interface RecoveryJob {
  /** The router (its worker died): a new one on a live worker. */
  router: boolean;
  /** The app runtime (it died): a fresh one. */
  runtime: boolean;
  /** Why, one entry per failure folded into this job. */
  reasons: string[];
}

export interface MediaRecoveryOptions {
  /** Rebuilds what the job names; the session's own (it owns what is rebuilt). */
  rebuild: (job: RecoveryJob) => Promise<void>;
  /** More than maxPerMinute rebuilds within a minute: the session should end with this reason. */
  giveUp: (reason: string) => void;
  /** Whether the session is closing or closed: nothing more is rebuilt. */
  closed: () => boolean;
  /** At most this many rebuilds within a minute. Default 3. */
  maxPerMinute?: number;
  /** Time source (ms), for tests. */
  now?: () => number;
}

/**
 * When and what a session rebuilds after a failure (its worker, its app or an encoder died):
 * one rebuild at a time, failures that come in while one runs folded into the next, and a
 * budget of rebuilds a minute past which the session gives up instead of looping.
 */
export class MediaRecovery {
  readonly #o: MediaRecoveryOptions;
  /** Start times of the rebuilds within the last minute. */
  readonly #restarts: number[] = [];
  #pending: RecoveryJob | undefined;
  #running: Promise<void> | undefined;

  constructor(o: MediaRecoveryOptions) {
    this.#o = o;
  }

  /** Settles when the running recovery ends; undefined when none runs. */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Something died: rebuild it (and the video sources), now or right after the running rebuild. */
  request(reason: string, what: { router?: boolean; runtime?: boolean }): void {
    if (this.#o.closed()) return;
    this.#pending ??= { router: false, runtime: false, reasons: [] };
    const p = this.#pending;
    p.router ||= !!what.router;
    p.runtime ||= !!what.runtime;
    p.reasons.push(reason);
    if (this.#running) return;
    this.#running = (async () => {
      while (this.#pending && !this.#o.closed()) {
        const job = this.#pending;
        this.#pending = undefined;
        if (!this.#withinBudget()) {
          const max = this.#o.maxPerMinute ?? 3;
          this.#o.giveUp(`${job.reasons.join('; ')} (gave up after ${max} restarts within a minute)`);
          return;
        }
        await this.#o.rebuild(job);
      }
    })().finally(() => {
      this.#running = undefined;
    });
  }

  /** Counts one more rebuild; false if that is more than the budget allows within a minute. */
  #withinBudget(): boolean {
    const now = (this.#o.now ?? Date.now)();
    this.#restarts.push(now);
    while (this.#restarts.length > 0 && this.#restarts[0]! < now - 60_000) this.#restarts.shift();
    return this.#restarts.length <= (this.#o.maxPerMinute ?? 3);
  }
}
