import type http from 'node:http';
import { OffloadError } from '@offload/protocol';
import type { Auth } from '../auth/Auth.js';
import { parseDuration } from '../auth/tokens.js';
import { moduleLogger } from '../logger.js';
import type { UrlPolicy } from '../runtime/urlPolicy.js';
import type { SessionManager } from '../session/SessionManager.js';
import { sameSecret } from '../util/sameSecret.js';

const log = moduleLogger('auth-api');

export interface AuthApiOptions {
  auth: Auth;
  sessions: SessionManager;
  urlPolicy: UrlPolicy;
  /** Bearer key for POST /api/sessions; undefined: that endpoint answers 404. */
  apiKey: string | undefined;
  /** Base of the player links returned; default http://<Host header>/. */
  publicUrl: string | undefined;
}

/** Default lifetime of the tokens POST /api/sessions mints (s), capped by the server's maximum. */
const DEFAULT_TTL_S = 3600;
const MAX_BODY_BYTES = 8 * 1024;

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra });
  res.end(JSON.stringify(body));
}

const errorBody = (e: OffloadError) => ({ error: e.toWire() });

/** Whether the request carries `key` as its bearer token (Authorization: Bearer <key>). */
export function holdsKey(req: http.IncomingMessage, key: string): boolean {
  const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  return given !== undefined && sameSecret(given, key);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new OffloadError('too-large', 'The request body is too large.');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new OffloadError('bad-json', 'The request body must be a JSON object.');
}

/**
 * `GET /api/auth-check?token=` tells a player whose WebSocket failed why (a browser sees no
 * status for a refused upgrade): 200 with the claims, or 401 with `unauthorized` /
 * `token-expired`. `POST /api/sessions` is for an operator's backend: it creates a session
 * and returns tokens and links for one controller and for viewers. Returns false for other paths.
 */
export function handleAuthApi(
  o: AuthApiOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): boolean {
  if (url.pathname === '/api/auth-check') {
    authCheck(o, req, res, url).catch((err: unknown) => {
      log.error({ err }, 'GET /api/auth-check failed');
      if (!res.headersSent)
        json(res, 500, errorBody(new OffloadError('internal', 'The token could not be checked.')));
    });
    return true;
  }
  // GET /api/sessions is the debug listing (HttpServer).
  if (url.pathname === '/api/sessions' && req.method !== 'GET') {
    if (!o.apiKey) {
      json(res, 404, { error: 'not found' });
      return true;
    }
    void createSession(o, req, res).catch((err: unknown) => {
      const e =
        err instanceof OffloadError ? err : new OffloadError('internal', 'The session could not be created.');
      if (!(err instanceof OffloadError)) log.error({ err }, 'POST /api/sessions failed');
      const status =
        e.code === 'at-capacity' ? 503 : e.code === 'internal' || e.code === 'runtime-failed' ? 500 : 400;
      if (!res.headersSent) json(res, status, errorBody(e));
    });
    return true;
  }
  return false;
}

async function authCheck(o: AuthApiOptions, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  if (!o.auth.originAllowed(req)) {
    return json(
      res,
      403,
      errorBody(new OffloadError('not-allowed', 'Pages from this origin may not connect.')),
    );
  }
  // A player embedded on an allowed origin (?server=) must be able to read the answer.
  const cors: Record<string, string> = req.headers.origin
    ? { 'access-control-allow-origin': req.headers.origin, vary: 'Origin' }
    : {};
  if (o.auth.open) return json(res, 200, { ok: true, mode: 'open' }, cors);
  const token = url.searchParams.get('token');
  if (!token)
    return json(res, 401, errorBody(new OffloadError('unauthorized', 'An access token is required.')));
  try {
    const c = await o.auth.verify(token);
    json(res, 200, { ok: true, mode: 'token', role: c.role, sid: c.sid ?? null, exp: c.exp });
  } catch (err) {
    json(res, 401, errorBody(err as OffloadError));
  }
}

async function createSession(o: AuthApiOptions, req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.method !== 'POST') return json(res, 405, { error: 'use POST' }, { allow: 'POST' });
  if (!holdsKey(req, o.apiKey!)) {
    return json(
      res,
      401,
      errorBody(new OffloadError('unauthorized', 'A valid API key (Authorization: Bearer) is required.')),
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
  const body = await readJson(req);
  if (body.url !== undefined && typeof body.url !== 'string')
    throw new OffloadError('invalid-message', '"url" must be a string.');
  if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 128))
    throw new OffloadError('invalid-message', '"name" must be a string (≤ 128 characters).');
  let ttlS = DEFAULT_TTL_S;
  if (body.ttl !== undefined) {
    try {
      ttlS = typeof body.ttl === 'number' ? body.ttl : parseDuration(String(body.ttl));
    } catch (err) {
      throw new OffloadError('invalid-message', (err as Error).message);
    }
    if (!Number.isInteger(ttlS) || ttlS <= 0)
      throw new OffloadError('invalid-message', '"ttl" must be positive.');
    if (ttlS > o.auth.maxTtlS)
      throw new OffloadError(
        'invalid-message',
        `"ttl" is longer than this server allows (${o.auth.maxTtlS} s).`,
      );
  }
  // The links' base first: a request that cannot be answered must not start a session.
  let base: URL;
  try {
    base = new URL(o.publicUrl ?? `http://${req.headers.host ?? '127.0.0.1'}/`);
  } catch {
    throw new OffloadError('bad-request', 'The Host header is not a host name (or set OFFLOAD_PUBLIC_URL).');
  }
  const url = body.url === undefined ? undefined : (await o.urlPolicy.assertAllowed(body.url)).href;
  const session = await o.sessions.create({ url });
  const name = body.name as string | undefined;
  const controllerToken = await o.auth.mint({ role: 'controller', sid: session.id, sub: name }, ttlS);
  const viewerToken = await o.auth.mint({ role: 'viewer', sid: session.id }, ttlS);
  const link = (token: string) => {
    const u = new URL(base);
    u.searchParams.set('session', session.id);
    u.searchParams.set('token', token);
    return u.href;
  };
  log.info({ sessionId: session.id }, 'session created through the API');
  json(res, 201, {
    sessionId: session.id,
    controllerToken,
    viewerToken,
    controllerUrl: link(controllerToken),
    viewerUrl: link(viewerToken),
    expiresAt: new Date((Math.floor(Date.now() / 1000) + ttlS) * 1000).toISOString(),
  });
}
