import { ERROR_CODES, type ErrorCode } from '@offload/protocol';
import { ClientError } from '../ClientError';
import { authCheckUrl } from './signalingUrl';

/**
 * Why the signaling socket would not open, asked over plain HTTP: a browser sees no status
 * for a refused WebSocket upgrade, so "token expired" (401) or "this page may not connect"
 * (403) would otherwise look like a server that is down. Neither does a page see why its own
 * Content-Security-Policy blocked a connection: `refused(origin)` says whether it did (see
 * cspRefusals) — the player's CSP lets it reach only the servers it lists. Null: no such
 * reason (or no answer).
 */
export async function diagnoseSignaling(
  signalingUrl: string,
  fetchFn: typeof fetch = fetch,
  refused: (origin: string) => boolean = () => false,
): Promise<ClientError | null> {
  let res: Response;
  const url = authCheckUrl(signalingUrl);
  try {
    res = await fetchFn(url, { cache: 'no-store' });
  } catch {
    // The violation is reported as a task after the refusal: let it arrive.
    await new Promise((r) => setTimeout(r, 50));
    const origin = new URL(url).origin;
    return refused(origin)
      ? new ClientError(
          'server-not-allowed',
          `This page's Content-Security-Policy does not let it reach ${origin}.`,
        )
      : null;
  }
  if (res.status !== 401 && res.status !== 403) return null;
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code;
  const known = (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : null;
  return new ClientError(
    known ?? (res.status === 401 ? 'unauthorized' : 'not-allowed'),
    body?.error?.message ?? `The server refused the connection (HTTP ${res.status}).`,
  );
}

/**
 * Origins (http:/https:, ws: and wss: folded into them) the page's Content-Security-Policy
 * refused a connection to, as the browser reports them (`securitypolicyviolation`).
 */
export function cspRefusals(
  target: Pick<Document, 'addEventListener'> = document,
): (origin: string) => boolean {
  const refused = new Set<string>();
  target.addEventListener('securitypolicyviolation', (e) => {
    if (!e.effectiveDirective.startsWith('connect-src')) return;
    try {
      const u = new URL(e.blockedURI);
      u.protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
      refused.add(u.origin);
    } catch {
      // not a URL ("inline", "eval")
    }
  });
  return (origin) => refused.has(origin);
}
