import { describe, expect, it } from 'vitest';
import { FrameCoalescer } from './FrameCoalescer';
import type { InputDraft } from './inputTypes';

function setup() {
  const out: InputDraft[] = [];
  const frames: (() => void)[] = [];
  const c = new FrameCoalescer(
    (d) => out.push(d),
    (cb) => frames.push(cb),
  );
  const frame = () => {
    for (const f of frames.splice(0)) f();
  };
  return { c, out, frames, frame };
}

const move = (x: number) => ({ type: 'pointer', action: 'move', x, y: 0.5 }) as const;

describe('FrameCoalescer', () => {
  it('keeps only the last move of a frame', () => {
    const { c, out, frames, frame } = setup();
    c.push(move(0.1));
    c.push(move(0.2));
    c.push(move(0.3));
    expect(out).toEqual([]);
    expect(frames).toHaveLength(1);
    frame();
    expect(out).toEqual([move(0.3)]);
  });

  it('flushes a pending move before a non-move event, keeping order', () => {
    const { c, out, frame } = setup();
    c.push(move(0.4));
    c.push({ type: 'pointer', action: 'down', x: 0.4, y: 0.5, button: 0, buttons: 1 });
    expect(out.map((d) => (d.type === 'pointer' ? d.action : d.type))).toEqual(['move', 'down']);
    frame();
    expect(out).toHaveLength(2);
  });

  it('sums wheel deltas within a frame', () => {
    const { c, out, frame } = setup();
    c.push({ type: 'wheel', x: 0.1, y: 0.1, dx: 0, dy: 10 });
    c.push({ type: 'wheel', x: 0.2, y: 0.2, dx: 5, dy: 15 });
    frame();
    expect(out).toEqual([{ type: 'wheel', x: 0.2, y: 0.2, dx: 5, dy: 25 }]);
  });

  it('coalesces pointer and touch moves separately', () => {
    const { c, out, frame } = setup();
    c.push(move(0.1));
    c.push({ type: 'touch', action: 'move', touches: [{ id: 0, x: 0, y: 0 }] });
    c.push({ type: 'touch', action: 'move', touches: [{ id: 0, x: 1, y: 1 }] });
    frame();
    expect(out).toEqual([move(0.1), { type: 'touch', action: 'move', touches: [{ id: 0, x: 1, y: 1 }] }]);
  });

  it('schedules again after a flush', () => {
    const { c, out, frames, frame } = setup();
    c.push(move(0.1));
    frame();
    c.push(move(0.2));
    expect(frames).toHaveLength(1);
    frame();
    expect(out).toEqual([move(0.1), move(0.2)]);
  });

  it('clear() drops pending moves', () => {
    const { c, out, frame } = setup();
    c.push(move(0.1));
    c.clear();
    frame();
    expect(out).toEqual([]);
  });
});
