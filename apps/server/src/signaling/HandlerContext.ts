import type { LatencyReportMessage } from '@offload/protocol';
import type { Auth, ConnectionAuth } from '../auth/Auth.js';
import type { ResumeTokens } from '../auth/ResumeTokens.js';
import type { Cluster } from '../cluster/Cluster.js';
import type { UrlPolicy } from '../runtime/urlPolicy.js';
import type { Session } from '../session/Session.js';
import type { SessionManager } from '../session/SessionManager.js';
import type { Viewer } from '../session/Viewer.js';

export interface ConnectionDeps {
  sessions: SessionManager;
  /** Where clients' latency reports go (/metrics). */
  onLatencyReport?: (samples: LatencyReportMessage['samples'], session: Session) => void;
  serverVersion: string;
  /** Every router's RTP capabilities (see `hello`). */
  routerRtpCapabilities?: Record<string, unknown>;
  /** Signs and checks the tokens clients resume with. */
  resumeTokens: ResumeTokens;
  /** Signaling messages per second a client may send (input has its own limit). */
  messageRate?: number;
  /** Tokens, Origin and who may do what; without it, everything is open. */
  auth?: Auth;
  /** Which URLs session/create may open; without it, no `url` is accepted. */
  urlPolicy?: UrlPolicy;
  /** Where creates go and where other nodes' sessions are; without it, this server alone. */
  cluster?: Cluster;
}

/**
 * What a request handler (./handlers.ts) may see and do of the connection it serves: a narrow
 * view, so the handlers need not know Connection (which dispatches to them).
 */
export interface HandlerContext {
  helloDone: boolean;
  viewer: Viewer | undefined;
  readonly deps: ConnectionDeps;
  /** What the connection was admitted with (its token's claims; none in open mode). */
  readonly auth: ConnectionAuth;
  /** Sessions this connection created: a creator token may join them. */
  readonly createdSessions: Set<string>;
  /** The session and viewer this connection is in; throws `not-joined` otherwise. */
  joined(): { session: Session; viewer: Viewer };
  /** Makes `viewer` of `session` this connection's. */
  attach(session: Session, viewer: Viewer): void;
  /** Leaves the session (the viewer closes, or is kept for a resume). */
  detach(o?: { keepViewer?: boolean }): void;
}
