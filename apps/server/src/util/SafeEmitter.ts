import { EventEmitter } from 'node:events';
import { moduleLogger } from '../logger.js';

type EventMap<T> = Record<keyof T, unknown[]>;

/**
 * An EventEmitter whose safeEmit() calls every listener even if one throws: the exception is
 * logged (with the emitter's name and the event) and the emitter goes on, so a faulty listener
 * cannot abort what emitted the event half-way (say, a session's close). Like mediasoup's
 * EnhancedEventEmitter.safeEmit, but each listener on its own, so the ones after a throwing
 * listener still run.
 */
export class SafeEmitter<T extends EventMap<T>> extends EventEmitter<T> {
  constructor(readonly emitterName: string) {
    super();
  }

  /** emit(), but a listener that throws is logged and the others still run. True if any listened. */
  safeEmit<K extends keyof T & (string | symbol)>(event: K, ...args: T[K]): boolean {
    // rawListeners: once() wrappers included, which remove themselves when called.
    const listeners = this.rawListeners(event as never) as unknown as ((...a: unknown[]) => unknown)[];
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (err) {
        moduleLogger('events').error(
          { err, emitter: this.emitterName, event: String(event) },
          'an event listener threw; the others still ran',
        );
      }
    }
    return listeners.length > 0;
  }
}
