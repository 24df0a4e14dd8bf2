import {
  EMBED_PROTOCOL,
  EMBED_PROTOCOL_VERSION,
  type EmbedCommand,
  type EmbedEvent,
  EmbedPlayerMessage,
  isEmbedMessage,
} from '@offload/protocol/embed';
import { Emitter } from './emitter.js';
import { OffloadEmbedError } from './errors.js';
import type {
  EmbedControl,
  EmbedError,
  EmbedLatencySummary,
  EmbedState,
  EmbedStats,
  SessionDetails,
} from './types.js';

export interface PlayerOptions {
  /** The Offload server: its URL (e.g. "https://offload.example.com"); the player page is served there. */
  server: string;
  /** The session to play (from your backend's POST /api/sessions, or a shared link). */
  session: string;
  /** An access token for that session (viewer or controller); sent over postMessage, never put in a URL. */
  token?: string;
  /** Join as soon as the player has loaded. Default true; false: call connect(). */
  autoConnect?: boolean;
  /** Run the latency monitor (`latency` events, the HUD). Default true. */
  latency?: boolean;
  /**
   * Low-power mode (the low simulcast layer, fewer stats polls): true or false; default: the
   * player decides (devices with ≤ 2 GB of memory, or Save-Data).
   */
  lowPower?: boolean;
  /** The iframe's accessible name. Default "Offload player". */
  title?: string;
  /** How long the player may take to load and say `ready` (ms). Default 20 000. */
  readyTimeoutMs?: number;
  /** How long a command may take (ms); `connect` may wait for an app to start. Default 45 000. */
  commandTimeoutMs?: number;
}

/** What a player tells, by event name. */
export type PlayerEvents = {
  /** The player page loaded and answers commands. */
  ready: [info: { playerVersion: string }];
  /** Connection state changed; `error` in `failed` (and in `closed` when the session ended). */
  state: [state: EmbedState, error: EmbedError | null];
  /** Joined (details) or left (null). */
  session: [session: SessionDetails];
  /** Who controls the session (null: not joined). */
  control: [control: EmbedControl | null];
  /** To the controller: a participant asks for control. */
  'control-requested': [from: { viewerId: string; name?: string }];
  /** Something went wrong: the stream failed, or the player could not be reached. */
  error: [error: OffloadEmbedError];
  /** Latency monitor summary (input-to-photon, ms), at most once a second. */
  latency: [summary: EmbedLatencySummary];
  /** Stream stats, once a second while streaming. */
  stats: [stats: EmbedStats];
  muted: [muted: boolean];
};

/** Where the player page lives: the iframe's window (null until it exists). */
export interface PlayerFrame {
  readonly contentWindow: { postMessage(message: unknown, targetOrigin: string): void } | null;
}

/** The host page's window, as far as the SDK uses it. */
export interface HostWindow {
  readonly location: { readonly origin: string };
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}

