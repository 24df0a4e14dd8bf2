import os from 'node:os';
import path from 'node:path';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerKey, ResumeTokens } from '../auth/ResumeTokens.js';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

/**
 * A resume that re-creates a session (the server restarted in place) opens the session's page
 * only if this server's URL policy still allows it: a resume token names the page, and the
 * policy may have changed since it was issued (or the token come from a server that allowed
 * more).
 */
describe('resume and the URL policy', () => {
  let server: Offload;
  let tokens: ResumeTokens;

  beforeAll(async () => {
    server = await startTestServer();
    // The test server's resume key (open mode: kept in its state folder).
    tokens = new ResumeTokens(loadServerKey(undefined, path.join(os.tmpdir(), 'offload-test-state')), 600);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('refuses to re-create a session on a page the policy does not allow, and starts nothing', async () => {
    const s = await TestSocket.hello(server.port);
    const resumeToken = tokens.issue({
      sid: 'gone-session',
      vid: 'v1',
      ctl: true,
      url: 'http://127.0.0.1:1/',
    });
    const r = await s.request('session/resume', { sessionId: 'gone-session', resumeToken });
    expect(r.ok || r.error.code).toBe('url-not-allowed');
    expect(server.sessions.sessions.size).toBe(0);
    s.close();
  });
});
