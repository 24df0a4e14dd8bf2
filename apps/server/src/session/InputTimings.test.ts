import { MARKER } from '@offload/latency';
import type { InputTimingMessage } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { InputTimings } from './InputTimings.js';

function setup() {
  const t = new InputTimings();
  const out: [string, InputTimingMessage][] = [];
  t.events.on('timing', (v, m) => out.push([v, m]));
  return { t, out };
}

/** Marker ids as the runtime makes them: injection stamps in 4 ms steps, so they skip values. */
const BASE = 443_000_000_000;

describe('InputTimings', () => {
  it('completes an input when a frame shows its marker', () => {
    const { t, out } = setup();
    t.track('v1', 5, 100, BASE + 7);
    t.applied(BASE + 7, 103);
    t.frame((BASE + 7) % MARKER.modulo, 130, 136);
    expect(out).toEqual([
      [
        'v1',
        {
          type: 'input/timing',
          seq: 5,
          markId: BASE + 7,
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
    const [a, b, c, d] = [BASE + 1, BASE + 3, BASE + 4, BASE + 9];
    t.track('v1', 1, 100, a);
    t.track('v2', 9, 101, b); // another viewer of the same app
    t.track('v1', 2, 102, c); // never handled
    t.track('v1', 3, 103, d);
    t.applied(a, 104);
    t.applied(b, 104);
    t.applied(d, 105);
    t.frame(d % MARKER.modulo, 140, 145);
    expect(out.map(([v, m]) => [v, m.seq])).toEqual([
      ['v1', 1],
      ['v2', 9],
      ['v1', 3],
    ]);
    expect(t.pending).toBe(1); // c waits for its report until it ages out
  });

  it('completes an input whose "handled" report arrives after the frame that shows it', () => {
    const { t, out } = setup();
    const [a, b] = [BASE + 2, BASE + 5];
    t.track('v', 1, 100, a);
    t.track('v', 2, 101, b);
    t.applied(b, 104);
    t.frame(b % MARKER.modulo, 130, 135); // a's report is late; b's marker covers it
    expect(out.map(([, m]) => m.seq)).toEqual([2]);
    t.applied(a, 103);
    expect(out.map(([, m]) => [m.seq, m.appliedAt, m.capturedAt, m.encodedAt])).toEqual([
      [2, 104, 130, 135],
      [1, 103, 130, 135],
    ]);
    expect(t.pending).toBe(0);
  });

  it('unwraps marker values past the modulo', () => {
    const { t, out } = setup();
    // Ids that straddle a wrap of the marker value.
    const first = Math.ceil(BASE / MARKER.modulo) * MARKER.modulo - 3;
    let last = 0;
    for (let i = 0; i < 6; i++) {
      last = first + i * 2;
      t.track('v', i, i, last);
      t.applied(last, i);
      if (i < 5) t.frame(last % MARKER.modulo, i, i);
    }
    out.length = 0;
    t.frame(last % MARKER.modulo, 1000, 1001); // shows 7 after the wrap
    expect(last % MARKER.modulo).toBe(7);
    expect(out.map(([, m]) => m.markId)).toEqual([last]);
  });

  it('ignores ids that are not newer, frames that show no newer input, and forgets old inputs', () => {
    const { t, out } = setup();
    t.track('v', 1, 0, BASE + 10);
    t.track('v', 9, 0, BASE + 10); // same id again: ignored
    t.applied(BASE + 10, 1);
    t.frame(0, 10, 11); // the initial marker
    expect(out).toHaveLength(0);
    t.track('v', 2, 10_000, BASE + 2510); // 10 s later: input 1 is forgotten
    t.frame((BASE + 10) % MARKER.modulo, 10_010, 10_011);
    expect(out).toHaveLength(0);
    expect(t.pending).toBe(1);
  });
});
