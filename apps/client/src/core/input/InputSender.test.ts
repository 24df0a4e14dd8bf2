import { describe, expect, it, vi } from 'vitest';
import { type InputChannel, InputSender } from './InputSender';

class FakeChannel implements InputChannel {
  sent: unknown[] = [];
  constructor(public readyState = 'open') {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
}

function setup() {
  const viaSocket: unknown[] = [];
  let t = 1000;
  const sender = new InputSender({
    fallback: (e) => {
      viaSocket.push(e);
      return true;
    },
    now: () => t++,
  });
  return { sender, viaSocket };
}

const move = { type: 'pointer', action: 'move', x: 0.5, y: 0.5 } as const;
const down = { type: 'pointer', action: 'down', x: 0.5, y: 0.5, button: 0, buttons: 1 } as const;

describe('InputSender', () => {
  it('stamps increasing seq and the clock', () => {
    const { sender } = setup();
    const a = sender.send(move);
    const b = sender.send(down);
    expect(a).toMatchObject({ seq: 0, ts: 1000 });
    expect(b).toMatchObject({ seq: 1, ts: 1001 });
  });

  it('routes moves to the unreliable channel and the rest to the reliable one', () => {
    const { sender, viaSocket } = setup();
    const reliable = new FakeChannel();
    const unreliable = new FakeChannel();
    sender.setChannels({ reliable, unreliable });
    sender.send(move);
    sender.send(down);
    sender.send({ type: 'touch', action: 'move', touches: [{ id: 0, x: 0.1, y: 0.2 }] });
    sender.send({ type: 'text', text: 'hé' });
    expect(unreliable.sent.map((e) => (e as { type: string }).type)).toEqual(['pointer', 'touch']);
    expect(reliable.sent.map((e) => (e as { type: string }).type)).toEqual(['pointer', 'text']);
    expect(viaSocket).toEqual([]);
  });

  it('falls back to the socket while a channel is not open', () => {
    const { sender, viaSocket } = setup();
    const unreliable = new FakeChannel('connecting');
    sender.setChannels({ reliable: new FakeChannel(), unreliable });
    sender.send(move);
    expect(unreliable.sent).toEqual([]);
    expect(viaSocket).toHaveLength(1);
  });

  it('falls back when no channel exists at all', () => {
    const { sender, viaSocket } = setup();
    sender.send({ type: 'key', action: 'down', code: 'KeyA', key: 'a' });
    expect(viaSocket).toMatchObject([{ type: 'key', seq: 0 }]);
  });

  it('returns null when nothing can carry the event', () => {
    const onSent = vi.fn();
    const sender = new InputSender({ fallback: () => false, now: () => 1, onSent });
    expect(sender.send(move)).toBeNull();
    expect(onSent).not.toHaveBeenCalled();
  });

  it('reports each sent event with the seq and ts that went on the wire', () => {
    const sent: unknown[] = [];
    const reliable = new FakeChannel();
    let t = 500;
    const sender = new InputSender({ fallback: () => true, now: () => t++, onSent: (e) => sent.push(e) });
    sender.setChannels({ reliable });
    sender.send(down);
    sender.send(move); // no unreliable channel: socket
    expect(sent).toEqual([reliable.sent[0], expect.objectContaining({ seq: 1, ts: 501 })]);
    expect(reliable.sent[0]).toMatchObject({ seq: 0, ts: 500 });
  });
});
