import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OffloadError } from '@offload/protocol';

/** What a resume token stands for: one participant's place in one session. */
export interface ResumeClaims {
  /** Session id. */
  sid: string;
  /** The participant's viewer id, kept across resumes. */
  vid: string;
  /** Whether it may hold control (it joined with a controller token, or in open mode). */
  ctl: boolean;
  /** Its display name, if its token had one. */
  name?: string;
  /** The page the session's app opened, if not the server's own (to re-create the session). */
  url?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** This token's id: each resume rotates it (see ResumeTokens.redeem). */
  jti?: string;
}

/**
 * Signed, expiring tokens that let a client take its place in a session again: after its
 * socket dropped, after the session's media restarted, or after the server itself restarted
 * in place (so the key must outlive the process — see loadServerKey). Format:
 * base64url(JSON claims) "." base64url(HMAC-SHA256(key, claims)). They grant nothing a
 * client could not do before: rejoin the session it was in, as who it was.
 *
 * Each is good for one resume: a resume answers with a fresh token, and once that one has been
 * used the one before it no longer works — a token copied from a log or a shoulder is dead as
 * soon as its owner has resumed past it. (The token presented stays good until its successor
 * is used: a client whose resume answer was lost can try again with it.) The ledger of which
 * tokens are live is in memory: after a restart in place, any unexpired token resumes once.
 */
export class ResumeTokens {
  readonly #key: Buffer;
  /** Per place (session + viewer): the ids of the tokens that may resume it, and until when. */
  readonly #live = new Map<string, { ids: string[]; exp: number }>();

  constructor(
    key: Buffer,
    readonly ttlS: number,
  ) {
    if (key.length < 32) throw new TypeError('resume token key must have at least 32 bytes');
    this.#key = key;
  }

  /**
   * A token for a place. `replaces`: the id of the token this one answers a resume with (it
   * stays good until the new one is used); otherwise only the new one is good.
   */
  issue(c: Omit<ResumeClaims, 'exp' | 'jti'>, nowMs = Date.now(), replaces?: string): string {
    const claims: ResumeClaims = {
      ...c,
      exp: Math.floor(nowMs / 1000) + this.ttlS,
      jti: randomBytes(12).toString('base64url'),
    };
    const key = `${c.sid}\u0000${c.vid}`;
    this.#live.delete(key);
    this.#live.set(key, { ids: replaces ? [claims.jti!, replaces] : [claims.jti!], exp: claims.exp });
    this.#prune(nowMs);
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The token's claims; a typed `not-allowed` error if it is forged, malformed or expired. */
  verify(token: string, nowMs = Date.now()): ResumeClaims {
    const invalid = (why: string) => new OffloadError('not-allowed', `Cannot resume: ${why}; join again.`);
    const dot = token.indexOf('.');
    if (dot <= 0) throw invalid('the resume token is malformed');
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected))
      throw invalid('the resume token is not valid on this server');
    let claims: Partial<ResumeClaims>;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid('the resume token is malformed');
    }
    if (
      typeof claims.sid !== 'string' ||
      typeof claims.vid !== 'string' ||
      typeof claims.ctl !== 'boolean' ||
      typeof claims.exp !== 'number' ||
      (claims.name !== undefined && typeof claims.name !== 'string') ||
      (claims.url !== undefined && typeof claims.url !== 'string') ||
      (claims.jti !== undefined && typeof claims.jti !== 'string')
    )
      throw invalid('the resume token is malformed');
    if (claims.exp * 1000 < nowMs) throw invalid('the resume token has expired');
    return claims as ResumeClaims;
  }

  /**
   * Throws a typed `not-allowed` error if a newer token of the same place has been used since
   * this one was issued. Changes nothing: only the next issue() does.
   */
  redeem(claims: ResumeClaims): void {
    const live = this.#live.get(`${claims.sid}\u0000${claims.vid}`);
    // Unknown place: issued before a restart in place (or expired from the ledger): good once.
    if (!live) return;
    if (claims.jti === undefined || !live.ids.includes(claims.jti))
      throw new OffloadError(
        'not-allowed',
        'Cannot resume: this resume token was already used and replaced by a newer one; join again.',
      );
  }

  /** Forgets places whose tokens have all expired (oldest first: they were set in order). */
  #prune(nowMs: number): void {
    const now = nowMs / 1000;
    for (const [k, v] of this.#live) {
      if (v.exp >= now) break;
      this.#live.delete(k);
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

/**
 * The server's signing key: from `secret` if configured, else a random key kept in
 * `stateDir/server.key` (created on first start, mode 0600), so tokens survive a restart of
 * the server on this host.
 */
export function loadServerKey(secret: string | undefined, stateDir: string): Buffer {
  if (secret) return createHmac('sha256', 'offload-resume').update(secret).digest();
  const file = path.join(stateDir, 'server.key');
  try {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length >= 32) return key;
  } catch {
    // Not there yet: make one.
  }
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    // Another server on this host wrote it first: use theirs.
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  }
}
