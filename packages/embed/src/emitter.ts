type Listener = (...args: never[]) => void;

/** A minimal typed emitter: a listener that throws is reported and does not stop the others. */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(type: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as unknown as Listener);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: (...args: Events[K]) => void): void {
    this.#listeners.get(type)?.delete(listener as unknown as Listener);
  }

  protected emit<K extends keyof Events>(type: K, ...args: Events[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        (listener as unknown as (...a: Events[K]) => void)(...args);
      } catch (err) {
        console.error(`[offload-embed] a "${String(type)}" listener threw`, err);
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
