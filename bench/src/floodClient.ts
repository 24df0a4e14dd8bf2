/**
 * A client that creates a session and joins it (prints "joined"), then on a line on stdin floods
 * it with 10,000 pointer moves a second over the WebSocket (prints "flooding") until its stdin
 * closes; then prints {sent, errorsBack} as JSON.
 * Used by robustness.ts:  node --import tsx src/floodClient.ts <port>
 */
import { createInterface } from 'node:readline';
import { TestSocket } from '@offload/testkit';

const port = Number(process.argv[2]);
const s = await TestSocket.hello(port);
const sessionId = await s.createSession();
const joined = await s.request('session/join', { sessionId });
if (!joined.ok) throw new Error('could not join the flooded session');

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
    s.send(
      `{"type":"input","event":{"type":"pointer","seq":${sent++},"ts":1,"action":"move","x":${x},"y":0.8}}`,
    );
  }
  await new Promise((r) => setTimeout(r, 10));
}
console.log(JSON.stringify({ sent, errorsBack: s.errors().length }));
s.close();
