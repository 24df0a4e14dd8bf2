/**
 * A client that creates a session and joins it (prints "joined"), then on a line on stdin floods
 * it with 10,000 pointer moves a second over the WebSocket (prints "flooding") until its stdin
 * closes; then prints {sent, errorsBack} as JSON.
 * Used by robustness.ts:  node --import tsx src/floodClient.ts <port>
 */
import { createInterface } from 'node:readline';
import { PROTOCOL_VERSION } from '@offload/protocol';
import { WebSocket } from 'ws';

const port = Number(process.argv[2]);
const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
await new Promise((r, j) => ws.once('open', r).once('error', j));
const pending = new Map<number, (m: { ok: boolean; data?: { sessionId: string } }) => void>();
let errorsBack = 0;
ws.on('message', (d) => {
  const m = JSON.parse(String(d));
  if (m.type === 'response') pending.get(m.id)?.(m);
  else if (m.type === 'error') errorsBack++;
});
let id = 1;
const request = (type: string, payload: Record<string, unknown> = {}) =>
  new Promise<{ ok: boolean; data?: { sessionId: string } }>((resolve) => {
    pending.set(id, resolve);
    ws.send(JSON.stringify({ type, id: id++, ...payload }));
  });
await request('hello', { protocolVersion: PROTOCOL_VERSION });
const created = await request('session/create');
if (!created.ok) throw new Error('could not create the flooded session');
await request('session/join', { sessionId: created.data!.sessionId });

// Joined and idle: the session exists (its app renders, its encoder runs) before any flood,
// so the comparison isolates the flood itself. A line "flood" on stdin starts it.
const lines = createInterface({ input: process.stdin });
let stop = false;
lines.on('close', () => {
  stop = true;
});
console.log('joined');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
console.log('flooding');
let sent = 0;
const t0 = performance.now();
while (!stop) {
  // Catches up with 10k events/s however slow the loop runs.
  const due = Math.round((performance.now() - t0) * 10) - sent;
  for (let i = 0; i < due; i++) {
    const x = (i % 50) / 50;
    ws.send(
      `{"type":"input","event":{"type":"pointer","seq":${sent++},"ts":1,"action":"move","x":${x},"y":0.8}}`,
    );
  }
  await new Promise((r) => setTimeout(r, 10));
}
console.log(JSON.stringify({ sent, errorsBack }));
ws.close();
