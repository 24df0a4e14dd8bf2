import { ClientError } from '../ClientError';

/**
 * One join, or one reconnect-and-resume run. A newer join, reconnect, leave or close
 * supersedes it, and it stops at its next step: every await in a join checks its attempt.
 */
export interface Attempt {
  /** No newer attempt has superseded this one. */
  readonly current: boolean;
  /** Throws `client-closed` if this attempt was superseded or the client closed. */
  check(): void;
}

/** Hands out attempts; only the one started last is current. */
export class Attempts {
  #latest = 0;
  readonly #closed: () => boolean;

  /** `closed` says whether the owner closed for good: then no attempt passes check(). */
  constructor(closed: () => boolean) {
    this.#closed = closed;
  }

  /** Starts an attempt, superseding the current one. */
  next(): Attempt {
    const id = ++this.#latest;
    const isCurrent = () => id === this.#latest;
    return {
      get current() {
        return isCurrent();
      },
      check: () => {
        if (!isCurrent() || this.#closed()) throw ClientError.closed();
      },
    };
  }

  /** Supersedes the current attempt without starting another (leave, close, failure). */
  supersede(): void {
    this.#latest++;
  }
}
