import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { playerCsp } from './HttpServer.js';

describe('response headers', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({
      OFFLOAD_ALLOWED_ORIGINS: 'https://embedder.example',
      OFFLOAD_PLAYER_SERVERS: 'other.example:8443',
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('sends nosniff and no-referrer on every response', async () => {
    for (const path of ['/', '/healthz', '/demo/', '/api/auth-check', '/nope/x.js']) {
      const r = await get(path);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('serves the player with a CSP that lets only the allowed origins frame it', async () => {
    const csp = (await get('/?session=x')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'self' https://embedder.example");
    // The player connects to this server, and to the listed ones only (?server=).
    expect(csp).toContain(
      "connect-src 'self' http://other.example:8443 https://other.example:8443 ws://other.example:8443 wss://other.example:8443;",
    );
    // The JSON endpoints are no page: no CSP needed there.
    expect((await get('/healthz')).headers.get('content-security-policy')).toBeNull();
  });

  it("frames the player anywhere only when any origin is allowed, and on this server's own pages otherwise", () => {
    expect(playerCsp(['*'])).toContain('frame-ancestors *');
    expect(playerCsp(undefined)).toMatch(/frame-ancestors 'self'$/);
    expect(playerCsp(undefined)).not.toContain("'unsafe-eval'");
    expect(playerCsp(undefined)).toContain("connect-src 'self';");
  });
});
