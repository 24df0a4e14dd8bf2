import {
  type CaptureRequestMessage,
  type ClientMessage,
  OffloadError,
  parseClientMessage,
  peekRequestId,
  type RequestType,
  type ServerMessage,
  type SessionEndCause,
} from '@offload/protocol';
import type { ConnectionAuth } from '../auth/Auth.js';
import { type Logger, moduleLogger } from '../logger.js';
import type { Session } from '../session/Session.js';
import type { Viewer } from '../session/Viewer.js';
import { TokenBucket } from '../util/TokenBucket.js';
import type { ConnectionDeps, HandlerContext } from './HandlerContext.js';
import { handlers } from './handlers.js';

export type { ConnectionDeps };

/** The little of a WebSocket a connection needs, so tests can drive one without a network. */
export interface MessageSocket {
  send(text: string): void;
  /** Close codes: 1001 going away, 1012 service restart (clients reconnect and resume), 4000 resumed elsewhere. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent (ws has it); a client that stops reading is cut off. */
  readonly bufferedAmount?: number;
}

/** Replies queued for a client that does not read them, beyond which it is disconnected (bytes). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Least time between two unsolicited "rate-limited" errors to one client (ms). */
const RATE_LIMIT_REPORT_INTERVAL_MS = 1000;

let nextConnectionId = 1;

/**
 * One client's signaling connection: validates each message, dispatches requests to the
 * handler table, replies with typed errors, and owns the client's Viewer while joined.
 */
export class Connection implements HandlerContext {
  readonly id = nextConnectionId++;
  helloDone = false;
  session: Session | undefined;
  viewer: Viewer | undefined;
  readonly log: Logger;
  readonly #bucket: TokenBucket;
  readonly #detachers: (() => void)[] = [];
  /** Messages refused by the signaling rate limit (requests among them were answered). */
  readonly counts = { rateLimited: 0 };
  #lastRateLimitReport = Number.NEGATIVE_INFINITY;
  /** Sessions this connection created: a creator token may join them. */
  readonly createdSessions = new Set<string>();
  #closed = false;

  constructor(
    readonly socket: MessageSocket,
    readonly deps: ConnectionDeps,
    /** What the connection was admitted with (its token's claims; none in open mode). */
    readonly auth: ConnectionAuth = { claims: undefined },
  ) {
    this.log = moduleLogger('connection', { connectionId: this.id });
    const rate = deps.messageRate ?? 200;
    this.#bucket = new TokenBucket(rate, rate * 2);
  }

  /** One text frame from the client. Never throws. */
  handleText(text: string): void {
    if (this.#closed) return;
    if (!this.#bucket.take()) {
      this.counts.rateLimited++;
      // Built only when sent: an Error's stack capture was the biggest cost of a flood (the
      // server spent more time constructing errors it dropped than on anything else).
      const error = () => new OffloadError('rate-limited', 'Too many signaling messages; slow down.');
      // A request still gets its one response (its sender waits for it); other messages (input
      // over the WebSocket) get one error a second at most, so a flood is not echoed back.
      const id = peekRequestId(text);
      if (id !== undefined) this.#reply(id, error());
      else if (performance.now() - this.#lastRateLimitReport >= RATE_LIMIT_REPORT_INTERVAL_MS) {
        this.#lastRateLimitReport = performance.now();
        this.#sendError(error());
      }
      return;
    }
    const r = parseClientMessage(text);
    if (!r.ok) {
      if (r.requestId !== undefined) this.#reply(r.requestId, r.error);
      else this.#sendError(r.error);
      return;
    }
    this.#dispatch(r.value);
  }

  handleBinary(): void {
    this.#sendError(
      new OffloadError('invalid-message', 'Binary frames are not part of the protocol; send JSON text.'),
    );
  }

