import type { ClientError } from '../ClientError';

/** Errors after which resuming cannot succeed: join again instead. */
const FINAL_RESUME_ERRORS: ReadonlySet<string> = new Set([
  'not-allowed',
  'session-not-found',
  'session-closed',
  'incompatible-protocol',
  'at-capacity',
  'invalid-message',
]);

export interface ReconnectPolicyOptions {
  /** How long to keep trying to resume after the connection dropped, in ms. Default 60 000. */
  reconnectForMs?: number;
  /** Delay after the first failed try, in ms; it doubles after every further one, up to `maxDelayMs`. Default 250. */
  firstDelayMs?: number;
  /** Longest delay between two tries (before jitter), in ms. Default 1000. */
  maxDelayMs?: number;
  /** Source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

/** What the policy knows when a try to resume failed. */
export interface ReconnectContext {
  /** Why the try failed. */
  error: ClientError;
  /** Tries that failed before this one (0 when the first one failed). */
  retries: number;
  /** Time since the connection dropped, in ms. */
  elapsedMs: number;
}

/**
 * Decides, after each failed try to resume, whether to try again and after how long: with
 * a delay that doubles up to a ceiling, ±25 % jitter, until `reconnectForMs` has passed, and
 * never after an error that says resuming cannot succeed (the session is gone, the token is
 * refused…). The reconnect loop itself is StreamClient's.
 */
export class ReconnectPolicy {
  readonly #forMs: number;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;

  constructor({
    reconnectForMs = 60_000,
    firstDelayMs = 250,
    maxDelayMs = 1000,
    random = Math.random,
  }: ReconnectPolicyOptions = {}) {
    this.#forMs = reconnectForMs;
    this.#firstDelayMs = firstDelayMs;
    this.#maxDelayMs = maxDelayMs;
    this.#random = random;
  }

  /** Whether resuming cannot succeed after this error, however often it is tried. */
  static isFinal(error: ClientError): boolean {
    return FINAL_RESUME_ERRORS.has(error.code);
  }

  /** The delay before the next try in ms, or null to give up. */
  nextDelayMs({ error, retries, elapsedMs }: ReconnectContext): number | null {
    if (ReconnectPolicy.isFinal(error)) return null;
    const delay =
      retries === 0 ? this.#firstDelayMs : Math.min(this.#firstDelayMs * 2 ** retries, this.#maxDelayMs);
    // No try that would start past the deadline.
    if (elapsedMs + delay > this.#forMs) return null;
    // Jittered, so the clients of a restarted server do not all come back in one instant.
    return delay * (0.75 + this.#random() / 2);
  }
}
