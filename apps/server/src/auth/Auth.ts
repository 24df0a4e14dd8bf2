import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OffloadError } from '@offload/protocol';
import { HostCheck, hostRefused } from '../http/hostCheck.js';
import { badTarget, requestUrl } from '../http/requestUrl.js';
import { signToken, type TokenClaims, type TokenRequest, verifyToken } from './tokens.js';

export interface AuthOptions {
  /** HS256 key; undefined: open mode (no tokens; anyone reaching the port may create and join). */
  secret: string | undefined;
  /** Longest token lifetime accepted and minted (s). */
  maxTtlS: number;
  /** Origins whose pages may open the signaling socket besides the server's own; ['*']: any. */
  allowedOrigins?: string[];
  /** Host names clients may use besides IP literals and localhost (see HostCheck). */
  allowedHosts?: string[];
}

/** What a signaling connection was admitted with: the token's claims, or none in open mode. */
export interface ConnectionAuth {
  claims: TokenClaims | undefined;
  /** Which token it was (its jti, else a hash of it): a creator token starts one session only. */
  tokenId?: string;
}

export type UpgradeDecision =
  | { ok: true; auth: ConnectionAuth }
  | { ok: false; status: 400 | 401 | 403; error: OffloadError };

/**
 * Who may connect and what each connection may do. The WebSocket upgrade is refused (401)
 * without a valid token when a secret is configured, and (403) for a browser page from an
 * origin that is not allowed; afterwards the handlers ask here before creating, joining or
 * taking control.
 */
export class Auth {
  readonly #o: AuthOptions;
  readonly #origins: Set<string>;
  readonly #anyOrigin: boolean;
  readonly hosts: HostCheck;
  /** Creator tokens that have started their session (id → expiry, s), kept until they expire. */
  readonly #spent = new Map<string, number>();

  constructor(o: AuthOptions) {
    this.#o = o;
    this.hosts = new HostCheck(o.allowedHosts);
    this.#anyOrigin = o.allowedOrigins?.includes('*') ?? false;
    this.#origins = new Set(
      (o.allowedOrigins ?? []).filter((x) => x !== '*').map((x) => new URL(x).origin.toLowerCase()),
    );
  }

  /** No secret configured: no tokens, anyone reaching the port may create and join. */
  get open(): boolean {
    return this.#o.secret === undefined;
  }

  get maxTtlS(): number {
    return this.#o.maxTtlS;
  }

  /** Checks Origin (403) then the token (401) of a WebSocket upgrade, before the socket exists. */
  async admit(req: IncomingMessage): Promise<UpgradeDecision> {
    if (!this.hosts.allows(req.headers.host)) return { ok: false, status: 403, error: hostRefused() };
    if (!this.originAllowed(req)) {
      return {
        ok: false,
        status: 403,
        error: new OffloadError(
          'not-allowed',
          `Pages from ${req.headers.origin} may not connect to this server.`,
        ),
      };
    }
    if (this.open) return { ok: true, auth: { claims: undefined } };
    const url = requestUrl(req);
    if (!url) return { ok: false, status: 400, error: badTarget() };
    const token = url.searchParams.get('token');
    if (!token) {
      return {
        ok: false,
        status: 401,
        error: new OffloadError('unauthorized', 'An access token (?token=) is required.'),
      };
    }
    try {
      const claims = await this.verify(token);
      const tokenId = claims.jti ?? createHash('sha256').update(token).digest('base64url');
      return { ok: true, auth: { claims, tokenId } };
    } catch (err) {
      return { ok: false, status: 401, error: err as OffloadError };
    }
  }

  /**
   * Cross-site WebSocket hijacking is a browser attack, and browsers always send Origin: a
   * request without one (a native client, our tests) is let through; one with an Origin must
   * be the server's own (same host) or listed.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || this.#anyOrigin) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false; // includes "null" (sandboxed frames, file: pages)
    }
    if (parsed.host.toLowerCase() === (req.headers.host ?? '').toLowerCase()) return true;
    return this.#origins.has(parsed.origin.toLowerCase());
  }

  verify(token: string): Promise<TokenClaims> {
    if (!this.#o.secret) throw new TypeError('no secret configured (open mode)');
    return verifyToken(this.#o.secret, token, { maxTtlS: this.#o.maxTtlS });
  }

  mint(claims: TokenRequest, ttlS: number): Promise<string> {
    if (!this.#o.secret) throw new TypeError('no secret configured (open mode)');
    return signToken(this.#o.secret, claims, Math.min(ttlS, this.#o.maxTtlS));
  }

  /** session/create needs a controller token without a session (or open mode). */
  assertCanCreate(auth: ConnectionAuth): void {
    const c = this.#live(auth);
    if (!c) return;
    if (c.role !== 'controller' || c.sid !== undefined) {
      throw new OffloadError('not-allowed', 'This access token does not allow starting a new session.');
    }
  }

  /**
   * A creator token starts one session only (a link that leaked cannot start browsers without
   * end): takes the token's one start for a session/create about to run, or throws. The
   * returned function gives it back if that creation fails. Open mode: nothing to take.
   */
  takeCreation(auth: ConnectionAuth): () => void {
    const c = this.#live(auth);
    if (!c || !auth.tokenId) return () => {};
    const now = Date.now() / 1000;
    for (const [id, exp] of this.#spent) if (exp < now) this.#spent.delete(id);
    if (this.#spent.has(auth.tokenId))
      throw new OffloadError('not-allowed', 'This link has already started a session; ask for a new one.');
    const id = auth.tokenId;
    this.#spent.set(id, c.exp);
    return () => this.#spent.delete(id);
  }

  /** session/join needs a token for that session, or a creator token on the connection that created it. */
  assertCanJoin(auth: ConnectionAuth, sessionId: string, createdHere: boolean): void {
    const c = this.#live(auth);
    if (!c) return;
    if (c.sid === sessionId || (c.sid === undefined && createdHere)) return;
    throw new OffloadError('not-allowed', 'This access token is for another session.');
  }

  /** Whether the participant may hold control: a controller token, or anyone in open mode. */
  canControl(auth: ConnectionAuth): boolean {
    return auth.claims === undefined || auth.claims.role === 'controller';
  }

  /** The claims, refusing a token that expired since the socket opened (open mode: undefined). */
  #live(auth: ConnectionAuth): TokenClaims | undefined {
    if (this.open) return undefined;
    const c = auth.claims;
    if (!c) throw new OffloadError('unauthorized', 'An access token is required.');
    if (c.exp * 1000 <= Date.now()) {
      throw new OffloadError('token-expired', 'The access token has expired; ask for a new link.');
    }
    return c;
  }
}
