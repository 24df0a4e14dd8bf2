import type { TouchPoint } from '@offload/protocol';

/**
 * Tracks the fingers on the screen. Browsers give pointer ids that are large and never reused;
 * the app gets small ids, each stable while its finger is down, the lowest free one first
 * (as touch ids on a real device).
 */
export class TouchTracker {
  readonly #points = new Map<number, TouchPoint>();

  get size(): number {
    return this.#points.size;
  }

  has(pointerId: number): boolean {
    return this.#points.has(pointerId);
  }

  /** Adds a finger; returns its app-side id. */
  start(pointerId: number, point: Omit<TouchPoint, 'id'>): number {
    const existing = this.#points.get(pointerId);
    if (existing) {
      this.#points.set(pointerId, { ...point, id: existing.id });
      return existing.id;
    }
    const used = new Set([...this.#points.values()].map((p) => p.id));
    let id = 0;
    while (used.has(id)) id++;
    this.#points.set(pointerId, { ...point, id });
    return id;
  }

  /** Moves a finger; returns false if it is not tracked (it started outside the picture). */
  move(pointerId: number, point: Omit<TouchPoint, 'id'>): boolean {
    const existing = this.#points.get(pointerId);
    if (!existing) return false;
    this.#points.set(pointerId, { ...point, id: existing.id });
    return true;
  }

  /** Lifts a finger; returns false if it was not tracked. */
  end(pointerId: number): boolean {
    return this.#points.delete(pointerId);
  }

  clear(): void {
    this.#points.clear();
  }

  /** Every finger still down, ordered by app id. */
  touches(): TouchPoint[] {
    return [...this.#points.values()].sort((a, b) => a.id - b.id);
  }
}
