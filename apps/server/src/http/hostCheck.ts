import { isIP } from 'node:net';
import { OffloadError } from '@offload/protocol';

/**
 * Which names this server answers to (DNS rebinding): a page on evil.example whose name is
 * made to resolve to this server's address sends `Host: evil.example`, and must be refused —
 * otherwise, in open mode, it could drive sessions from any visitor's browser, its Origin
 * matching that Host. Allowed: IP literals (a page there is on this server's own origin),
 * `localhost`, and the names configured (OFFLOAD_ALLOWED_HOSTS and OFFLOAD_PUBLIC_URL's host).
 * A request without Host (HTTP/1.0 tools) is let through: browsers always send one.
 */
export class HostCheck {
  readonly #names: Set<string>;

  constructor(names: Iterable<string> = []) {
    this.#names = new Set([...names].map((n) => n.toLowerCase()));
  }

  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return true;
    const name = hostName(hostHeader.trim().toLowerCase());
    if (name === undefined) return false;
    return isIP(name) !== 0 || name === 'localhost' || this.#names.has(name);
  }
}

/** The name in a Host header (port and IPv6 brackets off), undefined when it is not one. */
function hostName(host: string): string | undefined {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(host.slice(end + 1))) return undefined;
    return host.slice(1, end);
  }
  const m = /^([a-z0-9.-]+)(:\d{1,5})?$/.exec(host);
  return m?.[1]?.replace(/\.$/, '');
}

/** The typed error for a request under a name this server does not answer to. */
export function hostRefused(): OffloadError {
  return new OffloadError(
    'not-allowed',
    'This server is not reached under that name (Host); its operator can add it to OFFLOAD_ALLOWED_HOSTS.',
  );
}
