import { OffloadError, type ScreenInfo } from '@offload/protocol';
import { moduleLogger } from '../logger.js';
import type { WorkerPool } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { Session } from './Session.js';
import type { SessionOptions, SessionState, VideoSettings } from './sessionTypes.js';

const log = moduleLogger('session-manager');

export interface SessionManagerOptions {
  pool: WorkerPool;
  maxSessions: number;
  maxViewers: number;
  idleTimeoutMs: number;
  inputRate: number;
  /** How long a viewer whose socket dropped keeps its place (ms). */
  resumeGraceMs: number;
  /** Viewers per router before a session's video is piped to a router on another worker. */
  viewersPerRouter?: number;
  screen: ScreenInfo;
  video: VideoSettings;
  /** A warm runtime's prepared video sender (see PreparedSenders). */
  takePreparedSender?: SessionOptions['takePreparedSender'];
  startRuntime: (ctx: { sessionId: string; screen: ScreenInfo; url?: string }) => Promise<AppRuntime>;
}

/** One line of the session listing (GET /api/sessions). */
export interface SessionSummary {
  id: string;
  state: SessionState;
  viewers: number;
  /** ISO 8601. */
  createdAt: string;
}

export type SessionManagerObserverEvents = { 'new-session': [session: Session] };

/** Creates, finds and closes sessions, within the host's session limit. */
export class SessionManager {
  readonly observer = new SafeEmitter<SessionManagerObserverEvents>('session-manager');
  readonly sessions = new Map<string, Session>();
  /** Closed sessions whose processes are still exiting: listed, and joining one is a typed error. */
  readonly #closing = new Map<string, Session>();
  /** Sessions being started count against the limit too. */
  #starting = 0;
  /** Sessions being re-created under their old id (see recreate()). */
  readonly #recreating = new Map<string, Promise<Session>>();
  #closed = false;

  constructor(readonly o: SessionManagerOptions) {}

  /** Sessions being started now (they count against the limit). */
  get starting(): number {
    return this.#starting;
  }

  /**
   * Starts a session; `url` (checked by the caller against the URL policy) is the page its app
   * browser opens; `id` re-creates a session under its old id (see getOrRecreate()).
   */
  async create(o: { id?: string; url?: string } = {}): Promise<Session> {
    if (this.#closed) throw new OffloadError('not-ready', 'The server is shutting down.');
    if (this.sessions.size + this.#starting >= this.o.maxSessions) {
      throw new OffloadError(
        'at-capacity',
        `This server runs its maximum of ${this.o.maxSessions} sessions; try again later or join an existing one.`,
      );
    }
    this.#starting++;
    let session: Session;
    try {
      session = await Session.create({
        id: o.id,
        url: o.url,
        worker: await this.o.pool.acquireLive(),
        acquireWorker: () => this.o.pool.acquireLive(),
        resumeGraceMs: this.o.resumeGraceMs,
        screen: this.o.screen,
        startRuntime: this.o.startRuntime,
        video: this.o.video,
        takePreparedSender: this.o.takePreparedSender,
        maxViewers: this.o.maxViewers,
        idleTimeoutMs: this.o.idleTimeoutMs,
        inputRate: this.o.inputRate,
        fanout: this.o.viewersPerRouter
          ? { pool: this.o.pool, viewersPerRouter: this.o.viewersPerRouter }
          : undefined,
      });
    } catch (err) {
      log.error({ err }, 'session failed to start');
      throw new OffloadError('runtime-failed', `The app could not be started: ${(err as Error).message}`);
    } finally {
      this.#starting--;
    }
    if (this.#closed) {
      session.close('server-shutdown');
      throw new OffloadError('not-ready', 'The server is shutting down.');
    }
    this.sessions.set(session.id, session);
    session.events.once('@close', () => {
      this.sessions.delete(session.id);
      this.#closing.set(session.id, session);
      session.runtime.close().finally(() => this.#closing.delete(session.id));
    });
    this.observer.safeEmit('new-session', session);
    return session;
  }

  /**
   * The session with this id, started afresh if this server does not run it (any more) —
   * for clients resuming after the server restarted in place. Concurrent calls share one start.
   */
  async getOrRecreate(id: string, o: { url?: string } = {}): Promise<Session> {
    const running = this.sessions.get(id);
    if (running) return running;
    let p = this.#recreating.get(id);
    if (!p) {
      p = this.create({ id, url: o.url }).finally(() => this.#recreating.delete(id));
      this.#recreating.set(id, p);
      log.info({ sessionId: id }, 're-creating a session a client resumes');
    }
    return p;
  }

  get(id: string): Session {
    const s = this.sessions.get(id);
    if (s) return s;
    if (this.#closing.has(id))
      throw new OffloadError('session-closed', 'The session is closing; start a new one.');
    throw OffloadError.sessionNotFound(id);
  }

  /** A running or closing session by id, for read-only views (debug pages, listings). */
  find(id: string): Session | undefined {
    return this.sessions.get(id) ?? this.#closing.get(id);
  }

  /** Every session this server holds, running or still closing. */
  list(): SessionSummary[] {
    return [...this.sessions.values(), ...this.#closing.values()].map((s) => ({
      id: s.id,
      state: s.state,
      viewers: s.viewers.size,
      createdAt: new Date(s.createdAt).toISOString(),
    }));
  }

  /** Closes every session and waits for their app runtimes to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.sessions.values()];
    for (const s of all) s.close('server-shutdown');
    await Promise.all(all.map((s) => s.runtime.close()));
  }
}
