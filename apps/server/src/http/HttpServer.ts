import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OffloadError } from '@offload/protocol';
import sirv from 'sirv';
import { handleDebug } from '../debug/debugRoutes.js';
import { moduleLogger } from '../logger.js';
import type { Metrics } from '../metrics/Metrics.js';
import type { SessionManager } from '../session/SessionManager.js';
import { type AuthApiOptions, handleAuthApi, holdsKey } from './authApi.js';
import { HostCheck, hostRefused } from './hostCheck.js';
import { endWithError } from './rawResponse.js';
import { badTarget, requestUrl } from './requestUrl.js';

const log = moduleLogger('http');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DEFAULT_CLIENT_DIR = path.join(repoRoot, 'apps/client/dist');
/** The embedding SDK's build (packages/embed), served at /sdk/. */
export const SDK_DIR = path.join(repoRoot, 'packages/embed/dist');
export const DEMO_APP_DIR = path.join(repoRoot, 'apps/demo-app/public');

export interface HttpOptions {
  sessions: SessionManager;
  metrics: Metrics;
  clientDir: string;
  debug: boolean;
  /** Extra fields for /healthz (e.g. workers alive). */
  health: () => Record<string, unknown>;
  /** /api/auth-check and POST /api/sessions. */
  authApi?: Omit<AuthApiOptions, 'sessions'>;
  /** The embedding SDK's files, served at /sdk/ (default: packages/embed/dist). */
  sdkDir?: string;
  /** Origins whose pages may embed the player (OFFLOAD_ALLOWED_ORIGINS); undefined: this server's own only; ['*']: any. */
  allowedOrigins?: string[];
  /** Other servers the player may be pointed at with ?server= (host[:port]). */
  playerServers?: string[];
  /** Which Host names are answered (DNS rebinding); default: IP literals and localhost only. */
  hosts?: HostCheck;
  /** With an API key configured, /debug/* and the session listing need it too (Bearer). */
  debugKey?: string;
  /** The node-to-node API under /internal/v1 (cluster/InternalApi.ts); absent when clustering is off. */
  internalApi?: { handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean };
}

/**
 * The player's Content-Security-Policy: its scripts, styles and images from this server only,
 * no plugins, no <base> or form tricks; connections to this server and to the servers listed
 * for ?server= only (so a link cannot point the player, on this trusted origin, at a server
 * that would show a fake app and read what the user types); framed only by the allowed origins.
 */
export function playerCsp(allowedOrigins: string[] | undefined, playerServers: string[] = []): string {
  const ancestors = allowedOrigins?.includes('*') ? '*' : ["'self'", ...(allowedOrigins ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Inline style attributes (layout computed in React, the HUD's charts).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    [
      "connect-src 'self'",
      ...playerServers.flatMap((h) => ['http', 'https', 'ws', 'wss'].map((p) => `${p}://${h}`)),
    ].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Serves the thin client (a single-page app), the built-in demo app under /demo/,
 * /healthz and /metrics (Prometheus). With debug on, /api/sessions lists sessions (id, state,
 * viewers, createdAt), /debug/sessions/:id describes a session,
 * /debug/sessions/:id/app-state reads the app's own state back, and POST/DELETE
 * /debug/sessions/:id/plain-receivers?count=N&port=P adds/removes benchmark receivers.
 */
export function createHttpServer(o: HttpOptions): http.Server {
  const clientBuilt = existsSync(path.join(o.clientDir, 'index.html'));
  const client = clientBuilt ? sirv(o.clientDir, { single: true, etag: true }) : undefined;
  const demo = sirv(DEMO_APP_DIR, { dev: true });
  // Any page may load the SDK (it is public code; the player's frame-ancestors decide who may embed).
  const sdk = sirv(o.sdkDir ?? SDK_DIR, {
    dev: true,
    setHeaders: (res) => res.setHeader('access-control-allow-origin', '*'),
  });
  const csp = playerCsp(o.allowedOrigins, o.playerServers);
  const hosts = o.hosts ?? new HostCheck();

  const server = http.createServer((req, res) => {
    // Nothing a request carries may take the server down: whatever throws while routing it
    // ends that request with a 500, and the server goes on.
    try {
      route(req, res);
    } catch (err) {
      log.error({ err, method: req.method, url: req.url?.slice(0, 200) }, 'request handler failed');
      if (!res.headersSent)
        json(res, 500, { error: new OffloadError('internal', 'The request failed.').toWire() });
      else res.destroy();
    }
  });
  // Requests Node's HTTP parser refuses (a bad request line, header or framing; headers too
  // large; too slow) get a typed error and their socket is closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large.']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'The request took too long to arrive.']
          : [400, 'Malformed HTTP request.'];
    endWithError(socket, status, new OffloadError(status === 431 ? 'too-large' : 'bad-request', message));
  });
  return server;

  function route(req: http.IncomingMessage, res: http.ServerResponse) {
    // Every response: no MIME sniffing, and no Referer (tokens travel in the player's URL).
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    const url = requestUrl(req);
    if (!url) return json(res, 400, { error: badTarget().toWire() });
    if (!hosts.allows(req.headers.host)) return json(res, 403, { error: hostRefused().toWire() });
    if (o.debug && o.debugKey && isDebugPath(url.pathname, req.method)) {
      if (!holdsKey(req, o.debugKey))
        return json(res, 401, {
          error: new OffloadError(
            'unauthorized',
            'The debug endpoints need the API key (Authorization: Bearer).',
          ).toWire(),
        });
    }
    if (url.pathname === '/internal' || url.pathname.startsWith('/internal/')) {
      if (o.internalApi?.handle(req, res, url.pathname)) return;
      return json(res, 404, {
        error: new OffloadError('bad-request', 'No internal API here (clustering is off).').toWire(),
      });
    }
    if (url.pathname === '/healthz') {
      return json(res, 200, { ok: true, sessions: o.sessions.sessions.size, ...o.health() });
    }
    if (url.pathname === '/metrics') {
      o.metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': o.metrics.contentType });
          res.end(text);
        },
        (err: Error) => json(res, 500, { error: err.message }),
      );
      return;
    }
    if (o.authApi && handleAuthApi({ ...o.authApi, sessions: o.sessions }, req, res, url)) return;
    if (url.pathname === '/demo' || url.pathname.startsWith('/demo/')) {
      req.url = req.url!.slice('/demo'.length) || '/';
      return demo(req, res, () => json(res, 404, { error: 'not found' }));
    }
    if (url.pathname.startsWith('/sdk/')) {
      req.url = req.url!.slice('/sdk'.length);
      return sdk(req, res, () =>
        json(res, 404, {
          error: new OffloadError(
            'bad-request',
            'No such SDK file (is the SDK built? "pnpm build" builds it to packages/embed/dist).',
          ).toWire(),
        }),
      );
    }
    if (o.debug && handleDebug(o.sessions, req, res, url)) return;
    // The player (and whatever else falls through to it).
    res.setHeader('content-security-policy', csp);
    if (!client) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`The client is not built: run "pnpm build" (looked in ${o.clientDir}).\n`);
      return;
    }
    client(req, res, () => json(res, 404, { error: 'not found' }));
  }
}

/** The debug endpoints: the session listing and /debug/*. */
function isDebugPath(pathname: string, method: string | undefined): boolean {
  return pathname.startsWith('/debug/') || (pathname === '/api/sessions' && method === 'GET');
}
