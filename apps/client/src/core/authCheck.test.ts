import { describe, expect, it } from 'vitest';
import { diagnoseSignaling } from './authCheck';

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
});
