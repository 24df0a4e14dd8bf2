/** The parts of `window.location` the player reads. */
export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

/** `host`, `host:port`, `[v6]:port`: nothing that could smuggle a path or credentials. */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * The signaling WebSocket URL: `/ws` on the page's own origin, `wss:` on https pages. A
 * `?server=host:port` query parameter points the player at another server (embedding, dev);
 * a full `ws://` or `wss://` URL is accepted there too. A `?token=` (access token) is passed
 * on to the socket's URL, where the server checks it before the socket opens.
 */
export function resolveSignalingUrl(loc: PageLocation): string {
  const params = new URLSearchParams(loc.search);
  const token = params.get('token')?.trim();
  return withToken(
    baseSignalingUrl(loc.protocol === 'https:', loc.host, params.get('server')?.trim()),
    token,
  );
}

function baseSignalingUrl(secure: boolean, host: string, server: string | undefined): string {
  if (server) {
    if (/^wss?:\/\//.test(server)) return server;
    if (HOST_PORT.test(server)) return `${secure ? 'wss' : 'ws'}://${server}/ws`;
    throw new TypeError(`?server= must be host:port or a ws(s):// URL, got "${server}"`);
  }
  return `${secure ? 'wss' : 'ws'}://${host}/ws`;
}

/** The signaling URL with an access token in its query (replacing any there). */
export function withToken(url: string, token: string | undefined): string {
  if (!token) return url;
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.href;
}

/** The server's `/api/auth-check` URL for a signaling URL (with its token, if any). */
export function authCheckUrl(signalingUrl: string): string {
  const u = new URL(signalingUrl);
  const token = u.searchParams.get('token');
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/api/auth-check';
  u.search = '';
  if (token) u.searchParams.set('token', token);
  return u.href;
}
