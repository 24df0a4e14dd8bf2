import { PROTOCOL_VERSION } from '@offload/protocol';
import { WebSocket } from 'ws';

/**
 * Creates a session over signaling, as the start page does, but without the client's 10 s
 * request timeout: starting an app takes longer than that when a shared box is loaded, and
 * tests and benchmarks care about what comes after. Resolves with the session id; the
 * session then waits its idle timeout for a viewer.
 */
export async function createSession(port: number, timeoutMs = 60_000): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const request = (id: number, type: string, body: Record<string, unknown> = {}) =>
      new Promise<{ ok: boolean; data?: { sessionId?: string }; error?: { message: string } }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`"${type}" timed out`)), timeoutMs);
          const onMessage = (d: Buffer) => {
            const m = JSON.parse(d.toString());
            if (m.type !== 'response' || m.id !== id) return;
            clearTimeout(timer);
            ws.off('message', onMessage);
            resolve(m);
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ type, id, ...body }));
        },
      );
    await request(1, 'hello', { protocolVersion: PROTOCOL_VERSION });
    const r = await request(2, 'session/create');
    if (!r.ok || !r.data?.sessionId) throw new Error(`session/create failed: ${r.error?.message}`);
    return r.data.sessionId;
  } finally {
    ws.close();
  }
}
