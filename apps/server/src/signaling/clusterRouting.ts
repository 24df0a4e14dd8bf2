import { OffloadError } from '@offload/protocol';
import type { HandlerContext } from './HandlerContext.js';

/** What session/create answers: the session's id, and where it runs when that is another node. */
export async function placeCreate(
  c: HandlerContext,
  url: string | undefined,
): Promise<{ sessionId: string; hostUrl?: string; hostToken?: string }> {
  if (!c.deps.cluster) return { sessionId: (await c.deps.sessions.create({ url })).id };
  const placed = await c.deps.cluster.createSession({ url });
  if (!placed.host) return { sessionId: placed.sessionId };
  return {
    sessionId: placed.sessionId,
    hostUrl: placed.host.publicUrl,
    ...(await hostToken(c, placed.sessionId)),
  };
}

/**
 * With access tokens, a creator token was spent here on a session that runs on another node,
 * where the creator's connection does not exist: a token for that session (same role and
 * name, expiring no later than the creator's) lets the client join it there. Every node of a
 * cluster shares OFFLOAD_AUTH_SECRET, so the host accepts it.
 */
async function hostToken(c: HandlerContext, sessionId: string): Promise<{ hostToken?: string }> {
  const auth = c.deps.auth;
  const claims = c.auth.claims;
  if (!auth || auth.open || !claims) return {};
  const ttlS = Math.max(1, Math.min(auth.maxTtlS, claims.exp - Math.floor(Date.now() / 1000)));
  return {
    hostToken: await auth.mint(
      { role: claims.role, sid: sessionId, ...(claims.sub ? { sub: claims.sub } : {}) },
      ttlS,
    ),
  };
}

/**
 * A join or resume of a session this node does not run: if the session directory says
 * another live node hosts it, `session-elsewhere` with that node's public URL (the client
 * reconnects there; phase 2 pipes the media here instead); if its node died, `session-closed`.
 * Otherwise nothing: the caller goes on as a single server would.
 */
export async function assertNotElsewhere(c: HandlerContext, sessionId: string): Promise<void> {
  if (!c.deps.cluster || c.deps.sessions.find(sessionId)) return;
  const where = await c.deps.cluster.locate(sessionId);
  if (where.kind === 'elsewhere') throw OffloadError.sessionElsewhere(sessionId, where.node.publicUrl);
  if (where.kind === 'dead-node')
    throw new OffloadError(
      'session-closed',
      'The server that ran this session stopped; start a new session.',
    );
}
