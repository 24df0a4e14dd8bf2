import type { InputTimingMessage } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { InputTimings } from './InputTimings.js';

function setup() {
  const t = new InputTimings();
  const out: [string, InputTimingMessage][] = [];
  t.events.on('timing', (v, m) => out.push([v, m]));
  return { t, out };
}

describe('InputTimings', () => {
  it('completes an input when a frame shows its marker', () => {
    const { t, out } = setup();
    const id = t.track('v1', 5, 100);
    expect(id).toBe(1);
    t.applied(id, 103);
    t.frame(1, 130, 136);
    expect(out).toEqual([
      [
        'v1',
        {
          type: 'input/timing',
          seq: 5,
          markId: 1,
          receivedAt: 100,
          appliedAt: 103,
          capturedAt: 130,
          encodedAt: 136,
        },
      ],
    ]);
    expect(t.pending).toBe(0);
  });

  it('completes earlier handled inputs that share the frame, and drops ones never handled', () => {
    const { t, out } = setup();
    const a = t.track('v1', 1, 100);
    const b = t.track('v2', 9, 101); // another viewer of the same app
    const c = t.track('v1', 2, 102); // never handled
    const d = t.track('v1', 3, 103);
    t.applied(a, 104);
    t.applied(b, 104);
    t.applied(d, 105);
    t.frame(d % 256, 140, 145);
    expect(out.map(([v, m]) => [v, m.seq])).toEqual([
      ['v1', 1],
      ['v2', 9],
      ['v1', 3],
    ]);
    expect(c).toBe(3);
  });

  it('completes an input whose "handled" report arrives after the frame that shows it', () => {
    const { t, out } = setup();
    const a = t.track('v', 1, 100);
    const b = t.track('v', 2, 101);
    t.applied(b, 104);
    t.frame(b, 130, 135); // a's report is late; b's marker covers it
    expect(out.map(([, m]) => m.seq)).toEqual([2]);
    t.applied(a, 103);
    expect(out.map(([, m]) => [m.seq, m.appliedAt, m.capturedAt, m.encodedAt])).toEqual([
      [2, 104, 130, 135],
      [1, 103, 130, 135],
    ]);
    expect(t.pending).toBe(0);
  });

  it('unwraps marker values past 255', () => {
    const { t, out } = setup();
    let last = 0;
    for (let i = 0; i < 300; i++) {
      last = t.track('v', i, i);
      t.applied(last, i);
      if (i < 299) t.frame(last % 256, i, i);
    }
    out.length = 0;
    t.frame(last % 256, 1000, 1001); // 300 → shows 44
    expect(out.map(([, m]) => m.markId)).toEqual([300]);
  });

  it('ignores frames that show no newer input, and forgets old inputs', () => {
    const { t, out } = setup();
    const a = t.track('v', 1, 0);
    t.applied(a, 1);
    t.frame(0, 10, 11); // the initial marker
    expect(out).toHaveLength(0);
    t.track('v', 2, 10_000); // 10 s later: input 1 is forgotten
    t.frame(1, 10_010, 10_011);
    expect(out).toHaveLength(0);
  });
});
