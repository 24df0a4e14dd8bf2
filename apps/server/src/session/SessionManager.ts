import { EventEmitter } from 'node:events';
import { OffloadError, type ScreenInfo } from '@offload/protocol';
import { moduleLogger } from '../logger.js';
import type { WorkerPool } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { Session, type VideoSettings } from './Session.js';

const log = moduleLogger('session-manager');

export interface SessionManagerOptions {
  pool: WorkerPool;
  maxSessions: number;
  maxViewers: number;
  idleTimeoutMs: number;
  inputRate: number;
  /** Viewers per router before a session's video is piped to a router on another worker. */
  viewersPerRouter?: number;
  screen: ScreenInfo;
  video: VideoSettings;
  startRuntime: (ctx: { sessionId: string; screen: ScreenInfo }) => Promise<AppRuntime>;
}

export type SessionManagerObserverEvents = { newsession: [session: Session] };

/** Creates, finds and closes sessions, within the host's session limit. */
export class SessionManager {
  readonly observer = new EventEmitter<SessionManagerObserverEvents>();
  readonly sessions = new Map<string, Session>();
  /** Sessions being started count against the limit too. */
  #starting = 0;
  #closed = false;

  constructor(readonly o: SessionManagerOptions) {}

  async create(): Promise<Session> {
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
        worker: this.o.pool.acquire(),
        screen: this.o.screen,
        startRuntime: this.o.startRuntime,
        video: this.o.video,
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
      session.close('server shutting down');
      throw new OffloadError('not-ready', 'The server is shutting down.');
    }
    this.sessions.set(session.id, session);
    session.events.once('@close', () => this.sessions.delete(session.id));
    this.observer.emit('newsession', session);
    return session;
  }

  get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw OffloadError.sessionNotFound(id);
    return s;
  }

  /** Closes every session and waits for their app runtimes to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.sessions.values()];
    for (const s of all) s.close('server shutting down');
    await Promise.all(all.map((s) => s.runtime.close()));
  }
}
