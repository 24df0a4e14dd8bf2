import {
  type InputEventInit,
  type InputMessage,
  type LatencyReportMessage,
  OffloadError,
  parseServerMessage,
  type RequestPayload,
  Requests,
  type RequestType,
  type ResponseData,
} from '@offload/protocol';
import { ClientError } from '../ClientError';
import type { SignalingClientEvents } from '../events';
import { TypedEmitter } from '../TypedEmitter';

/** The little a WebSocket must do; tests pass a fake. */
export interface SignalingSocket {
  send(text: string): void;
  close(): void;
}

export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  /** Called once, whether the socket failed to open or closed later. */
  onClose(info: { code: number; reason: string }): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SignalingSocket;

/** The browser's WebSocket behind {@link SignalingSocket}. */
export const browserSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  let closed = false;
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev) => {
    // Binary frames are not part of the protocol; hand them over as text so they get reported.
    handlers.onMessage(typeof ev.data === 'string' ? ev.data : '');
  };
  ws.onclose = (ev) => {
    if (closed) return;
    closed = true;
    handlers.onClose({ code: ev.code, reason: ev.reason });
  };
  // A socket the page's Content-Security-Policy blocks gets an error and never a close (seen
  // in Chromium): without this, the player would wait on it for ever, "connecting".
  ws.onerror = () => {
    setTimeout(() => {
      if (closed || ws.readyState === WebSocket.OPEN) return;
      closed = true;
      handlers.onClose({ code: 1006, reason: 'the socket failed without closing' });
    }, 100);
  };
  return {
    send: (text) => ws.send(text),
    close: () => ws.close(1000, 'client closing'),
  };
};

export interface SignalingClientOptions {
  /** ws:// or wss:// URL of the signaling endpoint. */
  url: string;
  /** Default: the browser's WebSocket. */
  socketFactory?: SocketFactory;
  /** How long a request may wait for its response, in ms. Default 10 000. */
  requestTimeoutMs?: number;
}

/** A message without id or response: input over the socket, latency reports. */
export type ClientNotification = { type: InputMessage['type']; event: InputEventInit } | LatencyReportMessage;

interface Pending {
  type: RequestType;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Request/response signaling over one WebSocket: typed requests, a pending map with timeouts,
 * and typed notifications. Everything the server sends is validated before use.
 */
export class SignalingClient extends TypedEmitter<SignalingClientEvents> {
  readonly url: string;
  readonly #factory: SocketFactory;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #socket: SignalingSocket | null = null;
  #state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  #opening: Promise<void> | null = null;
  #nextId = 1;

  constructor({
    url,
    socketFactory = browserSocketFactory,
    requestTimeoutMs = 10_000,
  }: SignalingClientOptions) {
    super();
    this.url = url;
    this.#factory = socketFactory;
    this.#timeoutMs = requestTimeoutMs;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Opens the socket; rejects with `server-unreachable` if it closes before opening. Idempotent. */
  open(): Promise<void> {
    if (this.#opening) return this.#opening;
    if (this.#state === 'closed') return Promise.reject(ClientError.closed());
    this.#state = 'opening';
    this.#opening = new Promise<void>((resolve, reject) => {
      this.#socket = this.#factory(this.url, {
        onOpen: () => {
          if (this.#state !== 'opening') return;
          this.#state = 'open';
          resolve();
        },
        onMessage: (text) => this.#handleMessage(text),
        onClose: ({ code, reason }) => {
          const wasOpen = this.#state === 'open';
          if (this.#state === 'closed') return;
          this.#state = 'closed';
          this.#socket = null;
          const error = wasOpen
            ? ClientError.connectionLost(
                `The signaling socket closed (code ${code}${reason ? `: ${reason}` : ''}).`,
              )
            : ClientError.serverUnreachable(this.url);
          this.#rejectAll(error);
          if (wasOpen) this.emit('disconnected', error);
          else reject(error);
        },
      });
    });
    return this.#opening;
  }

  /** Sends one request and resolves with its validated response data. */
  request<K extends RequestType>(
    type: K,
    payload: RequestPayload<K>,
    { timeoutMs = this.#timeoutMs }: { timeoutMs?: number } = {},
  ): Promise<ResponseData<K>> {
    if (this.#state !== 'open' || !this.#socket) {
      return Promise.reject(
        this.#state === 'closed' ? ClientError.connectionLost('The signaling socket is closed.') : notOpen(),
      );
    }
    const id = this.#nextId++;
    const socket = this.#socket;
    return new Promise<ResponseData<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(ClientError.timeout(type, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { type, resolve: resolve as (d: unknown) => void, reject, timer });
      try {
        socket.send(JSON.stringify({ ...payload, type, id }));
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(ClientError.connectionLost(`Sending "${type}" failed: ${String(err)}`));
      }
    });
  }

  /** Sends an input event over the socket (fallback while the data channels are not open). */
  sendInput(event: InputEventInit): boolean {
    return this.notify({ type: 'input', event });
  }

  /** Sends a notification (no id, no response); false if the socket is not open. */
  notify(message: ClientNotification): boolean {
    if (this.#state !== 'open' || !this.#socket) return false;
    try {
      this.#socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the socket and rejects every pending request with `client-closed`. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const socket = this.#socket;
    this.#socket = null;
    this.#rejectAll(ClientError.closed());
    socket?.close();
    this.removeAllListeners();
  }

  #handleMessage(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      // A reply we cannot read still settles its request, so the caller does not wait for a timeout.
      const pending = typeof parsed.requestId === 'number' ? this.#take(parsed.requestId) : undefined;
      if (pending) pending.reject(parsed.error);
      this.emit('invalid-message', parsed.error);
      return;
    }
    const msg = parsed.value;
    switch (msg.type) {
      case 'response': {
        const pending = typeof msg.id === 'number' ? this.#take(msg.id) : undefined;
        if (!pending) {
          this.emit(
            'invalid-message',
            new OffloadError('invalid-message', `Response to unknown request ${msg.id}.`),
          );
          return;
        }
        if (!msg.ok) {
          pending.reject(OffloadError.fromWire(msg.error));
          return;
        }
        const data = Requests[pending.type].response.safeParse(msg.data);
        if (data.success) pending.resolve(data.data);
        else {
          const issue = data.error.issues[0];
          const where = issue ? `${issue.path.join('.') || '(data)'}: ${issue.message}` : 'invalid';
          pending.reject(
            new OffloadError('invalid-message', `Invalid "${pending.type}" response: ${where}.`),
          );
        }
        return;
      }
      case 'error': {
        const err = OffloadError.fromWire(msg.error);
        const pending = typeof msg.requestId === 'number' ? this.#take(msg.requestId) : undefined;
        if (pending) pending.reject(err);
        else this.emit('server-error', err);
        return;
      }
      case 'session/closed':
        this.emit('session-closed', { sessionId: msg.sessionId, reason: msg.reason });
        return;
      case 'session/restarted':
        this.emit('session-restarted', { sessionId: msg.sessionId, reason: msg.reason });
        return;
      case 'control/changed':
        this.emit('control-changed', { controllerId: msg.controllerId, controllerName: msg.controllerName });
        return;
      case 'control/requested':
        this.emit('control-requested', { viewerId: msg.viewerId, name: msg.name });
        return;
      case 'capture/request':
        this.emit('capture-request', msg);
        return;
      case 'capture/stop':
        this.emit('capture-stop', msg.requestId);
        return;
    }
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  #rejectAll(err: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}

function notOpen(): ClientError {
  return new ClientError('connection-lost', 'The signaling socket is not open yet; call open() first.');
}
