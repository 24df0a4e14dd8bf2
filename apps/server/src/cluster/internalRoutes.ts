import { OffloadError } from '@offload/protocol';
import type { UrlPolicy } from '../runtime/urlPolicy.js';
import type { SessionManager } from '../session/SessionManager.js';
import { type InternalRoute, route } from './InternalApi.js';
import { CreateSessionBody, type SessionDescription } from './internalProtocol.js';
import type { NodeRecord } from './types.js';

export interface InternalRouteDeps {
  sessions: SessionManager;
  urlPolicy: UrlPolicy | undefined;
  /** Whether this node takes new sessions (false while draining). */
  accepting: () => boolean;
  /** Writes the directory entry and this node's new count before the create answers. */
  published: (sessionId: string) => Promise<void>;
  self: () => NodeRecord;
}

/** Phase 1's routes: create a session here, describe one, describe this node. */
export function internalRoutes(d: InternalRouteDeps): InternalRoute[] {
  return [
    route({
      method: 'POST',
      path: /^\/sessions$/,
      body: CreateSessionBody,
      async handle(_params, body) {
        if (!d.accepting()) throw new OffloadError('at-capacity', 'This node is draining.');
        let url: string | undefined;
        if (body.url !== undefined) {
          // The placing node checked it; this node's own policy decides what its browsers open.
          if (!d.urlPolicy) throw new OffloadError('url-not-allowed', 'This server opens only its own app.');
          url = (await d.urlPolicy.assertAllowed(body.url)).href;
        }
        const session = await d.sessions.create({ url });
        await d.published(session.id);
        return { status: 201, body: { sessionId: session.id } };
      },
    }),
    route({
      method: 'GET',
      path: /^\/sessions\/([A-Za-z0-9_-]{1,64})$/,
      async handle([id]) {
        const s = d.sessions.find(id!);
        const out: SessionDescription = s
          ? { exists: true, state: s.state, viewers: s.viewers.size }
          : { exists: false };
        return { status: 200, body: out };
      },
    }),
    route({
      method: 'GET',
      path: /^\/node$/,
      async handle() {
        return { status: 200, body: d.self() };
      },
    }),
  ];
}