interface Pending {
  resolve(data: unknown): void;
  reject(err: OffloadEmbedError): void;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 45_000;

/**
 * The player page's URL for these options: player only (`embed=1`), told who its host is
 * (`parent`, checked by the player against the frame's real ancestor) and to wait for
 * `connect` (`autoconnect=0`), so the token arrives by message.
 */
export function playerUrl(options: PlayerOptions, hostOrigin: string): URL {
  let base: URL;
  try {
    base = new URL(options.server);
  } catch {
    throw new TypeError(`options.server must be the Offload server's URL, got "${options.server}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new TypeError(`options.server must be an http(s) URL, got "${options.server}"`);
  if (!options.session) throw new TypeError('options.session is required');
  const url = new URL(base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`, base.origin);
  url.searchParams.set('session', options.session);
  url.searchParams.set('embed', '1');
  url.searchParams.set('parent', hostOrigin);
  url.searchParams.set('autoconnect', '0');
  if (options.latency === false) url.searchParams.set('latency', '0');
  if (options.lowPower !== undefined) url.searchParams.set('lowpower', options.lowPower ? '1' : '0');
  return url;
}

/**
 * One embedded player, seen from the host page: its iframe's window at the server's origin
 * is the only sender it listens to, and the only one it posts to. Commands are promises
 * (they reject with an OffloadEmbedError); what happens in the player comes as events.
 * Commands sent before the player is ready wait for it.
 */
export class OffloadPlayer extends Emitter<PlayerEvents> {
  /** The server's origin: where the player page lives. */
  readonly origin: string;
  #state: EmbedState = 'idle';
  #control: EmbedControl | null = null;
  #session: SessionDetails = null;
  #muted = true;
  #ready = false;
  #destroyed = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #queue: { id: number; command: EmbedCommand }[] = [];
  readonly #readyWaiters: { resolve(): void; reject(err: OffloadEmbedError): void }[] = [];
  readonly #readyTimer: ReturnType<typeof setTimeout>;
  readonly #onMessage = (e: MessageEvent) => this.#receive(e);

  constructor(
    readonly frame: PlayerFrame,
    readonly options: PlayerOptions,
    readonly host: HostWindow,
    /** Called by destroy() (createPlayer removes its iframe there). */
    readonly onDestroy: () => void = () => {},
  ) {
    super();
    this.origin = playerUrl(options, host.location.origin).origin;
    host.addEventListener('message', this.#onMessage);
    this.#readyTimer = setTimeout(() => {
      if (this.#ready || this.#destroyed) return;
      const err = new OffloadEmbedError(
        'player-unreachable',
        `The player at ${this.origin} did not load within ${options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS} ms: check options.server, and that the server lists this page's origin (${host.location.origin}) in OFFLOAD_ALLOWED_ORIGINS.`,
      );
      this.#failAll(err);
      this.emit('error', err);
    }, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  }

  get state(): EmbedState {
    return this.#state;
  }
  get control(): EmbedControl | null {
    return this.#control;
  }
  get session(): SessionDetails {
    return this.#session;
  }
  get muted(): boolean {
    return this.#muted;
  }
  /** The player page has loaded and answers commands. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Resolves once the player is ready; rejects if it never gets there (player-unreachable) or is destroyed. */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    if (this.#destroyed) return Promise.reject(destroyedError());
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /** Joins the session (with the token given in the options); resolves once streaming. */
  connect(): Promise<void> {
    return this.#command({ type: 'connect', ...(this.options.token ? { token: this.options.token } : {}) });
  }
  /** Leaves the session; connect() joins again. */
  disconnect(): Promise<void> {
    return this.#command({ type: 'disconnect' });
  }
  /** Takes control while nobody holds it (needs a controller token, or an open server). */
  takeControl(): Promise<void> {
    return this.#command({ type: 'take-control' });
  }
  /** Asks the controller for control. */
  requestControl(): Promise<void> {
    return this.#command({ type: 'request-control' });
  }
  releaseControl(): Promise<void> {
    return this.#command({ type: 'release-control' });
  }
  mute(): Promise<void> {
    return this.#command({ type: 'mute' });
  }
  unmute(): Promise<void> {
    return this.#command({ type: 'unmute' });
  }
  /** `low`: the low simulcast layer only (a weak link or a small screen); `auto`: the best the network allows. */
  setQuality(cap: 'auto' | 'low'): Promise<void> {
    return this.#command({ type: 'set-quality', cap });
  }
  /** Rotates the app's screen; rejects with `unsupported` where the session's profile does not rotate. */
  rotate(orientation: 'portrait' | 'landscape'): Promise<void> {
    return this.#command({ type: 'rotate', orientation });
  }
  /** Types text into the app's focused field (needs control). */
  sendText(text: string): Promise<void> {
    return this.#command({ type: 'send-text', text });
  }
  requestKeyFrame(): Promise<void> {
    return this.#command({ type: 'request-keyframe' });
  }
  /** The stream's stats, read from the receiver when asked (null before any video has arrived). */
  getStats(): Promise<EmbedStats | null> {
    return this.#command<EmbedStats | null>({ type: 'get-stats' });
  }

  /** Stops listening, rejects what is pending (`player-destroyed`) and removes the player. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    clearTimeout(this.#readyTimer);
    this.host.removeEventListener('message', this.#onMessage);
    this.#failAll(destroyedError());
    this.removeAllListeners();
    this.onDestroy();
  }

  #command<T = void>(command: EmbedCommand): Promise<T> {
    if (this.#destroyed) return Promise.reject(destroyedError());
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new OffloadEmbedError(
            'request-timeout',
            `The player did not answer "${command.type}" within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      if (this.#ready) this.#post(id, command);
      else this.#queue.push({ id, command });
    });
  }

  #post(id: number, command: EmbedCommand): void {
    const target = this.frame.contentWindow;
    if (!target) {
      this.#settle(id, {
        ok: false,
        error: { code: 'player-unreachable', message: 'The player frame is gone.' },
      });
      return;
    }
    target.postMessage(
      { protocol: EMBED_PROTOCOL, v: EMBED_PROTOCOL_VERSION, kind: 'command', id, command },
      this.origin,
    );
  }

  #receive(e: MessageEvent): void {
    // Only our player's window, at the server's origin: nothing else on the page speaks for it.
    if (
      this.#destroyed ||
      e.origin !== this.origin ||
      !this.frame.contentWindow ||
      e.source !== this.frame.contentWindow
    )
      return;
    if (!isEmbedMessage(e.data)) return;
    if (e.data.v !== EMBED_PROTOCOL_VERSION) {
      const err = new OffloadEmbedError(
        'incompatible-protocol',
        `The player speaks embedding protocol v${String(e.data.v)}, this SDK v${EMBED_PROTOCOL_VERSION}: load the SDK from the same server (/sdk/offload-embed.js).`,
      );
      this.#failAll(err);
      this.emit('error', err);
      return;
    }
    const parsed = EmbedPlayerMessage.safeParse(e.data);
    if (!parsed.success) {
      console.warn('[offload-embed] ignored an invalid message from the player', parsed.error.message);
      return;
    }
    const msg = parsed.data;
    switch (msg.kind) {
      case 'ready':
        this.#onReady(msg.playerVersion);
        return;
      case 'result':
        this.#settle(msg.id, msg);
        return;
      case 'event':
        this.#onEvent(msg.event);
        return;
    }
  }

  #onReady(playerVersion: string): void {
    if (this.#ready) return;
    this.#ready = true;
    clearTimeout(this.#readyTimer);
    for (const { id, command } of this.#queue.splice(0)) this.#post(id, command);
    for (const w of this.#readyWaiters.splice(0)) w.resolve();
    this.emit('ready', { playerVersion });
    if (this.options.autoConnect !== false)
      this.connect().catch(() => {
        // The failure also arrives as state `failed` and an `error` event.
      });
  }

  #onEvent(event: EmbedEvent): void {
    switch (event.type) {
      case 'state':
        this.#state = event.state;
        this.emit('state', event.state, event.error);
        return;
      case 'session':
        this.#session = event.session;
        this.emit('session', event.session);
        return;
      case 'control':
        this.#control = event.control;
        this.emit('control', event.control);
        return;
      case 'control-requested':
        this.emit('control-requested', event.from);
        return;
      case 'error':
        this.emit('error', new OffloadEmbedError(event.error.code, event.error.message));
        return;
      case 'latency':
        this.emit('latency', event.latency);
        return;
      case 'stats':
        this.emit('stats', event.stats);
        return;
      case 'muted':
        this.#muted = event.muted;
        this.emit('muted', event.muted);
        return;
    }
  }

  #settle(id: number, result: { ok: boolean; data?: unknown; error?: EmbedError }): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (result.ok) p.resolve(result.data ?? null);
    else
      p.reject(
        new OffloadEmbedError(
          result.error?.code ?? 'internal',
          result.error?.message ?? 'The command failed.',
        ),
      );
  }

  #failAll(err: OffloadEmbedError): void {
    this.#queue.length = 0;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(err);
    }
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
  }
}

function destroyedError(): OffloadEmbedError {
  return new OffloadEmbedError('player-destroyed', 'The player was destroyed.');
}
