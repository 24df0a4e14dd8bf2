import { type InputEventInit, isLossTolerant } from '@offload/protocol';
import type { InputDraft } from './inputTypes';

/** The slice of an RTCDataChannel / mediasoup DataProducer the sender uses. */
export interface InputChannel {
  readonly readyState: string;
  send(data: string): void;
}

export interface InputSenderOptions {
  /** Sends over the WebSocket while a data channel is not open; returns false if that is closed too. */
  fallback: (event: InputEventInit) => boolean;
  /** Client wall clock in ms. Default: `performance.timeOrigin + performance.now()`. */
  now?: () => number;
  /** Called with each event that left (channel or fallback), as stamped; latency tracking keys on its seq/ts. */
  onSent?: (event: InputEventInit) => void;
}

/**
 * Stamps input events (`seq`, `ts`) and routes each as one JSON text message: moves on the
 * unreliable channel (a lost move is superseded by the next), everything else on the reliable
 * one, and the WebSocket while the chosen channel is not open.
 */
export class InputSender {
  #seq = 0;
  #reliable: InputChannel | null = null;
  #unreliable: InputChannel | null = null;
  readonly #fallback: (event: InputEventInit) => boolean;
  readonly #now: () => number;
  readonly #onSent: ((event: InputEventInit) => void) | undefined;

  constructor({
    fallback,
    now = () => performance.timeOrigin + performance.now(),
    onSent,
  }: InputSenderOptions) {
    this.#fallback = fallback;
    this.#now = now;
    this.#onSent = onSent;
  }

  setChannels(channels: { reliable?: InputChannel | null; unreliable?: InputChannel | null }): void {
    if (channels.reliable !== undefined) this.#reliable = channels.reliable;
    if (channels.unreliable !== undefined) this.#unreliable = channels.unreliable;
  }

  /** Sends one event; returns it as sent, or null if nothing could carry it. */
  send(draft: InputDraft): InputEventInit | null {
    const event = { ...draft, seq: this.#seq++, ts: this.#now() } as InputEventInit;
    const channel = isLossTolerant(event) ? this.#unreliable : this.#reliable;
    let sent = false;
    if (channel && channel.readyState === 'open') {
      try {
        channel.send(JSON.stringify(event));
        sent = true;
      } catch {
        // The channel closed between the check and the send: fall through to the socket.
      }
    }
    if (!sent && !this.#fallback(event)) return null;
    this.#onSent?.(event);
    return event;
  }
}
