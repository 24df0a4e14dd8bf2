import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerKey, ResumeTokens } from './ResumeTokens.js';

const key = Buffer.alloc(32, 7);

describe('ResumeTokens', () => {
  it('round-trips the session and viewer id', () => {
    const t = new ResumeTokens(key, 60);
    expect(
      t.verify(t.issue({ sid: 's1', vid: 'v1', ctl: false, name: 'ann' }, 1_000_000), 1_000_000),
    ).toEqual({
      sid: 's1',
      vid: 'v1',
      ctl: false,
      name: 'ann',
      exp: 1060,
      jti: expect.any(String),
    });
  });

  it('rotates: a token is good until the one issued for its resume has been used', () => {
    const t = new ResumeTokens(key, 60);
    const place = { sid: 's1', vid: 'v1', ctl: false };
    const use = (token: string) => t.redeem(t.verify(token, 0));
    const a = t.issue(place, 0);
    expect(() => use(a)).not.toThrow();
    // Resumed with a: b answers it. Until b is used, a still works (an answer can be lost).
    const b = t.issue(place, 0, t.verify(a, 0).jti);
    expect(() => use(a)).not.toThrow();
    expect(() => use(b)).not.toThrow();
    // Resumed with b: c answers it. a is dead now; b lives until c is used.
    const c = t.issue(place, 0, t.verify(b, 0).jti);
    expect(() => use(a)).toThrow(
      expect.objectContaining({ code: 'not-allowed', message: expect.stringMatching(/already used/) }),
    );
    expect(() => use(b)).not.toThrow();
    expect(() => use(c)).not.toThrow();
    // A fresh join of the same place: only its token works.
    const d = t.issue(place, 0);
    for (const old of [b, c]) expect(() => use(old)).toThrow(/already used/);
    expect(() => use(d)).not.toThrow();
    // Another place, or a place this server has not issued for (a restart in place): good.
    expect(() => use(t.issue({ ...place, vid: 'v2' }, 0))).not.toThrow();
    expect(() => use(new ResumeTokens(key, 60).issue({ ...place, vid: 'v3' }, 0))).not.toThrow();
  });

  it('rejects expired, forged, tampered and malformed tokens with a typed error', () => {
    const t = new ResumeTokens(key, 60);
    const token = t.issue({ sid: 's1', vid: 'v1', ctl: true }, 0);
    expect(() => t.verify(token, 61_000)).toThrow(/expired/);
    expect(() => new ResumeTokens(Buffer.alloc(32, 8), 60).verify(token, 0)).toThrow(/not valid/);
    const [body, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ sid: 's2', vid: 'v1', ctl: true, exp: 60 })).toString(
      'base64url',
    );
    expect(() => t.verify(`${other}.${mac}`, 0)).toThrow(/not valid/);
    for (const bad of ['', '.', 'abc', `${body}.`, `.${mac}`, 'a.b.c'])
      expect(() => t.verify(bad, 0)).toThrow(expect.objectContaining({ code: 'not-allowed' }));
  });

  it('keeps its key in the state folder across restarts, or derives it from a configured secret', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offload-key-'));
    const a = loadServerKey(undefined, dir);
    expect(loadServerKey(undefined, dir)).toEqual(a);
    expect(fs.statSync(path.join(dir, 'server.key')).mode & 0o777).toBe(0o600);
    expect(loadServerKey('x'.repeat(32), dir)).not.toEqual(a);
    expect(loadServerKey('x'.repeat(32), dir)).toEqual(loadServerKey('x'.repeat(32), dir));
    fs.rmSync(dir, { recursive: true });
  });
});
