import { parseDownstreamMessage } from '@offload/protocol';
import type { types } from 'mediasoup-client';
import { ClientError } from '../ClientError';
import type { ReportChannelEvents } from '../events';
import type { Attempt } from '../session/Attempt';
import type { SignalingClient } from '../signaling/SignalingClient';
import { TypedEmitter } from '../TypedEmitter';

/**
 * The server → client data channel: a data consumer on the receive transport that carries
 * pongs and per-input timings for the latency monitor; without it there is no latency
 * breakdown. Its wire label stays `control` (REPORT_CHANNEL); here it is the report channel,
 * because "control" already means who controls the session. One per media set-up.
 */
export class ReportChannel extends TypedEmitter<ReportChannelEvents> {
  #consumer: types.DataConsumer | null = null;
  #closed = false;

  /** Asks the server for the channel and consumes it on `recv`; a failure is a warning. */
  async start(signaling: () => SignalingClient, recv: types.Transport, attempt: Attempt): Promise<void> {
    try {
      const info = await signaling().request('data/consume', {});
      attempt.check();
      const consumer = await recv.consumeData({
        id: info.dataConsumerId,
        dataProducerId: info.dataProducerId,
        sctpStreamParameters: info.sctpStreamParameters as types.SctpStreamParameters,
        label: info.label,
        protocol: info.protocol,
      });
      if (!attempt.current || this.#closed) {
        consumer.close();
        return;
      }
      this.#consumer = consumer;
      consumer.on('message', (data: unknown) => this.#onMessage(data));
      consumer.on('transportclose', () => {
        if (this.#consumer === consumer) this.#consumer = null;
      });
    } catch (err) {
      if (attempt.current) this.emit('warning', ClientError.from(err));
    }
  }

  /** Closes the channel. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#consumer?.close();
    this.#consumer = null;
  }

  #onMessage(data: unknown): void {
    const parsed = parseDownstreamMessage(typeof data === 'string' ? data : '');
    if (parsed.ok) this.emit('message', parsed.value);
    else this.emit('warning', ClientError.from(parsed.error));
  }
}
