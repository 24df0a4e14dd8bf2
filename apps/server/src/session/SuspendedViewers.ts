import type { Logger } from '../logger.js';

/** What SuspendedViewers needs of a viewer. */
interface Suspendable {
  readonly id: string;
  readonly closed: boolean;
  close(): void;
}

/**
 * Viewers whose client lost its socket, each kept (transports, consumers, its place in the
 * session) for a grace period so the client can resume without setting up media again; one
 * that does not come back in time is closed.
 */
export class SuspendedViewers {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly graceMs: number,
    private readonly log: Logger,
  ) {}

  has(id: string): boolean {
    return this.#timers.has(id);
  }

  /** Keeps `viewer` for graceMs, then closes it unless resume() came first. */
  suspend(viewer: Suspendable): void {
    if (viewer.closed || this.#timers.has(viewer.id)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(viewer.id);
      this.log.info({ viewerId: viewer.id }, 'viewer did not come back');
      viewer.close();
    }, this.graceMs);
    timer.unref();
    this.#timers.set(viewer.id, timer);
    this.log.info(
      { viewerId: viewer.id, graceMs: this.graceMs },
      'viewer lost its connection; keeping its place',
    );
  }

  /** The viewer came back (or left for good): it is no longer waited for. */
  resume(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  /** Stops waiting for anyone (the session closes or rebuilds its media). */
  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
