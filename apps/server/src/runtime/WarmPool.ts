import { moduleLogger } from '../logger.js';
import type { AppRuntime } from './AppRuntime.js';

const log = moduleLogger('warm-pool');
/** Longest wait in close() for runtimes still starting (ms). */
const CLOSE_WAIT_MS = 5000;

export interface WarmPoolOptions {
  /** Runtimes to keep started and idle (OFFLOAD_WARM_RUNTIMES); 0 turns the pool off. */
  size: number;
  /** Starts one runtime (the same as a session would start for itself). */
  start: () => Promise<AppRuntime>;
  /**
   * Whether one more runtime may be started now. The server passes "running sessions + sessions
   * starting + warm runtimes < OFFLOAD_MAX_SESSIONS", so warm runtimes never push the host past
   * the number of app runtimes it was sized for.
   */
  canGrow?: () => boolean;
  /** Wait before retrying after a runtime failed to start (ms). Default 5000. */
  retryDelayMs?: number;
  /**
   * Wait after a runtime is handed out before starting its replacement (ms). Default 0. A
   * runtime's start-up (an X server, a browser loading the app, its video sender) takes about a
   * core for a second or two; started at once, it competes with the new session's own first
   * second, which its user waits through.
   */
  refillDelayMs?: number;
}

/**
 * Pre-started app runtimes (Xvfb + Chromium with the app loaded), so a new session skips the
 * app's start-up. A runtime is handed out once and never comes back: a session's app closes
 * with it. The pool refills in the background after each take and whenever `fill()` is called
 * (e.g. when a session ends and frees room); a warm runtime that dies is replaced.
 */
export class WarmPool {
  readonly #ready: AppRuntime[] = [];
  /** Each ready runtime's 'died' listener, removed when it is taken. */
  readonly #onDied = new Map<AppRuntime, (why: string) => void>();
  /** Starts under way: close() waits for them (their runtimes are closed as they arrive). */
  readonly #inflight = new Set<Promise<void>>();
  #starting = 0;
  /** Callers of acquire() waiting for a runtime that is starting. */
  readonly #waiters: ((rt: AppRuntime | undefined) => void)[] = [];
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #refillTimer: NodeJS.Timeout | undefined;
  /** Counters, for /metrics and tests. */
  readonly counts = { started: 0, taken: 0, died: 0, failed: 0 };

  constructor(readonly o: WarmPoolOptions) {}

  /** Runtimes ready to be taken. */
  get ready(): number {
    return this.#ready.length;
  }

  /** The runtimes ready now (for tests and diagnostics). */
  get idle(): readonly AppRuntime[] {
    return this.#ready;
  }

  /** Runtimes ready or starting: what the pool holds against the host's limit. */
  get size(): number {
    return this.#ready.length + this.#starting;
  }

  /**
   * A ready runtime; else the next one that finishes starting (closer to ready than a cold
   * start, and no extra runtime on the host); else undefined, and the caller starts one itself.
   * The pool refills behind it.
   */
  async acquire(): Promise<AppRuntime | undefined> {
    const rt = this.#ready.shift();
    if (rt) {
      this.#handOut(rt);
      this.#refill();
      return rt;
    }
    if (this.#closed || this.#starting <= this.#waiters.length) return undefined;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #handOut(rt: AppRuntime): void {
    const onDied = this.#onDied.get(rt);
    if (onDied) rt.events.off('died', onDied);
    this.#onDied.delete(rt);
    this.counts.taken++;
  }

  /** fill(), after refillDelayMs: a runtime was just handed out. */
  #refill(): void {
    const delay = this.o.refillDelayMs ?? 0;
    if (delay <= 0) {
      this.fill();
      return;
    }
    clearTimeout(this.#refillTimer);
    this.#refillTimer = setTimeout(() => this.fill(), delay);
    this.#refillTimer.unref();
  }

  /** Starts runtimes until the pool is full or the host has no room. Never throws. */
  fill(): void {
    while (!this.#closed && this.size < this.o.size && (this.o.canGrow?.() ?? true)) this.#startOne();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#refillTimer);
    for (const w of this.#waiters.splice(0)) w(undefined);
    const all = this.#ready.splice(0);
    this.#onDied.clear();
    await Promise.all(all.map((rt) => rt.close()));
    // Starts under way are closed as they finish, but shutdown does not wait on them forever:
    // one interrupted by the server's own SIGTERM (Playwright closes its browsers on it) was
    // seen never to settle. What is left of it is killed with the server's process groups.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#inflight),
      new Promise((r) => {
        timer = setTimeout(r, CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  #startOne(): void {
    this.#starting++;
    const t0 = performance.now();
    const p: Promise<void> = this.o.start().then(
      async (rt) => {
        this.#starting--;
        if (this.#closed) {
          await rt.close().catch(() => {});
          return;
        }
        this.counts.started++;
        log.info({ ms: Math.round(performance.now() - t0) }, 'warm runtime ready');
        const waiter = this.#waiters.shift();
        if (waiter) {
          this.counts.taken++;
          waiter(rt);
          this.#refill();
          return;
        }
        const onDied = (why: string) => {
          this.#ready.splice(this.#ready.indexOf(rt), 1);
          this.#onDied.delete(rt);
          this.counts.died++;
          rt.close().catch(() => {});
          log.warn({ why }, 'warm runtime died; starting another');
          this.fill();
        };
        rt.events.once('died', onDied);
        this.#onDied.set(rt, onDied);
        this.#ready.push(rt);
      },
      (err: Error) => {
        this.#starting--;
        this.counts.failed++;
        // Waiters beyond the runtimes still starting start their own.
        while (this.#waiters.length > this.#starting) this.#waiters.pop()!(undefined);
        log.error({ err: err.message }, 'warm runtime failed to start');
        // Not at once: a runtime that cannot start now (no memory, app down) will not in 1 ms either.
        clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.fill(), this.o.retryDelayMs ?? 5000);
        this.#retryTimer.unref();
      },
    );
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
  }
}
