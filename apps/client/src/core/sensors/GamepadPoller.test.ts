import type { GamepadReading } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { type GamepadHost, GamepadPoller } from './GamepadPoller';

function host() {
  let pads: (ReturnType<GamepadHost['getGamepads']>[number] | null)[] = [null, null, null, null];
  const frames: (() => void)[] = [];
  const listeners = new Map<string, () => void>();
  const h: GamepadHost = {
    getGamepads: () => pads,
    addEventListener: (type, fn) => listeners.set(type, fn),
    removeEventListener: (type) => listeners.delete(type),
    requestAnimationFrame: (fn) => frames.push(fn),
    cancelAnimationFrame: () => frames.splice(0),
  };
  return {
    h,
    frames,
    listeners,
    set: (p: typeof pads) => (pads = p),
    runFrame: () => frames.shift()?.(),
  };
}
const pad = (a: number, x: number) => ({
  index: 0,
  id: 'Pad',
  buttons: [{ pressed: a > 0.5, touched: a > 0, value: a }] as unknown as readonly GamepadButton[],
  axes: [x, 0],
});

describe('GamepadPoller', () => {
  it('polls only while a pad is connected, and offers each change once', () => {
    const t = host();
    const got: GamepadReading[] = [];
    const poller = new GamepadPoller((r) => got.push(r), t.h);
    t.runFrame(); // no pad: the loop stops
    expect(t.frames).toHaveLength(0);
    expect(got).toEqual([]);
    t.set([pad(1, 0.25), null, null, null]);
    t.listeners.get('gamepadconnected')!();
    t.runFrame();
    t.runFrame(); // unchanged: nothing new
    expect(got).toEqual([
      {
        type: 'sensor',
        kind: 'gamepad',
        index: 0,
        id: 'Pad',
        connected: true,
        buttons: [1],
        axes: [0.25, 0],
      },
    ]);
    t.set([pad(0, 0.25), null, null, null]);
    t.runFrame();
    expect(got.at(-1)).toMatchObject({ buttons: [0] });
    t.set([null, null, null, null]);
    t.runFrame();
    expect(got.at(-1)).toEqual({
      type: 'sensor',
      kind: 'gamepad',
      index: 0,
      id: '',
      connected: false,
      buttons: [],
      axes: [],
    });
    expect(t.frames).toHaveLength(0); // no pad: no more polling
    poller.close();
    expect(t.listeners.size).toBe(0);
  });
});
