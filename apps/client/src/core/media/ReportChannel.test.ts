import type { types } from 'mediasoup-client';
import { describe, expect, it } from 'vitest';
import { Attempts } from '../session/Attempt';
import type { SignalingClient } from '../signaling/SignalingClient';
import { ReportChannel } from './ReportChannel';

/** The slice of a mediasoup DataConsumer ReportChannel uses. */
class FakeConsumer {
  closed = false;
  readonly #listeners = new Map<string, ((data?: unknown) => void)[]>();
  on(event: string, listener: (data?: unknown) => void) {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
  }
  fire(event: string, data?: unknown) {
    for (const listener of this.#listeners.get(event) ?? []) listener(data);
  }
  close() {
    this.closed = true;
  }
}

function setup() {
  const consumer = new FakeConsumer();
  const requests: string[] = [];
  const signaling = {
    request: async (type: string) => {
      requests.push(type);
      return {
        dataConsumerId: 'dc',
        dataProducerId: 'dp',
        sctpStreamParameters: {},
        label: 'control',
        protocol: '',
      };
    },
  } as unknown as SignalingClient;
  const recv = { consumeData: async () => consumer } as unknown as types.Transport;
  const channel = new ReportChannel();
  const messages: unknown[] = [];
  const warnings: string[] = [];
  channel.on('message', (m) => messages.push(m));
  channel.on('warning', (e) => warnings.push(e.code));
  return {
    channel,
    consumer,
    requests,
    signaling,
    recv,
    messages,
    warnings,
    attempts: new Attempts(() => false),
  };
}

describe('ReportChannel', () => {
  it('consumes the channel and emits its valid messages; an invalid one is a warning', async () => {
    const { channel, consumer, requests, signaling, recv, messages, warnings, attempts } = setup();
    await channel.start(() => signaling, recv, attempts.next());
    expect(requests).toEqual(['data/consume']);
    const pong = { type: 'pong', id: 1, t0: 1, t1: 2, t2: 3 };
    consumer.fire('message', JSON.stringify(pong));
    consumer.fire('message', '{"type":"pong"}');
    expect(messages).toEqual([pong]);
    expect(warnings).toEqual(['invalid-message']);
    channel.close();
    expect(consumer.closed).toBe(true);
  });

  it('closes a channel consumed for a superseded attempt, without a warning', async () => {
    const { channel, consumer, signaling, warnings, attempts } = setup();
    // A join or leave comes while the consumer is being set up.
    const recv = {
      consumeData: async () => {
        attempts.supersede();
        return consumer;
      },
    } as unknown as types.Transport;
    await channel.start(() => signaling, recv, attempts.next());
    expect(consumer.closed).toBe(true);
    expect(warnings).toEqual([]);
  });
});
