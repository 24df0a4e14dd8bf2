import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseDuration, signToken, verifyToken } from './tokens.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123';
const opts = { maxTtlS: 3600 };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

/** A token signed with SECRET but with claims of our choosing (what a forger with the key could make). */
function raw(claims: Record<string, unknown>, secret = SECRET) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('tokens', () => {
  it('round-trips role, session and name', async () => {
    const t = await signToken(SECRET, { role: 'controller', sid: 's1', sub: 'Ann' }, 600);
    const c = await verifyToken(SECRET, t, opts);
    expect(c).toMatchObject({ role: 'controller', sid: 's1', sub: 'Ann' });
    expect(c.exp - c.iat).toBe(600);
    const creator = await verifyToken(SECRET, await signToken(SECRET, { role: 'controller' }, 60), opts);
    expect(creator.sid).toBeUndefined();
    // Every token has an id of its own, even two minted alike in the same second.
    const again = await verifyToken(SECRET, await signToken(SECRET, { role: 'controller' }, 60), opts);
    expect(creator.jti).toMatch(/^[\w-]{16}$/);
    expect(again.jti).not.toBe(creator.jti);
  });

  it('refuses expired tokens as token-expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const t = await raw({ role: 'viewer', sid: 's', iss: 'offload', iat: now - 100, exp: now - 10 });
    expect(await codeOf(verifyToken(SECRET, t, opts))).toBe('token-expired');
  });

  it('refuses a wrong secret, garbage, another issuer, alg none, and missing claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { role: 'viewer', sid: 's', iss: 'offload', iat: now, exp: now + 60 };
    expect(await codeOf(verifyToken(SECRET, await raw(good, `${SECRET}x`), opts))).toBe('unauthorized');
    expect(await codeOf(verifyToken(SECRET, 'not.a.jwt', opts))).toBe('unauthorized');
    expect(await codeOf(verifyToken(SECRET, await raw({ ...good, iss: 'evil' }), opts))).toBe('unauthorized');
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    const body = Buffer.from(JSON.stringify(good)).toString('base64url');
    expect(await codeOf(verifyToken(SECRET, `${header}.${body}.`, opts))).toBe('unauthorized');
    const { exp: _exp, ...noExp } = good;
    expect(await codeOf(verifyToken(SECRET, await raw(noExp), opts))).toBe('unauthorized');
    expect(await codeOf(verifyToken(SECRET, await raw({ ...good, role: 'admin' }), opts))).toBe(
      'unauthorized',
    );
    // A viewer token must name its session.
    const { sid: _sid, ...noSid } = good;
    expect(await codeOf(verifyToken(SECRET, await raw(noSid), opts))).toBe('unauthorized');
    expect(await codeOf(verifyToken(SECRET, await raw(good), opts))).toBe('no error');
  });

  it('refuses tokens that live longer than allowed, even when validly signed', async () => {
    const t = await signToken(SECRET, { role: 'viewer', sid: 's' }, 7200);
    expect(await codeOf(verifyToken(SECRET, t, opts))).toBe('unauthorized');
    const now = Math.floor(Date.now() / 1000);
    // Backdating iat into the future would stretch the lifetime past the check.
    const future = await raw({ role: 'viewer', sid: 's', iss: 'offload', iat: now + 3000, exp: now + 3600 });
    expect(await codeOf(verifyToken(SECRET, future, opts))).toBe('unauthorized');
  });

  it('checks its arguments when signing', async () => {
    await expect(signToken('short', { role: 'controller' }, 60)).rejects.toThrow(TypeError);
    await expect(signToken(SECRET, { role: 'viewer' }, 60)).rejects.toThrow(TypeError);
    await expect(signToken(SECRET, { role: 'controller' }, 0)).rejects.toThrow(TypeError);
  });

  it('parses durations', () => {
    expect([
      parseDuration('90'),
      parseDuration('90s'),
      parseDuration('15m'),
      parseDuration('1h'),
      parseDuration('2d'),
    ]).toEqual([90, 90, 900, 3600, 172_800]);
    expect(() => parseDuration('1 week')).toThrow(TypeError);
  });
});
