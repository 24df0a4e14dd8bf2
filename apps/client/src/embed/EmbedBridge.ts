import {
  EMBED_PROTOCOL,
  EMBED_PROTOCOL_VERSION,
  type EmbedCommand,
  type EmbedError,
  type EmbedEvent,
  EmbedHostMessage,
  type EmbedPlayerMessage,
  isEmbedMessage,
} from '@offload/protocol/embed';
import type { StoreApi } from 'zustand/vanilla';
import { ClientError } from '../core/ClientError';
import type { StreamClient } from '../core/StreamClient';
import type { OffloadStore } from '../store/types';

/** What the bridge posts to and hears from: the parent window, and this page's window. */
export interface EmbedWindows {
  /** The host page's window (window.parent). */
  host: { postMessage(message: unknown, targetOrigin: string): void };
  /** Where `message` events arrive (this page's window). */
  self: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

export interface EmbedBridgeOptions extends EmbedWindows {
  /** The host page's origin (`?parent=`, checked against the frame's real ancestor first). */
  parentOrigin: string;
  client: Pick<
    StreamClient,
    | 'join'
    | 'leave'
    | 'takeControl'
    | 'requestControl'
    | 'releaseControl'
    | 'sendInput'
    | 'requestKeyFrame'
    | 'setQualityCap'
  >;
  store: StoreApi<OffloadStore>;
  /** The session the player's URL names. */
  sessionId: string | null;
  /** Hands the player an access token before its socket opens; false if a socket is already open with another. */
  setToken(token: string): boolean;
  playerVersion: string;
  /** Reads the stream's stats now (what `get-stats` answers); null before any video. */
  refreshStats(): Promise<unknown>;
  /** Least time between two `latency` events (ms). Default 1000. */
  latencyIntervalMs?: number;
}

/** A command that failed, with the code the host sees. */
class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function toWire(err: unknown): EmbedError {
  if (err instanceof CommandError) return { code: err.code, message: err.message };
  const e = ClientError.from(err);
  return { code: e.code, message: e.message };
}

/**
 * The player's side of the embedding protocol (@offload/protocol/embed): reads commands
 * from its host page, runs them on the StreamClient and the store, and tells the host what
 * happens (state, session, control, errors, stats, latency) as the store changes. Only the
 * parent window at `parentOrigin` is heard, and only it is told anything.
 */
export class EmbedBridge {
  readonly #o: EmbedBridgeOptions;
  readonly #unsubscribe: () => void;
  readonly #onMessage = (e: MessageEvent) => this.#receive(e);
  #lastLatencyAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(o: EmbedBridgeOptions) {
    this.#o = o;
    o.self.addEventListener('message', this.#onMessage as EventListener);
    this.#unsubscribe = o.store.subscribe((s, prev) => this.#observe(s, prev));
    this.#post({ kind: 'ready', playerVersion: o.playerVersion });
    // Where things stand now, so a host that loads late still knows.
    const s = o.store.getState();
    this.#event({ type: 'state', state: s.connection.state, error: s.connection.error });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.self.removeEventListener('message', this.#onMessage as EventListener);
    this.#unsubscribe();
  }

