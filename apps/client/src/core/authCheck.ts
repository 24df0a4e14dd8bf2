import { ERROR_CODES, type ErrorCode } from '@offload/protocol';
import { ClientError } from './ClientError';
import { authCheckUrl } from './signalingUrl';

/**
 * Why the signaling socket would not open, asked over plain HTTP: a browser sees no status
 * for a refused WebSocket upgrade, so "token expired" (401) or "this page may not connect"
 * (403) would otherwise look like a server that is down. Null: no such reason (or no answer).
 */
export async function diagnoseSignaling(
  signalingUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<ClientError | null> {
  let res: Response;
  try {
    res = await fetchFn(authCheckUrl(signalingUrl), { cache: 'no-store' });
  } catch {
    return null;
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
