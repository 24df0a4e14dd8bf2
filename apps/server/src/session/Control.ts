import { OffloadError } from '@offload/protocol';
import { SafeEmitter } from '../util/SafeEmitter.js';

/** One participant of a session, as far as control goes. */
export interface Participant {
  /** The viewer id. */
  id: string;
  /** Display name (the token's `sub`), shown to the others. */
  name?: string;
  /** May hold control: has a controller token, or the server is in open mode. */
  eligible: boolean;
}

export type ControlEvents = {
  /** Control moved; every participant is told. */
  changed: [controllerId: string | null, controllerName: string | undefined];
  /** `from` asks the controller (`to`) for control. */
  requested: [to: string, from: Participant];
};

export interface ControlOptions {
  /** Shortest time between two requests of one participant (ms). Default 2000. */
  requestIntervalMs?: number;
}

/**
 * Who controls a session: at most one participant at a time, whose input is injected;
 * everyone else watches. The server's decisions live here and only here: a client's idea of
 * its role is never trusted. Knows nothing of sockets; Connection forwards its events.
 */
export class Control {
  readonly events = new SafeEmitter<ControlEvents>('control');
  readonly #participants = new Map<string, Participant>();
  readonly #lastRequest = new Map<string, number>();
  readonly #requestIntervalMs: number;
  #controllerId: string | null = null;
  /** Control is kept for this participant while it reconnects (see reserve()). */
  #reserved: string | null = null;

  constructor(o: ControlOptions = {}) {
    this.#requestIntervalMs = o.requestIntervalMs ?? 2000;
  }

  get controllerId(): string | null {
    return this.#controllerId;
  }

  get controllerName(): string | undefined {
    return this.#controllerId ? this.#participants.get(this.#controllerId)?.name : undefined;
  }

  isController(id: string): boolean {
    return this.#controllerId === id;
  }

  participant(id: string): Participant | undefined {
    return this.#participants.get(id);
  }

  /** A participant joined; an eligible one gets control if nobody holds it (the first joiner, or after the controller left). */
  add(p: Participant): void {
    this.#participants.set(p.id, { ...p });
    if (this.#controllerId !== null || !p.eligible) return;
    if (this.#reserved !== null && this.#reserved !== p.id) return;
    this.#reserved = null;
    this.#set(p.id);
  }

  /**
   * Keeps control for `id` while it reconnects (its session's media restarted, so every
   * participant left and comes back): nobody else gets it automatically meanwhile, though an
   * eligible participant may still take it. `null` ends the reservation: if nobody holds
   * control then, the first eligible participant present gets it.
   */
  reserve(id: string | null): void {
    this.#reserved = id;
    if (id !== null || this.#controllerId !== null) return;
    const next = [...this.#participants.values()].find((p) => p.eligible);
    if (next) this.#set(next.id);
  }

  /** A participant left; if it held control, nobody holds it now (an eligible participant may take it). */
  remove(id: string): void {
    this.#participants.delete(id);
    this.#lastRequest.delete(id);
    if (this.#controllerId === id) this.#set(null);
  }

  /** The controller `from` hands control to `to`. */
  grant(from: string, to: string): void {
    this.#assertController(from);
    if (from === to) return;
    const target = this.#participants.get(to);
    if (!target) throw new OffloadError('not-allowed', `No participant "${to}" in this session.`);
    if (!target.eligible) {
      throw new OffloadError(
        'not-allowed',
        'That participant joined with a viewer token and cannot take control.',
      );
    }
    this.#set(to);
  }

  /** `from` asks the controller for control; nobody holding it, take it instead. */
  request(from: string): void {
    const p = this.#eligible(from);
    if (this.#controllerId === from) return;
    if (this.#controllerId === null) {
      throw new OffloadError('not-allowed', 'Nobody has control: take it (control/take).');
    }
    const now = performance.now();
    const last = this.#lastRequest.get(from);
    if (last !== undefined && now - last < this.#requestIntervalMs) {
      throw new OffloadError('rate-limited', 'You asked for control a moment ago; wait for an answer.');
    }
    this.#lastRequest.set(from, now);
    this.events.safeEmit('requested', this.#controllerId, p);
  }

  /** `from` takes control, which nobody holds. */
  take(from: string): void {
    this.#eligible(from);
    if (this.#controllerId === from) return;
    if (this.#controllerId !== null) {
      throw new OffloadError('not-allowed', 'Someone else has control: ask for it (control/request).');
    }
    this.#set(from);
  }

  /** The controller gives control up. */
  release(from: string): void {
    this.#assertController(from);
    this.#set(null);
  }

  #eligible(id: string): Participant {
    const p = this.#participants.get(id);
    if (!p) throw OffloadError.notJoined();
    if (!p.eligible) {
      throw new OffloadError(
        'not-allowed',
        'You joined with a viewer token: you can watch but not take control.',
      );
    }
    return p;
  }

  #assertController(id: string): void {
    if (this.#controllerId !== id)
      throw new OffloadError('not-controller', 'Only the participant in control can do that.');
  }

  #set(id: string | null): void {
    if (this.#controllerId === id) return;
    this.#controllerId = id;
    this.events.safeEmit('changed', id, this.controllerName);
  }
}
