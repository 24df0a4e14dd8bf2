import { randomBytes } from 'node:crypto';
import { OffloadError } from '@offload/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Issuer of every Offload token; a token from another issuer is refused. */
export const TOKEN_ISSUER = 'offload';
/** Shortest secret accepted (characters): HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

/** What a token grants. */
export interface TokenClaims {
  /** 'controller': may create a session (without `sid`) and hold control; 'viewer': watch only. */
  role: 'controller' | 'viewer';
  /** The session the token is for; absent: the bearer may create a new session (controller only). */
  sid?: string;
  /** Display name shown to the other participants. */
  sub?: string;
  /** Expiry and issue time, s since the epoch. */
  exp: number;
  iat: number;
  /** The token's own id (every token Offload mints has one). */
  jti?: string;
}

export interface TokenRequest {
  role: 'controller' | 'viewer';
  sid?: string;
  sub?: string;
}

const encoder = new TextEncoder();
const key = (secret: string) => encoder.encode(secret);

/** Signs a token (HS256) valid for `ttlS` seconds. */
export async function signToken(secret: string, claims: TokenRequest, ttlS: number): Promise<string> {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new TypeError(`the secret must have ≥ ${MIN_SECRET_LENGTH} characters`);
  if (!Number.isInteger(ttlS) || ttlS <= 0)
    throw new TypeError(`ttlS must be a positive integer, got ${ttlS}`);
  if (claims.role === 'viewer' && !claims.sid) throw new TypeError('a viewer token needs a session id (sid)');
  const jwt = new SignJWT({ role: claims.role, ...(claims.sid ? { sid: claims.sid } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt()
    .setJti(randomBytes(12).toString('base64url'))
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS);
  if (claims.sub) jwt.setSubject(claims.sub);
  return jwt.sign(key(secret));
}

export interface VerifyOptions {
  /** Longest lifetime (exp − iat, s) accepted: a longer-lived token is refused even if signed. */
  maxTtlS: number;
}

/**
 * Verifies signature (HS256 only), issuer and expiry, and that the token is not longer-lived
 * than allowed. Throws OffloadError 'token-expired' or 'unauthorized'.
 */
export async function verifyToken(secret: string, jwt: string, o: VerifyOptions): Promise<TokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, key(secret), {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      throw new OffloadError('token-expired', 'The access token has expired; ask for a new link.');
    }
    throw new OffloadError('unauthorized', `The access token is not valid (${tokenProblem(err)}).`);
  }
  const { role, sid, sub, exp, iat, jti } = payload;
  if (role !== 'controller' && role !== 'viewer') throw invalid('unknown role');
  if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0 || sid.length > 64))
    throw invalid('bad session id');
  if (role === 'viewer' && sid === undefined) throw invalid('a viewer token must name a session');
  if (sub !== undefined && (typeof sub !== 'string' || sub.length > 128)) throw invalid('bad subject');
  if (typeof exp !== 'number' || typeof iat !== 'number') throw invalid('no exp/iat');
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > 64))
    throw invalid('bad token id');
  if (exp - iat > o.maxTtlS) throw invalid(`lives longer than the allowed ${o.maxTtlS} s`);
  // A token "issued" in the future (beyond clock skew) would extend its life past maxTtlS.
  if (iat > Date.now() / 1000 + 60) throw invalid('issued in the future');
  return {
    role,
    exp,
    iat,
    ...(sid ? { sid } : {}),
    ...(sub ? { sub } : {}),
    ...(jti ? { jti } : {}),
  } as TokenClaims;
}

function invalid(why: string): OffloadError {
  return new OffloadError('unauthorized', `The access token is not valid (${why}).`);
}

function tokenProblem(err: unknown): string {
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JOSEError) return err.code;
  return 'malformed';
}

/** Parses "90", "90s", "15m", "1h", "2d" into seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new TypeError(`not a duration: "${text}" (use e.g. 90s, 15m, 1h, 2d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