  send(m: ServerMessage): void {
    if (this.#closed) return;
    if ((this.socket.bufferedAmount ?? 0) > MAX_BUFFERED_BYTES) {
      // The client sends but does not read: its replies would pile up in this process.
      this.log.warn(
        { buffered: this.socket.bufferedAmount },
        'client does not read its replies; disconnecting',
      );
      this.socket.close(1008, 'not reading replies');
      this.close();
      return;
    }
    this.socket.send(JSON.stringify(m));
  }

  /** The joined session and viewer, or a typed error if the client has not joined. */
  joined(): { session: Session; viewer: Viewer } {
    if (!this.session || !this.viewer || this.viewer.closed) throw OffloadError.notJoined();
    return { session: this.session, viewer: this.viewer };
  }

  /** Whether the socket has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  attach(session: Session, viewer: Viewer): void {
    if (this.#closed) {
      // The socket closed while the join/resume was under way: keep the place for a resume.
      session.suspendViewer(viewer);
      throw new OffloadError('not-ready', 'The connection closed.');
    }
    this.session = session;
    this.viewer = viewer;
    const onClose = (reason: string, cause: SessionEndCause) => {
      this.send({ type: 'session/closed', sessionId: session.id, reason, cause });
      this.detach();
    };
    const onRestarting = (reason: string) => {
      this.send({ type: 'session/restarted', sessionId: session.id, reason });
      this.detach();
    };
    const onViewerClosed = () => {
      // Closed under us while the session goes on (its piped router's worker died): resume.
      if (session.closed || session.state === 'recovering') return;
      this.send({ type: 'session/restarted', sessionId: session.id, reason: 'its media route was lost' });
      this.detach({ keepViewer: true });
    };
    const onTakenOver = () => {
      // The client came back on another socket; this one is stale.
      this.detach({ keepViewer: true });
      this.socket.close(4000, 'resumed on another connection');
    };
    const onRejected = (e: OffloadError) => this.#sendError(e);
    const onControl = (controllerId: string | null, controllerName: string | undefined) =>
      this.send({ type: 'control/changed', controllerId, ...(controllerName ? { controllerName } : {}) });
    const onRequested = (to: string, from: { id: string; name?: string }) => {
      if (to === viewer.id)
        this.send({
          type: 'control/requested',
          viewerId: from.id,
          ...(from.name ? { name: from.name } : {}),
        });
    };
    // The app asks for the device's camera and microphone: the controller's client only.
    const onCaptureRequest = (to: string, m: CaptureRequestMessage) => {
      if (to === viewer.id) this.send(m);
    };
    const onCaptureStop = (to: string, requestId: string) => {
      if (to === viewer.id) this.send({ type: 'capture/stop', requestId });
    };
    session.capture.events.on('request', onCaptureRequest);
    session.capture.events.on('stop', onCaptureStop);
    session.observer.once('close', onClose);
    session.observer.once('restarting', onRestarting);
    viewer.observer.once('taken-over', onTakenOver);
    viewer.observer.once('close', onViewerClosed);
    viewer.input.events.on('rejected', onRejected);
    session.control.events.on('changed', onControl);
    session.control.events.on('requested', onRequested);
    this.#detachers.push(
      () => session.observer.off('close', onClose),
      () => session.observer.off('restarting', onRestarting),
      () => viewer.observer.off('taken-over', onTakenOver),
      () => viewer.observer.off('close', onViewerClosed),
      () => viewer.input.events.off('rejected', onRejected),
      () => session.control.events.off('changed', onControl),
      () => session.control.events.off('requested', onRequested),
      () => session.capture.events.off('request', onCaptureRequest),
      () => session.capture.events.off('stop', onCaptureStop),
    );
  }

  /** Leaves the joined session, if any; `keepViewer` leaves the viewer to whoever resumes it. */
  detach({ keepViewer = false }: { keepViewer?: boolean } = {}): void {
    for (const d of this.#detachers.splice(0)) d();
    if (!keepViewer) this.viewer?.close();
    this.viewer = undefined;
    this.session = undefined;
  }

  /**
   * The socket closed. A viewer of a live session keeps its place for a while (its client
   * may be on a network that dropped, and will resume); otherwise it goes.
   */
  close(): void {
    if (this.#closed) return;
    const { session, viewer } = this;
    if (session && viewer && !session.closed && !viewer.closed) {
      this.detach({ keepViewer: true });
      session.suspendViewer(viewer);
    } else this.detach();
    this.#closed = true;
  }

  #dispatch(m: ClientMessage): void {
    if (m.type === 'input') {
      if (!this.viewer || this.viewer.closed) this.#sendError(OffloadError.notJoined());
      else this.viewer.input.handleEvent(m.event);
      return;
    }
    if (m.type === 'latency/report') {
      if (!this.viewer || this.viewer.closed || !this.session) this.#sendError(OffloadError.notJoined());
      else this.deps.onLatencyReport?.(m.samples, this.session);
      return;
    }
    if (!this.helloDone && m.type !== 'hello') {
      this.#reply(m.id, new OffloadError('not-ready', 'Send "hello" with your protocol version first.'));
      return;
    }
    const handler = handlers[m.type as RequestType] as (c: Connection, m: ClientMessage) => Promise<unknown>;
    handler(this, m).then(
      (data) => this.send({ type: 'response', id: m.id, ok: true, data }),
      (err: unknown) => this.#reply(m.id, this.#toOffloadError(err, m.type)),
    );
  }

  #reply(id: string | number, error: OffloadError): void {
    this.send({ type: 'response', id, ok: false, error: error.toWire() });
  }

  #sendError(error: OffloadError): void {
    this.send({ type: 'error', error: error.toWire() });
  }

  #toOffloadError(err: unknown, type: string): OffloadError {
    if (err instanceof OffloadError) return err;
    // mediasoup throws TypeError for parameters it rejects: the client's fault, say what.
    if (err instanceof TypeError)
      return new OffloadError('invalid-message', `Invalid "${type}": ${err.message}`);
    if (err instanceof Error && err.name === 'InvalidStateError') {
      return new OffloadError('session-closed', `Cannot "${type}" now: ${err.message}`);
    }
    this.log.error({ err, type }, 'request failed');
    return new OffloadError('internal', `The server failed to handle "${type}"; try again.`);
  }
}
