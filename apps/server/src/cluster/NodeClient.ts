import { OffloadError } from '@offload/protocol';
import type { z } from 'zod';
import {
  CreatedSession,
  INTERNAL_PREFIX,
  InternalError,
  SECRET_HEADER,
  SessionDescription,
} from './internalProtocol.js';
import type { NodeRecord } from './types.js';

/** How long a create on another node may take (ms): a session's start needs seconds on a busy host. */
const CREATE_TIMEOUT_MS = 30_000;
/** Any other internal call (ms). */
const CALL_TIMEOUT_MS = 3_000;

/**
 * Calls another node's internal API (see InternalApi), with the cluster secret; answers are
 * validated, errors come back as the OffloadError the other node sent, and a node that cannot
 * be reached (or answers garbage) as `not-ready`.
 */
export class NodeClient {
  constructor(
    readonly secret: string,
    readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Starts a session on `node`; its id. */
  async createSession(node: NodeRecord, body: { url?: string }): Promise<string> {
    const r = await this.#call(node, 'POST', '/sessions', body, CreatedSession, CREATE_TIMEOUT_MS);
    return r.sessionId;
  }

  /** What `node` knows of a session (exists, state, viewers). */
  describeSession(node: NodeRecord, sessionId: string): Promise<SessionDescription> {
    return this.#call(
      node,
      'GET',
      `/sessions/${encodeURIComponent(sessionId)}`,
      undefined,
      SessionDescription,
      CALL_TIMEOUT_MS,
    );
  }

  async #call<S extends z.ZodType>(
    node: NodeRecord,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    timeoutMs: number,
  ): Promise<z.infer<S>> {
    const url = new URL(`${INTERNAL_PREFIX}${path}`, node.internalUrl);
    let res: Response;
    let json: unknown;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: { [SECRET_HEADER]: this.secret, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      json = await res.json();
    } catch (err) {
      throw new OffloadError('not-ready', `Node ${node.id} did not answer: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const e = InternalError.safeParse(json);
      if (e.success) throw new OffloadError(e.data.error.code, e.data.error.message);
      throw new OffloadError('not-ready', `Node ${node.id} answered HTTP ${res.status}.`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new OffloadError('not-ready', `Node ${node.id} answered an unreadable body.`);
    return parsed.data;
  }
}
