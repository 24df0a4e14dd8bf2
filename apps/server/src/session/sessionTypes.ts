import type { ScreenInfo, SessionEndCause } from '@offload/protocol';
import type { PreparedSender } from '../media/PreparedSender.js';
import type { WorkerPool } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import type { VideoSettings } from './MediaSources.js';
import type { LeasedWorker } from './SessionMedia.js';

export type { LeasedWorker, VideoSettings };

import type { Viewer } from './Viewer.js';

export interface SessionOptions {
  id?: string;
  worker: LeasedWorker;
  /** A live worker for the session's new router when its worker died (default: the worker given). */
  acquireWorker?: () => Promise<LeasedWorker>;
  screen: ScreenInfo;
  /** Starts the app runtime for this session (the default makes a ChromiumRuntime). */
  startRuntime: (ctx: { sessionId: string; screen: ScreenInfo; url?: string }) => Promise<AppRuntime>;
  /** The page a cloud-browser session opens (already checked against the URL policy); default the server's app. */
  url?: string;
  video: VideoSettings;
  /** A warm runtime's prepared video sender (taken once; see PreparedSenders). */
  takePreparedSender?: (runtime: AppRuntime) => Promise<PreparedSender | undefined> | undefined;
  maxViewers: number;
  /** A session without viewers for this long closes itself (ms). */
  idleTimeoutMs: number;
  /** Input events per second per viewer. */
  inputRate: number;
  /** How long a viewer whose socket dropped keeps its place (transports, consumers) for a resume (ms). */
  resumeGraceMs?: number;
  /** At most this many media restarts (worker/app/encoder died) within a minute; then the session ends. Default 3. */
  maxRestartsPerMinute?: number;
  /** Fan-out: past `viewersPerRouter` viewers on a router, the video is piped to a router on another worker of `pool`. */
  fanout?: { pool: WorkerPool; viewersPerRouter: number };
}

/**
 * Life of a session: `starting` until its app and first encoder run, `running` while it can be
 * joined, `recovering` while it rebuilds what died (its media worker, its app or an encoder;
 * clients were told with `session/restarted` and resume once it runs again), `closing` while
 * its processes exit, then `closed`.
 */
export type SessionState = 'starting' | 'running' | 'recovering' | 'closing' | 'closed';

export type SessionEvents = {
  /** Private: tells the SessionManager this session is gone. */
  '@close': [reason: string, cause: SessionEndCause];
};

export type SessionObserverEvents = {
  /** The session ended: why, for people, and as a word (see SESSION_END_CAUSES). */
  close: [reason: string, cause: SessionEndCause];
  /** Media is being rebuilt: every viewer's transports are going away; clients should resume. */
  restarting: [reason: string];
  /** Media runs again after a restart (ms it took). */
  recovered: [ms: number];
  'new-viewer': [viewer: Viewer];
  /** Server-side segments of one input (ms), for metrics. */
  'input-timing': [segments: { inject: number; renderCapture: number; encode: number }];
};

/** What a session that closed for a cause says, unless told otherwise. */
export const CLOSE_WORDS: Record<SessionEndCause, string> = {
  closed: 'closed',
  idle: 'no viewers',
  'server-shutdown': 'server shutting down',
  'restart-limit': 'its media failed too often',
  'recovery-failed': 'its media could not be restarted',
};
