import type http from 'node:http';
import type { SessionManager } from '../session/SessionManager.js';

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The debug endpoints (OFFLOAD_DEBUG; with an API key configured the HTTP server asks for it
 * first): GET /api/sessions lists sessions, /debug/sessions/:id describes one,
 * /debug/sessions/:id/app-state reads the app's own state back, and POST/DELETE
 * /debug/sessions/:id/plain-receivers?count=N&port=P adds/removes the fan-out benchmark's
 * stand-in viewers (./plainReceivers.ts, loaded only when asked for). True if it answered.
 */
export function handleDebug(
  sessions: SessionManager,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): boolean {
  if (url.pathname === '/api/sessions' && req.method === 'GET') {
    json(res, 200, { sessions: sessions.list() });
    return true;
  }
  const pr = /^\/debug\/sessions\/([^/]+)\/plain-receivers$/.exec(url.pathname);
  if (pr) {
    const session = sessions.sessions.get(pr[1]!);
    if (!session) json(res, 404, { error: 'session-not-found' });
    else if (req.method !== 'POST' && req.method !== 'DELETE')
      json(res, 405, { error: 'use POST or DELETE' });
    else
      import('./plainReceivers.js')
        .then(async ({ addPlainReceivers, closePlainReceivers }) => {
          if (req.method === 'DELETE') return json(res, 200, { closed: closePlainReceivers(session) });
          const sink = {
            ip: url.searchParams.get('ip') ?? '127.0.0.1',
            port: Number(url.searchParams.get('port')),
          };
          const receivers = await addPlainReceivers(
            session,
            Number(url.searchParams.get('count') ?? 1),
            sink,
          );
          json(res, 200, { receivers });
        })
        .catch((err: Error) => json(res, err instanceof TypeError ? 400 : 500, { error: err.message }));
    return true;
  }
  const m = /^\/debug\/sessions\/([^/]+)(\/app-state)?$/.exec(url.pathname);
  if (m) {
    const session = sessions.find(m[1]!);
    if (!session) json(res, 404, { error: 'session-not-found' });
    else
      (m[2] ? session.runtime.appState() : session.describe()).then(
        (state) => json(res, 200, state),
        (err: Error) => json(res, 500, { error: err.message }),
      );
    return true;
  }
  return false;
}
