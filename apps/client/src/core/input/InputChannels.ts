import {
  INPUT_CHANNEL_RELIABLE,
  INPUT_CHANNEL_UNRELIABLE,
  type InputEventInit,
  type Ping,
  SENSOR_CHANNEL,
  type SensorReading,
} from '@offload/protocol';
import type { types } from 'mediasoup-client';
import { ClientError } from '../ClientError';
import type { InputChannelsEvents } from '../events';
import type { Attempt } from '../session/Attempt';
import { TypedEmitter } from '../TypedEmitter';
import { InputSender } from './InputSender';
import type { InputDraft } from './inputTypes';

export interface InputChannelsOptions {
  /** Sends over the signaling socket of the moment while a channel is not open; false if that is closed too. */
  fallback: (event: InputEventInit) => boolean;
}

/**
 * The input data channels (data producers on the send transport, protocol labels `input`,
 * `input-fast` and `sensors`) and the InputSender that routes each event onto one of them, or onto the
 * socket until they open. The unreliable channel also carries the clock-sync pings.
 * One per media set-up; closed with it.
 */
export class InputChannels extends TypedEmitter<InputChannelsEvents> {
  readonly #sender: InputSender;
  readonly #producers = new Map<string, types.DataProducer>();
  #pingOpen = false;
  #closed = false;

  constructor({ fallback }: InputChannelsOptions) {
    super();
    this.#sender = new InputSender({ fallback, onSent: (event) => this.emit('input-sent', event) });
  }

  /** Whether each channel is open (false: input goes over the WebSocket). */
  get open(): { reliable: boolean; unreliable: boolean } {
    const open = (label: string) => this.#producers.get(label)?.readyState === 'open';
    return { reliable: open(INPUT_CHANNEL_RELIABLE), unreliable: open(INPUT_CHANNEL_UNRELIABLE) };
  }

  /** Sends one input event (stamped with seq and ts); returns it as sent, or null if nothing could carry it. */
  send(draft: InputDraft): InputEventInit | null {
    return this.#sender.send(draft);
  }

  /** Sends a clock-sync ping on the unreliable channel only (never the socket); false if it is not open. */
  sendPing(ping: Ping): boolean {
    return this.#sendOn(INPUT_CHANNEL_UNRELIABLE, ping);
  }

  /** Sends a sensor reading on the sensors channel only (a lost one is superseded); false if it is not open. */
  sendSensor(reading: SensorReading): boolean {
    return this.#sendOn(SENSOR_CHANNEL, reading);
  }

  #sendOn(label: string, message: unknown): boolean {
    const channel = this.#producers.get(label);
    if (channel?.readyState !== 'open') return false;
    try {
      channel.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** Opens both channels on `send`; a channel that fails only costs its fast path (a warning). */
  async start(send: types.Transport, attempt: Attempt): Promise<void> {
    const open = async (label: string, options: types.DataProducerOptions) => {
      try {
        const producer = await send.produceData({ ...options, label });
        if (!attempt.current || this.#closed) {
          producer.close();
          return;
        }
        this.#producers.set(label, producer);
        producer.on('transportclose', () => this.#producers.delete(label));
        if (label === INPUT_CHANNEL_RELIABLE) this.#sender.setChannels({ reliable: producer });
        else if (label === INPUT_CHANNEL_UNRELIABLE) {
          this.#sender.setChannels({ unreliable: producer });
          const closed = () => this.#setPingOpen(false);
          producer.on('transportclose', closed);
          producer.on('close', closed);
          if (producer.readyState === 'open') this.#setPingOpen(true);
          else producer.on('open', () => this.#setPingOpen(true));
        }
      } catch (err) {
        // A transport closed under a pending produceData (leave, failure) is not worth a warning.
        if (attempt.current && !this.#closed) this.emit('warning', ClientError.from(err));
      }
    };
    await Promise.all([
      open(INPUT_CHANNEL_UNRELIABLE, { ordered: false, maxRetransmits: 0 }),
      open(INPUT_CHANNEL_RELIABLE, { ordered: true }),
      // Sensor readings: a channel of their own, so they never wait behind input.
      open(SENSOR_CHANNEL, { ordered: false, maxRetransmits: 0 }),
    ]);
  }

  /** Closes both channels (the ping channel goes away). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#setPingOpen(false);
    for (const producer of this.#producers.values()) producer.close();
    this.#producers.clear();
  }

  #setPingOpen(open: boolean): void {
    if (this.#pingOpen === open) return;
    this.#pingOpen = open;
    this.emit('ping-channel', open);
  }
}
