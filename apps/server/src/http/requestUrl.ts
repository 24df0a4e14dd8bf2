import type { IncomingMessage } from 'node:http';
import { OffloadError } from '@offload/protocol';

/** Host the request's path and query are resolved against; never used to reach anything. */
const BASE = 'http://request.invalid';

/**
 * The request target's path and query as a URL, or undefined when the target is not one a
 * server answers: only origin-form (`/path?query`) and absolute-form (`http://host/path`,
 * which proxies send) are, and only when a URL parser can read them (`//[` is a broken host to
 * one: `new URL('//[', base)` throws, which once took the server down). The path is then taken
 * as it is: `//x/healthz` is the path `//x/healthz`, not /healthz on a host x.
 */
export function requestUrl(req: Pick<IncomingMessage, 'url'>): URL | undefined {
  const target = req.url ?? '/';
  try {
    if (target.startsWith('/')) {
      // What a URL parser makes of it must be a URL at all (`//[` is not: a broken host)...
      new URL(target, BASE);
      // ...but its path is taken as it is: `//x/healthz` is not /healthz on host x.
      return new URL(BASE + target);
    }
    if (/^https?:\/\//i.test(target)) {
      const u = new URL(target);
      return new URL(BASE + u.pathname + u.search);
    }
  } catch {
    // not a URL
  }
  return undefined;
}

/** The typed error for a request target requestUrl() refused. */
export function badTarget(): OffloadError {
  return new OffloadError('bad-request', 'The request target is not a valid path.');
}