  #receive(e: MessageEvent): void {
    // Anything not from our host page, at its origin, is not for us (another frame, an extension…).
    if (this.#closed || e.source !== (this.#o.host as unknown) || e.origin !== this.#o.parentOrigin) return;
    const data: unknown = e.data;
    if (!isEmbedMessage(data)) return;
    const id = (data as { id?: unknown }).id;
    const replyable = typeof id === 'number' && Number.isInteger(id) && id >= 0;
    if (data.v !== EMBED_PROTOCOL_VERSION) {
      if (replyable)
        this.#fail(id, {
          code: 'incompatible-protocol',
          message: `This player speaks embedding protocol v${EMBED_PROTOCOL_VERSION}, the host sent v${String(data.v)}: use the SDK that matches the server.`,
        });
      return;
    }
    const parsed = EmbedHostMessage.safeParse(data);
    if (!parsed.success) {
      if (replyable)
        this.#fail(id, { code: 'bad-command', message: `Not a valid command: ${parsed.error.message}` });
      return;
    }
    const { id: commandId, command } = parsed.data;
    this.#run(command).then(
      (result) =>
        this.#post({
          kind: 'result',
          id: commandId,
          ok: true,
          ...(result === undefined ? {} : { data: result }),
        }),
      (err: unknown) => this.#fail(commandId, toWire(err)),
    );
  }

  async #run(command: EmbedCommand): Promise<unknown> {
    const { client, store } = this.#o;
    const state = () => store.getState();
    const joined = () => {
      if (!state().session.sessionId)
        throw new CommandError('not-connected', 'The player has not joined a session.');
    };
    switch (command.type) {
      case 'connect': {
        if (command.token && !this.#o.setToken(command.token))
          throw new CommandError(
            'unsupported',
            'The player is already connected with another token; create a new player for it.',
          );
        const sessionId = this.#o.sessionId;
        if (!sessionId) throw new CommandError('bad-command', 'The player was loaded without a session id.');
        if (state().connection.state === 'streaming' && state().session.sessionId === sessionId) return;
        await client.join(sessionId);
        return;
      }
      case 'disconnect':
        await client.leave();
        return;
      case 'take-control':
        joined();
        return client.takeControl();
      case 'request-control':
        joined();
        return client.requestControl();
      case 'release-control':
        joined();
        return client.releaseControl();
      case 'mute':
      case 'unmute':
        state().setMuted(command.type === 'mute');
        return;
      case 'set-quality':
        await client.setQualityCap(command.cap === 'low' ? 'low' : 'auto');
        return;
      case 'rotate':
        throw new CommandError(
          'unsupported',
          "This session's screen does not rotate (no rotatable profile).",
        );
      case 'send-text': {
        joined();
        if (!state().control?.inControl)
          throw new CommandError(
            'not-controller',
            'Only the participant in control can type; take control first.',
          );
        if (!client.sendInput({ type: 'text', text: command.text }))
          throw new CommandError('not-connected', 'The text could not be sent: the stream is not up.');
        return;
      }
      case 'request-keyframe':
        joined();
        client.requestKeyFrame();
        return;
      case 'get-stats':
        return this.#o.refreshStats();
    }
  }

  /** Turns store changes into events for the host. */
  #observe(s: OffloadStore, prev: OffloadStore): void {
    if (s.connection !== prev.connection) {
      this.#event({ type: 'state', state: s.connection.state, error: s.connection.error });
      if (s.connection.error && s.connection.error !== prev.connection.error)
        this.#event({ type: 'error', error: s.connection.error });
    }
    if (s.session !== prev.session) {
      const { sessionId, viewerId, screen } = s.session;
      this.#event({
        type: 'session',
        session: sessionId && viewerId && screen ? { sessionId, viewerId, screen } : null,
      });
    }
    if (s.control !== prev.control) this.#event({ type: 'control', control: s.control });
    if (s.controlRequest && s.controlRequest !== prev.controlRequest)
      this.#event({ type: 'control-requested', from: s.controlRequest });
    if (s.media.stats && s.media.stats !== prev.media.stats)
      this.#event({ type: 'stats', stats: s.media.stats });
    if (s.media.muted !== prev.media.muted) this.#event({ type: 'muted', muted: s.media.muted });
    if (s.latency.samples !== prev.latency.samples) this.#latency(s);
  }

  #latency(s: OffloadStore): void {
    const now = performance.now();
    if (now - this.#lastLatencyAt < (this.#o.latencyIntervalMs ?? 1000)) return;
    const total = s.latency.summary.total;
    if (total.count === 0) return;
    this.#lastLatencyAt = now;
    const finite = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
    const verdict = s.latency.verdict;
    this.#event({
      type: 'latency',
      latency: {
        count: total.count,
        p50: finite(total.p50),
        p95: finite(total.p95),
        burnsMost: verdict?.burnsMost ?? null,
        budget: verdict ? { id: verdict.budget, pass: verdict.pass } : null,
      },
    });
  }

  #event(event: EmbedEvent): void {
    this.#post({ kind: 'event', event });
  }

  #fail(id: number, error: EmbedError): void {
    this.#post({ kind: 'result', id, ok: false, error });
  }

  #post(message: DistributiveOmit<EmbedPlayerMessage, 'protocol' | 'v'>): void {
    if (this.#closed) return;
    this.#o.host.postMessage(
      { protocol: EMBED_PROTOCOL, v: EMBED_PROTOCOL_VERSION, ...message },
      this.#o.parentOrigin,
    );
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
