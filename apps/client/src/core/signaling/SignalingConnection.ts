import { PROTOCOL_VERSION } from '@offload/protocol';
import { ClientError } from '../ClientError';
import type { SignalingConnectionEvents } from '../events';
import { TypedEmitter } from '../TypedEmitter';
import { SignalingClient, type SocketFactory } from './SignalingClient';

export interface SignalingConnectionOptions {
  /** Signaling WebSocket URL, or a function read each time a socket opens. */
  url: string | (() => string);
  /** Default: the browser's WebSocket. */
  socketFactory?: SocketFactory;
  /** Signaling request timeout in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Name sent in `hello`. Default "offload-web". */
  clientName?: string;
  /** Asked why, when the socket would not open (see StreamClientOptions.diagnose). */
  diagnose?: () => Promise<ClientError | null>;
  /** Told what the server said in each accepted `hello` (e.g. its routers' capabilities). */
  onHello?: (hello: { serverVersion: string; routerRtpCapabilities?: unknown }) => void;
}

/**
 * The signaling socket of the moment and the `hello` on it. A socket that closes, fails to
 * open or is dropped (a try to resume failed: it may be half-dead) is thrown away, and the
 * next connect() opens a new one. Passes on the events of the current socket only;
 * `disconnected` comes after that socket was thrown away.
 */
export class SignalingConnection extends TypedEmitter<SignalingConnectionEvents> {
  readonly #options: SignalingConnectionOptions;
  #socket: SignalingClient | null = null;
  /** Settles once the current socket is open and the server accepted our hello. */
  #ready: Promise<SignalingClient> | null = null;

  constructor(options: SignalingConnectionOptions) {
    super();
    this.#options = options;
  }

  /** A socket is opening or open (connect() was called and the socket was not thrown away since). */
  get started(): boolean {
    return this.#ready !== null;
  }

  /** The current socket, open or not yet; null before connect() or after a drop. */
  get current(): SignalingClient | null {
    return this.#socket;
  }

  /** The current socket if it is open; throws `connection-lost` otherwise. */
  socket(): SignalingClient {
    if (!this.#socket?.isOpen) throw ClientError.connectionLost('The signaling socket is not open.');
    return this.#socket;
  }

  /** Opens a socket (unless one is opening or open) and says hello; resolves once the server accepted our protocol version. */
  async connect(): Promise<void> {
    if (!this.#ready) {
      const sig = this.#newSocket();
      this.#ready = (async () => {
        try {
          await sig.open();
        } catch (err) {
          const why =
            ClientError.from(err).code === 'server-unreachable'
              ? await this.#options.diagnose?.().catch(() => null)
              : null;
          throw why ?? err;
        }
        const hello = await sig.request('hello', {
          protocolVersion: PROTOCOL_VERSION,
          client: this.#options.clientName ?? 'offload-web',
        });
        if (hello.protocolVersion !== PROTOCOL_VERSION) {
          throw new ClientError(
            'incompatible-protocol',
            `The server speaks protocol ${hello.protocolVersion}; this player speaks ${PROTOCOL_VERSION}.`,
          );
        }
        this.#options.onHello?.(hello);
        return sig;
      })();
      this.#ready.catch(() => this.drop(sig));
    }
    await this.#ready;
  }

  /** Closes and forgets `sig` (default: the current socket) if it is still the current one. */
  drop(sig: SignalingClient | null = this.#socket): void {
    if (!sig || this.#socket !== sig) return;
    this.#socket = null;
    this.#ready = null;
    sig.close();
  }

  /** Closes the socket, for good. */
  close(): void {
    this.drop();
    this.removeAllListeners();
  }

  #newSocket(): SignalingClient {
    const sig = new SignalingClient({
      url: typeof this.#options.url === 'function' ? this.#options.url() : this.#options.url,
      socketFactory: this.#options.socketFactory,
      requestTimeoutMs: this.#options.requestTimeoutMs,
    });
    this.#socket = sig;
    // A socket that was thrown away is closed, and a closed socket emits nothing more.
    sig.on('session-closed', (info) => this.emit('session-closed', info));
    sig.on('session-restarted', (info) => this.emit('session-restarted', info));
    sig.on('server-error', (err) => this.emit('server-error', err));
    sig.on('invalid-message', (err) => this.emit('invalid-message', err));
    sig.on('control-changed', (change) => this.emit('control-changed', change));
    sig.on('control-requested', (from) => this.emit('control-requested', from));
    sig.on('capture-request', (m) => this.emit('capture-request', m));
    sig.on('capture-stop', (requestId) => this.emit('capture-stop', requestId));
    sig.on('disconnected', (err) => {
      this.drop(sig);
      this.emit('disconnected', err);
    });
    return sig;
  }
}
