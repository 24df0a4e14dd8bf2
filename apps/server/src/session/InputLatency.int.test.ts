import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

type Segments = { inject: number; renderCapture: number; encode: number };

/**
 * The server half of input-to-photon, for real: each injected input gets a marker id, the
 * page's marker script reports when the app handled it, the GStreamer sender reads the marker
 * back from captured frames. Every tap must come back as a timing, in causal order.
 */
describe('server-side input timing', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('times every tap from receipt to encoded frame', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    await s.request('session/join', { sessionId });
    const session = server.sessions.get(sessionId);
    const timings: Segments[] = [];
    session.observer.on('input-timing', (t) => timings.push(t));

    const send = (seq: number, action: string, touches: unknown[]) =>
      s.send(JSON.stringify({ type: 'input', event: { type: 'touch', seq, ts: 1, action, touches } }));
    const TAPS = 5;
    for (let i = 0; i < TAPS; i++) {
      send(2 * i, 'start', [{ id: 1, x: 0.5, y: 0.25 }]);
      // Every other tap is as quick as a script's: both halves may land in one frame.
      if (i % 2) await new Promise((r) => setTimeout(r, 150));
      send(2 * i + 1, 'end', []);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Both halves of every tap take effect (pointerdown, pointerup) and get a timing.
    await expect.poll(() => timings.length, { timeout: 10_000 }).toBe(2 * TAPS);
    expect((await session.runtime.appState()) as { count: number }).toMatchObject({ count: TAPS });
    for (const t of timings) {
      expect(t.inject).toBeGreaterThanOrEqual(0);
      expect(t.renderCapture).toBeGreaterThan(0);
      expect(t.encode).toBeGreaterThanOrEqual(0);
      // Loose sanity bounds (a loaded 2-core box): a second would mean the wrong frame.
      expect(t.inject + t.renderCapture + t.encode).toBeLessThan(1000);
    }
    s.close();
  });
});
