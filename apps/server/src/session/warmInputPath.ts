import type { InputEvent } from '@offload/protocol';
import { toCdpCommands } from '../runtime/cdpInput.js';
import { TouchRoute } from '../runtime/touchRoute.js';
import { InputGate } from './InputGate.js';
import { InputTimings } from './InputTimings.js';

/** One message of each kind a client sends on its input channel, as it sends them. */
const SAMPLES: readonly object[] = [
  { type: 'ping', id: 1, t0: 1 },
  { type: 'pointer', seq: 1, ts: 1, action: 'move', x: 0.5, y: 0.5, button: 0, buttons: 0 },
  { type: 'pointer', seq: 2, ts: 1, action: 'down', x: 0.5, y: 0.5, button: 0, buttons: 1 },
  { type: 'pointer', seq: 3, ts: 1, action: 'up', x: 0.5, y: 0.5, button: 0, buttons: 0 },
  { type: 'touch', seq: 4, ts: 1, action: 'start', touches: [{ id: 0, x: 0.5, y: 0.5 }] },
  { type: 'touch', seq: 5, ts: 1, action: 'move', touches: [{ id: 0, x: 0.4, y: 0.5 }] },
  { type: 'touch', seq: 6, ts: 1, action: 'end', touches: [{ id: 0, x: 0.4, y: 0.5 }] },
  { type: 'wheel', seq: 7, ts: 1, x: 0.5, y: 0.5, dx: 0, dy: 120 },
  { type: 'key', seq: 8, ts: 1, action: 'down', code: 'KeyA', key: 'a' },
  { type: 'key', seq: 9, ts: 1, action: 'up', code: 'KeyA', key: 'a' },
  { type: 'text', seq: 10, ts: 1, text: 'a' },
];

/**
 * Runs every input kind once through the server's own input path — the gate's parsing,
 * validation and rate limit, the mapping to CDP commands, the latency bookkeeping — without
 * sending anything anywhere. Called once when the server starts, so that the first tap of the
 * first session does not pay for that code's first run: zod builds each schema's parser on
 * its first use and V8 compiles functions when they are first called, which cost the first
 * tap 4–13 ms in the bench (vs-vnc, 2026-11-30) and nothing after. Returns how many events
 * went all the way through (the tests check it is all of them).
 */
export function warmInputPath(): number {
  const screen = { width: 720, height: 1280 };
  const route = new TouchRoute();
  const timings = new InputTimings();
  let passed = 0;
  const sink = (e: InputEvent, receivedAt: number) => {
    passed++;
    toCdpCommands(e, screen, receivedAt / 1000);
    if (e.type === 'touch') route.commands(e, screen, receivedAt / 1000);
    if (e.type === 'pointer') route.pointer(e, screen, receivedAt / 1000);
    timings.track('warm-up', e.seq, receivedAt, passed);
    timings.applied(passed, receivedAt);
  };
  const gate = new InputGate({ rate: 1000, sink, onPing: () => passed++, mayInject: () => true });
  for (const m of SAMPLES) gate.handleMessage(JSON.stringify(m));
  gate.close();
  return passed;
}

/** How many samples warmInputPath() runs (for its test). */
export const WARM_SAMPLES = SAMPLES.length;
