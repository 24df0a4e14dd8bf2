import { TestSocket } from './TestSocket.js';

/**
 * Creates a session over signaling, as the start page does, but without the client's 10 s
 * request timeout: starting an app takes longer than that when a shared box is loaded, and
 * tests and benchmarks care about what comes after. Resolves with the session id; the
 * session then waits its idle timeout for a viewer.
 */
export async function createSession(port: number, timeoutMs = 60_000): Promise<string> {
  const s = await TestSocket.hello(port);
  try {
    return await s.createSession(timeoutMs);
  } finally {
    s.close();
  }
}
