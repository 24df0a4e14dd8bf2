import { describe, expect, it } from 'vitest';
import { cspRefusals, diagnoseSignaling } from './authCheck';

const answer = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('diagnoseSignaling', () => {
  it('turns a 401 or 403 from /api/auth-check into a typed error', async () => {
    const expired = await diagnoseSignaling(
      'ws://a/ws?token=t',
      answer(401, { error: { code: 'token-expired', message: 'expired' } }),
    );
    expect([expired?.code, expired?.message]).toEqual(['token-expired', 'expired']);
    expect((await diagnoseSignaling('ws://a/ws', answer(403, {})))?.code).toBe('not-allowed');
  });

  it('has nothing to add when the check passes or the server is down', async () => {
    expect(await diagnoseSignaling('ws://a/ws', answer(200, { ok: true }))).toBeNull();
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await diagnoseSignaling('ws://a/ws', down)).toBeNull();
  });

  it("says so when the page's own CSP refused the server (a ?server= it does not list)", async () => {
    const events = new EventTarget();
    const refused = cspRefusals(events as unknown as Document);
    const violation = (directive: string, blockedURI: string) =>
      events.dispatchEvent(
        Object.assign(new Event('securitypolicyviolation'), { effectiveDirective: directive, blockedURI }),
      );
    const blocked = (async () => {
      // The browser refuses the fetch, and reports why a moment later.
      setTimeout(() => violation('connect-src', 'http://127.0.0.2:9/api/auth-check'), 10);
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    violation('connect-src', 'ws://10.0.0.1:8080/ws');
    violation('img-src', 'http://127.0.0.3:9/x.png');
    const why = await diagnoseSignaling('ws://127.0.0.2:9/ws', blocked, refused);
    expect(why?.code).toBe('server-not-allowed');
    expect(why?.userText).toMatch(/may not connect to that server/);
    // The socket's refusal (ws:) counts for its origin; other directives do not.
    expect(refused('http://10.0.0.1:8080')).toBe(true);
    expect(refused('http://127.0.0.3:9')).toBe(false);
    // A server that is merely down is still "unreachable", not refused.
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await diagnoseSignaling('ws://127.0.0.4:9/ws', down, refused)).toBeNull();
  });
});
