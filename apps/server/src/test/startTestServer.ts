import os from 'node:os';
import path from 'node:path';
import { TestSocket } from '@offload/testkit/socket';
import { loadConfig } from '../config.js';
import { Offload } from '../Offload.js';

/**
 * RTC ports of test servers: above Linux's ephemeral range (32768–60999 by default), where
 * no outgoing connection of another process (a browser, a CDP pipe's peer…) can hold one.
 */
const RTC_PORTS = { first: 61000, count: 4000 };

/** A real server on a free port: real workers, real app runtimes, debug read-back on. */
export async function startTestServer(env: Record<string, string> = {}): Promise<Offload> {
  for (let attempt = 0; ; attempt++) {
    // Away from the default ports, so a developer's running server does not collide.
    const rtcPort = RTC_PORTS.first + ((process.pid * 7 + attempt * 997) % RTC_PORTS.count);
    try {
      return await Offload.start(
        loadConfig({
          OFFLOAD_PORT: '0',
          OFFLOAD_WORKERS: '1',
          OFFLOAD_RTC_PORT: String(rtcPort),
          OFFLOAD_DEBUG: '1',
          OFFLOAD_CODECS: 'h264',
          // The resume-token key of test servers stays out of the user's home.
          OFFLOAD_STATE_DIR: path.join(os.tmpdir(), 'offload-test-state'),
          // No warm app runtime unless a test asks: each one is a Chromium on a shared machine.
          OFFLOAD_WARM_RUNTIMES: '0',
          // The test runner's own thread must not run real-time (e2e runs the default).
          OFFLOAD_RT_PRIORITY: '0',
          ...env,
        }),
      );
    } catch (err) {
      // The port is held (another server of this run still closing): try another.
      if (attempt >= 4 || env.OFFLOAD_RTC_PORT || !/address already in use/.test(String(err))) throw err;
    }
  }
}

/**
 * A new session on `server` with a viewer joined over signaling, its video sources started:
 * the socket (close it when done), the session's id and the session.
 */
export async function joinedSession(server: Offload) {
  const socket = await TestSocket.hello(server.port);
  const sessionId = await socket.createSession();
  const joined = await socket.request('session/join', { sessionId });
  if (!joined.ok) throw new Error(`session/join failed: ${joined.error.message}`);
  const session = server.sessions.get(sessionId);
  const sources = await session.videoSources();
  return { socket, sessionId, session, sources };
}
