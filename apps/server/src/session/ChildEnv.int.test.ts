import { readFileSync } from 'node:fs';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { descendants, isXServer } from '../util/procfs.js';

const CANARY = 'canary-secret-0123456789abcdef-0123456789';

/**
 * The app browser, its X server and the video sender do not inherit the server's secrets:
 * with OFFLOAD_AUTH_SECRET and OFFLOAD_API_KEY in the server's environment, none of a
 * session's helper processes has them (read from /proc/<pid>/environ).
 */
describe("helper processes' environment", () => {
  let server: Offload;
  const saved = { secret: process.env.OFFLOAD_AUTH_SECRET, key: process.env.OFFLOAD_API_KEY };

  beforeAll(async () => {
    process.env.OFFLOAD_AUTH_SECRET = CANARY;
    process.env.OFFLOAD_API_KEY = CANARY;
    server = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    for (const [k, v] of [
      ['OFFLOAD_AUTH_SECRET', saved.secret],
      ['OFFLOAD_API_KEY', saved.key],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('holds no secret of the server in any app, X server or sender process', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    expect((await s.request('session/join', { sessionId })).ok).toBe(true);
    const helpers = descendants(process.pid).filter(
      (p) => isXServer(p.comm) || p.comm.startsWith('chrom') || p.comm === 'python3',
    );
    expect(helpers.some((p) => p.comm.startsWith('chrom'))).toBe(true);
    expect(helpers.some((p) => p.comm === 'python3')).toBe(true);
    expect(helpers.some((p) => isXServer(p.comm))).toBe(true);
    const leaking = helpers.filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'latin1').includes(CANARY);
      } catch {
        return false; // exited meanwhile
      }
    });
    expect(leaking.map((p) => `${p.comm}(${p.pid})`)).toEqual([]);
    // (Children spawned with the server's own environment would have them: it was set above.)
    expect(process.env.OFFLOAD_AUTH_SECRET).toBe(CANARY);
    s.close();
  });
});
