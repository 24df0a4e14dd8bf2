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
 * a full `ws://` or `wss://` URL is accepted there too.
 */
export function resolveSignalingUrl(loc: PageLocation): string {
  const secure = loc.protocol === 'https:';
  const server = new URLSearchParams(loc.search).get('server')?.trim();
  if (server) {
    if (/^wss?:\/\//.test(server)) return server;
    if (HOST_PORT.test(server)) return `${secure ? 'wss' : 'ws'}://${server}/ws`;
    throw new TypeError(`?server= must be host:port or a ws(s):// URL, got "${server}"`);
  }
  return `${secure ? 'wss' : 'ws'}://${loc.host}/ws`;
}
