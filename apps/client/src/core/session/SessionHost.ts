import { OffloadError } from '@offload/protocol';
import { ClientError } from '../ClientError';

/**
 * The signaling URL of a session's node: `hostUrl` (a node's public URL, http(s)://host[:port]/,
 * as the server said) turned into its `/ws`, with `token` or else the current URL's token.
 * Only a plain origin is taken (no credentials, path or query), and never a downgrade from
 * wss to ws. Which hosts the page may then reach is the player's CSP (connect-src:
 * OFFLOAD_PLAYER_SERVERS) to decide, as for `?server=`.
 */
export function hostSignalingUrl(current: string, hostUrl: string, token?: string): string {
  let host: URL;
  try {
    host = new URL(hostUrl);
  } catch {
    throw notAllowed(hostUrl);
  }
  const secure = new URL(current).protocol === 'wss:';
  const plain =
    (host.protocol === 'https:' || (host.protocol === 'http:' && !secure)) &&
    !host.username &&
    !host.password &&
    host.pathname === '/' &&
    !host.search &&
    !host.hash;
  if (!plain) throw notAllowed(hostUrl);
  const url = new URL(`${host.protocol === 'https:' ? 'wss' : 'ws'}://${host.host}/ws`);
  const t = token ?? new URL(current).searchParams.get('token');
  if (t) url.searchParams.set('token', t);
  return url.href;
}

function notAllowed(hostUrl: string): ClientError {
  return new ClientError(
    'server-not-allowed',
    `The session runs on another server whose address this player does not take: ${hostUrl.slice(0, 200)}`,
  );
}

/**
 * Which server the signaling socket goes to: the configured one, or — in a cluster — the node
 * that hosts the session being joined (session/create said where it was placed, or a join
 * answered `session-elsewhere`). The client follows a session to its node once per join.
 * This is the seam phase 2 changes: a viewer will stay on its node and the media be piped.
 */
export class SessionHost {
  #route: { sessionId: string; url: string } | null = null;
  readonly base: () => string;

  constructor(
    /** The configured signaling URL (see StreamClientOptions.url). */
    base: string | (() => string),
    /** Throws the current socket away (the next connect opens one to url()). */
    readonly dropSocket: () => void,
  ) {
    this.base = typeof base === 'string' ? () => base : base;
  }

  /** The signaling URL of the moment. */
  url(): string {
    return this.#route?.url ?? this.base();
  }

  /** What session/create answered: a session placed on another node is joined there. Its id. */
  created(c: { sessionId: string; hostUrl?: string; hostToken?: string }): string {
    if (c.hostUrl) this.placed(c.sessionId, c.hostUrl, c.hostToken);
    return c.sessionId;
  }

  /** session/create placed `sessionId` on another node: joining it goes there, on a new socket. */
  placed(sessionId: string, hostUrl: string, hostToken?: string): void {
    this.#route = { sessionId, url: hostSignalingUrl(this.base(), hostUrl, hostToken) };
    this.dropSocket();
  }

  /**
   * Runs a join of `sessionId` (`run` connects and sends session/join) on the right node: the
   * socket is moved there first if it is on another, and a `session-elsewhere` answer moves
   * it to the node named and runs the join once more.
   */
  async join<T>(sessionId: string, run: () => Promise<T>): Promise<T> {
    const before = this.url();
    if (this.#route && this.#route.sessionId !== sessionId) this.#route = null;
    if (this.url() !== before) this.dropSocket();
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof OffloadError) || err.code !== 'session-elsewhere' || !err.hostUrl) throw err;
      this.#route = { sessionId, url: hostSignalingUrl(this.url(), err.hostUrl) };
      this.dropSocket();
      return run();
    }
  }
}
