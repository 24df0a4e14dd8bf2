import type { types } from 'mediasoup-client';
import { describe, expect, it } from 'vitest';
import { Attempts } from '../session/Attempt';
import { InputChannels } from './InputChannels';

/** The slice of a mediasoup DataProducer InputChannels uses. */
class FakeProducer {
  readyState = 'connecting';
  sent: unknown[] = [];
  closed = false;
  readonly #listeners = new Map<string, (() => void)[]>();
  constructor(readonly label: string) {}
  on(event: string, listener: () => void) {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
  }
  fire(event: string) {
    for (const listener of this.#listeners.get(event) ?? []) listener();
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
}

function setup() {
  const producers: FakeProducer[] = [];
  const send = {
    produceData: async ({ label }: { label: string }) => {
      const producer = new FakeProducer(label);
      producers.push(producer);
      return producer;
    },
  } as unknown as types.Transport;
  const viaSocket: unknown[] = [];
  const channels = new InputChannels({
    fallback: (event) => {
      viaSocket.push(event);
      return true;
    },
  });
  const pingChannel: boolean[] = [];
  const sent: unknown[] = [];
  channels.on('ping-channel', (open) => pingChannel.push(open));
  channels.on('input-sent', (event) => sent.push(event));
  const byLabel = (label: string) => producers.find((p) => p.label === label)!;
  return {
    channels,
    send,
    producers,
    byLabel,
    viaSocket,
    pingChannel,
    sent,
    attempts: new Attempts(() => false),
  };
}

const move = { type: 'pointer', action: 'move', x: 0.5, y: 0.5 } as const;

describe('InputChannels', () => {
  it('sends over the socket until the channels open, then moves on input-fast and pings too', async () => {
    const { channels, send, byLabel, viaSocket, pingChannel, sent, attempts } = setup();
    expect(channels.send(move)).toMatchObject({ seq: 0 });
    expect(viaSocket).toHaveLength(1);
    expect(channels.sendPing({ type: 'ping', id: 0, t0: 1 })).toBe(false);
    await channels.start(send, attempts.next());
    expect(channels.open).toEqual({ reliable: false, unreliable: false });
    const fast = byLabel('input-fast');
    fast.readyState = 'open';
    fast.fire('open');
    expect(pingChannel).toEqual([true]);
    expect(channels.open).toEqual({ reliable: false, unreliable: true });
    channels.send(move);
    expect(fast.sent).toMatchObject([{ type: 'pointer', seq: 1 }]);
    expect(channels.sendPing({ type: 'ping', id: 7, t0: 1 })).toBe(true);
    expect(fast.sent.at(-1)).toEqual({ type: 'ping', id: 7, t0: 1 });
    expect(sent).toHaveLength(2);
    // Sensor readings: on their own channel only.
    const tilt = { type: 'sensor', kind: 'orientation', alpha: 1, beta: 2, gamma: 3 } as const;
    expect(channels.sendSensor(tilt)).toBe(false); // not open yet: dropped (the next reading supersedes it)
    byLabel('sensors').readyState = 'open';
    expect(channels.sendSensor(tilt)).toBe(true);
    expect(byLabel('sensors').sent).toEqual([tilt]);
    expect(fast.sent.at(-1)).toEqual({ type: 'ping', id: 7, t0: 1 });
    channels.close();
    expect(pingChannel).toEqual([true, false]);
    expect(byLabel('input').closed && fast.closed).toBe(true);
  });

  it('closes channels that open for a superseded attempt', async () => {
    const { channels, send, producers, attempts, pingChannel } = setup();
    const attempt = attempts.next();
    const started = channels.start(send, attempt);
    attempts.supersede();
    await started;
    expect(producers.map((p) => p.closed)).toEqual([true, true, true]);
    expect(channels.open).toEqual({ reliable: false, unreliable: false });
    expect(pingChannel).toEqual([]);
  });
});
