import { ERROR_CODES } from '@offload/protocol';
import { z } from 'zod';

/**
 * The node-to-node API, shared by its server side (InternalApi) and its client (NodeClient):
 * paths, the secret's header, and the schemas of every body, both ways.
 */
export const INTERNAL_PREFIX = '/internal/v1';
/** Carries OFFLOAD_CLUSTER_SECRET on every internal request. */
export const SECRET_HEADER = 'x-offload-cluster-secret';
/** Largest request body the internal API reads (bytes). */
export const MAX_INTERNAL_BODY_BYTES = 16 * 1024;

const SessionId = z.string().min(1).max(64);

/** POST /internal/v1/sessions: start a session on this node. */
export const CreateSessionBody = z.strictObject({
  /** The page the app opens (already checked by the placing node; checked again here). */
  url: z.string().max(2048).optional(),
});
export const CreatedSession = z.object({ sessionId: SessionId });

/** GET /internal/v1/sessions/:id: what this node knows of a session. */
export const SessionDescription = z.discriminatedUnion('exists', [
  z.object({ exists: z.literal(false) }),
  z.object({
    exists: z.literal(true),
    state: z.enum(['starting', 'running', 'recovering', 'closing', 'closed']),
    viewers: z.number().int().nonnegative(),
  }),
]);
export type SessionDescription = z.infer<typeof SessionDescription>;

/** Every error answer: `{ error: { code, message } }`. */
export const InternalError = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string().max(4096) }),
});
