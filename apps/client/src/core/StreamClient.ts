import {
  INPUT_CHANNEL_RELIABLE,
  INPUT_CHANNEL_UNRELIABLE,
  type JoinedData,
  type LatencySampleWire,
  type Ping,
  PROTOCOL_VERSION,
  parseDownstreamMessage,
  type RequestPayload,
} from '@offload/protocol';
import { Device, type types } from 'mediasoup-client';
import { ClientError } from './ClientError';
import type { StreamClientEvents } from './events';
import { InputSender } from './input/InputSender';
import type { InputDraft } from './input/inputTypes';
import { createTransport, preferLowLatency } from './media/transport';
import { SignalingClient, type SocketFactory } from './signaling/SignalingClient';
import { TypedEmitter } from './TypedEmitter';
import type { ConnectionState, ControlInfo, SessionInfo } from './types';

export interface StreamClientOptions {
  /** Signaling WebSocket URL (see resolveSignalingUrl). */
  url: string;
  /** Default: the browser's WebSocket. */
  socketFactory?: SocketFactory;
  /** Signaling request timeout in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Creates the mediasoup Device. Default: `new Device()` (detects the browser); tests pass a fake handler. */
  createDevice?: () => Device;
  /** Name sent in `hello`. Default "offload-web". */
  clientName?: string;
  /** Consume the server channel (pongs, input timings) for latency monitoring. Default true. */
  serverChannel?: boolean;
  /** How long to keep trying to resume after the connection dropped, in ms. Default 60 000. */
  reconnectForMs?: number;
  /** Delay before the first reconnect attempt, in ms (doubles up to 1 s, ±25 % jitter). Default 250. */
  reconnectDelayMs?: number;
  /**
   * Asked when the socket would not open: a browser sees no HTTP status for a refused
   * upgrade, so this can ask the server why (e.g. GET /api/auth-check) and return a better
   * error (`unauthorized`, `token-expired`), or null to keep `server-unreachable`.
   */
  diagnose?: () => Promise<ClientError | null>;
}

/**
 * How long requests that may wait for an app to start (create; join and resume of a session
 * that is starting or restarting) may take (ms): a busy host can need many seconds.
 */
const SESSION_START_TIMEOUT_MS = 30_000;
const RESUME_TIMEOUT_MS = SESSION_START_TIMEOUT_MS;

/** Errors after which resuming cannot succeed: join again instead. */
const FINAL_RESUME_ERRORS: ReadonlySet<string> = new Set([
  'not-allowed',
  'session-not-found',
  'session-closed',
  'incompatible-protocol',
  'at-capacity',
  'invalid-message',
]);

const ACTIVE: ReadonlySet<ConnectionState> = new Set(['connecting', 'joining', 'streaming']);

/**
 * The one object that owns the stream: the signaling socket, the mediasoup Device, both
 * transports, the consumers and the input data producers. The UI observes it through events
 * (bound into the store) and calls its methods; nothing else touches WebRTC.
 */
export class StreamClient extends TypedEmitter<StreamClientEvents> {
  #state: ConnectionState = 'idle';
  #error: ClientError | null = null;
  #session: SessionInfo | null = null;
  #role: ControlInfo | null = null;
  #tracks: MediaStreamTrack[] = [];

  readonly #options: StreamClientOptions;
  #sig: SignalingClient | null = null;
  #ready: Promise<SignalingClient> | null = null;
  #device: Device | null = null;
  #recv: types.Transport | null = null;
  #send: types.Transport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #dataProducers = new Map<string, types.DataProducer>();
  #serverChannel: types.DataConsumer | null = null;
  #pingOpen = false;
  #input: InputSender | null = null;
  /** Bumped by every join/leave/close so an outdated join stops at its next step. */
  #attempt = 0;
  /** Where to resume after a drop: set by join/resume, cleared by leave/close/session end. */
  #resume: { sessionId: string; token: string } | null = null;
  /** Times the connection was resumed (for tests and the HUD). */
  #resumes = 0;
  #closed = false;

  constructor(options: StreamClientOptions) {
    super();
    if (!options.url) throw new TypeError('StreamClient needs a signaling url');
    this.#options = options;
  }

  get state(): ConnectionState {
    return this.#state;
  }
  get error(): ClientError | null {
    return this.#error;
  }
  get session(): SessionInfo | null {
    return this.#session;
  }
  /** Who controls the session; null when not joined. */
  get role(): ControlInfo | null {
    return this.#role;
  }
  get tracks(): readonly MediaStreamTrack[] {
    return this.#tracks;
  }
  /** How many times this client resumed its session after a drop or a media restart. */
  get resumes(): number {
    return this.#resumes;
  }
  /** Whether each input data channel is open (false: input goes over the WebSocket). */
  get inputChannels(): { reliable: boolean; unreliable: boolean } {
    const open = (label: string) => this.#dataProducers.get(label)?.readyState === 'open';
    return { reliable: open(INPUT_CHANNEL_RELIABLE), unreliable: open(INPUT_CHANNEL_UNRELIABLE) };
  }

  /** Opens the socket and says hello; resolves once the server accepted our protocol version. */
  async connect(): Promise<void> {
    try {
      await this.#connect();
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /** connect() without failing the client: the reconnect loop retries instead. */
  async #connect(): Promise<void> {
    if (this.#closed) throw ClientError.closed();
    if (!this.#ready) {
      if (!ACTIVE.has(this.#state) && this.#state !== 'reconnecting') this.#setState('connecting', null);
      const sig = this.#newSignaling();
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
        return sig;
      })();
      this.#ready.catch(() => this.#dropSignaling(sig));
    }
    await this.#ready;
  }

  /** Starts a new app session on the server; returns its id (join it next). */
  async createSession(profile?: string): Promise<string> {
    await this.connect();
    try {
      const { sessionId } = await this.#signaling().request('session/create', profile ? { profile } : {}, {
        timeoutMs: SESSION_START_TIMEOUT_MS,
      });
      return sessionId;
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /**
   * Joins a session and starts receiving its screen: resolves once the consumers are resumed
   * (state `streaming`). On failure the state becomes `failed` and the promise rejects with
   * the same ClientError. Joining again (e.g. "Retry") starts over.
   */
  async join(sessionId: string): Promise<void> {
    if (!sessionId) throw new TypeError('join() needs a session id');
    const attempt = ++this.#attempt;
    this.#closeMedia();
    this.#setSession(null);
    this.#resume = null;
    try {
      await this.connect();
      this.#check(attempt);
      this.#setState('joining', null);
      if (!this.#options.createDevice && typeof RTCPeerConnection === 'undefined') {
        throw new ClientError('unsupported-browser', 'RTCPeerConnection is not available.');
      }
      const joined = await this.#signaling().request(
        'session/join',
        { sessionId },
        { timeoutMs: SESSION_START_TIMEOUT_MS },
      );
      this.#check(attempt);
      await this.#startMedia(joined, attempt);
    } catch (err) {
      if (attempt !== this.#attempt) throw ClientError.from(err);
      throw this.#fail(err);
    }
  }

  /** After a join (or a resume whose media is new): Device, receive transport, consumers, input. */
  async #startMedia(joined: JoinedData, attempt: number): Promise<void> {
    this.#resume = { sessionId: joined.sessionId, token: joined.resumeToken };
    this.#setSession({ sessionId: joined.sessionId, viewerId: joined.viewerId, screen: joined.screen });
    this.#setRole({
      // `role` rather than the ids: a server without roles answers 'controller' for everyone.
      inControl: joined.role === 'controller',
      canControl: joined.canControl,
      controllerId: joined.controllerId,
      controllerName: joined.controllerName,
    });
    this.#input = new InputSender({
      // Whichever socket is current: a resume replaces it.
      fallback: (event) => this.#sig?.sendInput(event) ?? false,
      onSent: (event) => this.emit('input-sent', event),
    });
    const device = this.#options.createDevice?.() ?? new Device();
    this.#device = device;
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
    this.#check(attempt);
    this.#recv = await this.#createTransport('recv');
    this.#check(attempt);
    await this.#consume(this.#recv, attempt);
    this.#setState('streaming', null);
    // The input transport comes second so its ICE/DTLS/SCTP set-up does not compete with the
    // first frame; input rides the WebSocket until the channels open.
    void this.#startInput(attempt);
    if (this.#options.serverChannel !== false) void this.#startServerChannel(attempt);
  }

  /**
   * Takes our place in the session again, on the current socket: the server either kept our
   * transports (restart ICE on them: our network may have changed) or they are gone (set up
   * media again, as after a join). Throws if that fails.
   */
  async #resumeSession(attempt: number): Promise<void> {
    const resume = this.#resume;
    if (!resume) throw ClientError.connectionLost('Nothing to resume.');
    const sig = this.#signaling();
    // A server restarted in place starts the session again before it answers: give it time.
    const r = await sig.request(
      'session/resume',
      { sessionId: resume.sessionId, resumeToken: resume.token },
      { timeoutMs: RESUME_TIMEOUT_MS },
    );
    this.#check(attempt);
    this.#resume = { sessionId: r.sessionId, token: r.resumeToken };
    this.#resumes++;
    if (!r.fresh && this.#recv && !this.#recv.closed) {
      try {
        await this.#restartIce(attempt);
        this.#setState('streaming', null);
        return;
      } catch (err) {
        // Our place was kept but not our transports (e.g. an earlier, timed-out resume made
        // it): set media up again below.
        if (ClientError.from(err).code !== 'transport-not-found') throw err;
      }
    }
    this.#closeMedia();
    await this.#startMedia(r, attempt);
  }

  /** New ICE credentials for our transports: the path to the server may have changed. */
  async #restartIce(attempt: number): Promise<void> {
    const sig = this.#signaling();
    for (const t of [this.#recv, this.#send]) {
      if (!t || t.closed) continue;
      const { iceParameters } = await sig.request('transport/restart-ice', { transportId: t.id });
      this.#check(attempt);
      await t.restartIce({ iceParameters: iceParameters as types.IceParameters });
    }
  }

  /**
   * The connection dropped (socket, ICE) or the server restarted our session's media: keep
   * the last frame up and resume, retrying with backoff until `reconnectForMs` has passed.
   */
  async #reconnect(reason: ClientError, { sameSocket = false } = {}): Promise<void> {
    if (this.#closed || !this.#resume) {
      this.#fail(reason);
      return;
    }
    const attempt = ++this.#attempt;
    this.#setState('reconnecting', null);
    this.#warn(reason);
    const deadline = Date.now() + (this.#options.reconnectForMs ?? 60_000);
    let delay = this.#options.reconnectDelayMs ?? 250;
    let useSocket = sameSocket;
    for (;;) {
      try {
        if (!useSocket) await this.#connect();
        useSocket = false;
        this.#check(attempt);
        await this.#resumeSession(attempt);
        return;
      } catch (err) {
        if (attempt !== this.#attempt || this.#closed) return;
        const error = ClientError.from(err);
        if (FINAL_RESUME_ERRORS.has(error.code) || Date.now() + delay > deadline) {
          this.#resume = null;
          this.#attempt++;
          this.#fail(error);
          return;
        }
        // The socket may be half-dead: start the next try on a new one.
        if (this.#sig) this.#dropSignaling(this.#sig);
        // Jittered, so the clients of a restarted server do not all come back in one instant.
        await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() / 2)));
        delay = Math.min(delay * 2, 1000);
        if (attempt !== this.#attempt || this.#closed) return;
      }
    }
  }

  /** Sends one input event (stamped with seq and ts); false if no session can take it or another participant has control. */
  sendInput(draft: InputDraft): boolean {
    if (!this.#input || !this.#session || !ACTIVE.has(this.#state)) return false;
    // The server drops a watcher's input anyway; not sending it spares the wire and the warnings.
    if (this.#role && !this.#role.inControl) return false;
    return this.#input.send(draft) !== null;
  }

  /** Sends a clock-sync ping on the unreliable input channel only (never the socket); false if it is not open. */
  sendPing(ping: Ping): boolean {
    const channel = this.#dataProducers.get(INPUT_CHANNEL_UNRELIABLE);
    if (channel?.readyState !== 'open') return false;
    try {
      channel.send(JSON.stringify(ping));
      return true;
    } catch {
      return false;
    }
  }

  /** Sends measured input-to-photon samples (at most MAX_REPORTED_SAMPLES) for the server's metrics. */
  reportLatency(samples: LatencySampleWire[]): boolean {
    if (!this.#sig?.isOpen || samples.length === 0) return false;
    return this.#sig.notify({ type: 'latency/report', samples });
  }

  /** Asks the server for a keyframe on every video consumer (e.g. the tab became visible). */
  requestKeyFrame(): void {
    const sig = this.#sig;
    if (!sig?.isOpen || this.#state !== 'streaming') return;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind !== 'video') continue;
      sig.request('media/keyframe', { consumerId: consumer.id }).catch((err) => this.#warn(err));
    }
  }

  /** The video receiver's stats (see computeStats), or null when not streaming. */
  async getVideoStats(): Promise<RTCStatsReport | null> {
    const consumer = [...this.#consumers.values()].find((c) => c.kind === 'video' && !c.closed);
    return consumer ? consumer.getStats() : null;
  }

  /** Asks the controller for control (it may answer by granting it). */
  requestControl(): Promise<void> {
    return this.#controlRequest('control/request', {});
  }

  /** Takes control, which nobody holds. */
  takeControl(): Promise<void> {
    return this.#controlRequest('control/take', {});
  }

  /** Hands control to another participant (the controller only). */
  grantControl(viewerId: string): Promise<void> {
    return this.#controlRequest('control/grant', { viewerId });
  }

  /** Gives control up (the controller only). */
  releaseControl(): Promise<void> {
    return this.#controlRequest('control/release', {});
  }

  async #controlRequest<K extends 'control/request' | 'control/take' | 'control/grant' | 'control/release'>(
    type: K,
    payload: RequestPayload<K>,
  ): Promise<void> {
    if (!this.#session) throw new ClientError('not-joined', 'Join a session first.');
    try {
      await this.#signaling().request(type, payload);
    } catch (err) {
      const error = ClientError.from(err);
      this.#warn(error);
      throw error;
    }
  }

  /** Leaves the session but keeps the socket for another join. */
  async leave(): Promise<void> {
    this.#attempt++;
    this.#resume = null;
    const hadSession = this.#session !== null;
    this.#closeMedia();
    this.#setSession(null);
    if (!this.#closed) this.#setState('closed', null);
    const sig = this.#sig;
    if (hadSession && sig?.isOpen) await sig.request('session/leave', {}).catch((err) => this.#warn(err));
  }

  /** Closes everything, for good. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#attempt++;
    this.#resume = null;
    this.#closeMedia();
    this.#setSession(null);
    this.#setState('closed', this.#state === 'failed' ? this.#error : null);
    this.#closed = true;
    const sig = this.#sig;
    this.#sig = null;
    this.#ready = null;
    sig?.close();
    this.removeAllListeners();
  }

  #newSignaling(): SignalingClient {
    const sig = new SignalingClient({
      url: this.#options.url,
      socketFactory: this.#options.socketFactory,
      requestTimeoutMs: this.#options.requestTimeoutMs,
    });
    this.#sig = sig;
    sig.on('session-closed', ({ sessionId, reason }) => {
      if (this.#session && this.#session.sessionId !== sessionId) return;
      this.#attempt++;
      this.#resume = null;
      this.#closeMedia();
      this.#setState('closed', new ClientError('session-closed', reason || 'The session ended.'));
    });
    sig.on('session-restarted', ({ sessionId, reason }) => {
      if (this.#session?.sessionId !== sessionId) return;
      void this.#reconnect(new ClientError('connection-lost', `The session restarted: ${reason}`), {
        sameSocket: true,
      });
    });
    sig.on('server-error', (err) => this.#warn(err));
    sig.on('control-changed', ({ controllerId, controllerName }) => {
      const session = this.#session;
      if (!session || !this.#role) return;
      this.#setRole({
        ...this.#role,
        inControl: controllerId === session.viewerId,
        controllerId,
        controllerName,
      });
    });
    sig.on('control-requested', (from) => {
      if (this.#role?.inControl) this.emit('control-requested', from);
    });
    sig.on('invalid-message', (err) => this.#warn(err));
    sig.on('disconnected', (err) => {
      this.#dropSignaling(sig);
      if (this.#state === 'reconnecting') return; // the loop retries on its own
      if (this.#state === 'streaming' && this.#resume) void this.#reconnect(err);
      else if (ACTIVE.has(this.#state)) {
        this.#attempt++;
        this.#fail(err);
      }
    });
    return sig;
  }

  #dropSignaling(sig: SignalingClient): void {
    if (this.#sig !== sig) return;
    this.#sig = null;
    this.#ready = null;
    sig.close();
  }

  #signaling(): SignalingClient {
    if (!this.#sig?.isOpen) throw ClientError.connectionLost('The signaling socket is not open.');
    return this.#sig;
  }

  #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    return createTransport(
      () => this.#signaling(),
      this.#device!,
      direction,
      () => {
        if (direction === 'recv') {
          const err = new ClientError('media-failed', "The recv transport's ICE/DTLS connection failed.");
          if (this.#state === 'reconnecting') return; // a resume is under way; it restarts ICE
          if (this.#resume && this.#state === 'streaming') {
            // The socket still works (or the loop reconnects it): restart ICE through a resume.
            if (this.#sig) this.#dropSignaling(this.#sig);
            void this.#reconnect(err);
          } else {
            this.#attempt++;
            this.#fail(err);
          }
        } else {
          this.#warn(
            new ClientError('media-failed', 'The input transport failed; input falls back to the socket.'),
          );
        }
      },
    );
  }

  async #consume(recv: types.Transport, attempt: number): Promise<void> {
    const sig = this.#signaling();
    const device = this.#device!;
    const { consumers } = await sig.request('media/consume', { rtpCapabilities: device.rtpCapabilities });
    this.#check(attempt);
    if (!consumers.some((c) => c.kind === 'video')) {
      throw new ClientError('no-video', 'The server returned no video consumer.');
    }
    for (const info of consumers) {
      const consumer = await recv.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
        // A stream of its own per kind: with one stream id for audio and video, Chrome would
        // hold video back to keep lip sync with audio.
        streamId: `offload-${info.kind}`,
      });
      this.#check(attempt);
      this.#consumers.set(consumer.id, consumer);
      preferLowLatency(consumer.rtpReceiver);
      consumer.on('transportclose', () => this.#consumers.delete(consumer.id));
      // Consumers start paused on the server; resuming only now means the first keyframe is not lost.
      await sig.request('media/resume', { consumerId: consumer.id });
      this.#check(attempt);
    }
    const all = [...this.#consumers.values()];
    this.#tracks = [...all.filter((c) => c.kind === 'video'), ...all.filter((c) => c.kind !== 'video')].map(
      (c) => c.track,
    );
    this.emit('tracks', this.#tracks);
  }

  /** The send transport and its input data channels; a failure only costs the fast path. */
  async #startInput(attempt: number): Promise<void> {
    try {
      const send = await this.#createTransport('send');
      if (attempt !== this.#attempt) {
        send.close();
        return;
      }
      this.#send = send;
      await this.#openInputChannels(send, attempt);
    } catch (err) {
      if (attempt === this.#attempt) this.#warn(err);
    }
  }

  async #openInputChannels(send: types.Transport, attempt: number): Promise<void> {
    const input = this.#input;
    if (!input || !this.#device?.sctpCapabilities) return;
    const open = async (label: string, options: types.DataProducerOptions) => {
      try {
        const producer = await send.produceData({ ...options, label });
        if (attempt !== this.#attempt) {
          producer.close();
          return;
        }
        this.#dataProducers.set(label, producer);
        producer.on('transportclose', () => this.#dataProducers.delete(label));
        if (label === INPUT_CHANNEL_RELIABLE) input.setChannels({ reliable: producer });
        else {
          input.setChannels({ unreliable: producer });
          const closed = () => this.#setPingOpen(false);
          producer.on('transportclose', closed);
          producer.on('close', closed);
          if (producer.readyState === 'open') this.#setPingOpen(true);
          else producer.on('open', () => this.#setPingOpen(true));
        }
      } catch (err) {
        // A transport closed under a pending produceData (leave, failure) is not worth a warning.
        if (attempt === this.#attempt && this.#send === send) this.#warn(err);
      }
    };
    await Promise.all([
      open(INPUT_CHANNEL_UNRELIABLE, { ordered: false, maxRetransmits: 0 }),
      open(INPUT_CHANNEL_RELIABLE, { ordered: true }),
    ]);
  }

  /**
   * The server channel (pongs, input timings); without it there is no latency breakdown. Its
   * wire label stays `control`; here it is the server channel, as "control" already means who
   * controls the session.
   */
  async #startServerChannel(attempt: number): Promise<void> {
    try {
      const recv = this.#recv;
      if (!recv || !this.#device?.sctpCapabilities) return;
      const info = await this.#signaling().request('data/consume', {});
      this.#check(attempt);
      const consumer = await recv.consumeData({
        id: info.dataConsumerId,
        dataProducerId: info.dataProducerId,
        sctpStreamParameters: info.sctpStreamParameters as types.SctpStreamParameters,
        label: info.label,
        protocol: info.protocol,
      });
      if (attempt !== this.#attempt || this.#recv !== recv) {
        consumer.close();
        return;
      }
      this.#serverChannel = consumer;
      consumer.on('message', (data: unknown) => this.#onServerMessage(data));
      consumer.on('transportclose', () => {
        if (this.#serverChannel === consumer) this.#serverChannel = null;
      });
    } catch (err) {
      if (attempt === this.#attempt) this.#warn(err);
    }
  }

  #onServerMessage(data: unknown): void {
    const parsed = parseDownstreamMessage(typeof data === 'string' ? data : '');
    if (parsed.ok) this.emit('server-message', parsed.value);
    else this.#warn(parsed.error);
  }

  #setPingOpen(open: boolean): void {
    if (this.#pingOpen === open) return;
    this.#pingOpen = open;
    this.emit('ping-channel', open);
  }

  /** Throws if a newer join/leave/close superseded this join. */
  #check(attempt: number): void {
    if (attempt !== this.#attempt || this.#closed) throw ClientError.closed();
  }

  #closeMedia(): void {
    this.#setPingOpen(false);
    this.#serverChannel?.close();
    this.#serverChannel = null;
    for (const p of this.#dataProducers.values()) p.close();
    this.#dataProducers.clear();
    for (const c of this.#consumers.values()) c.close();
    this.#consumers.clear();
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
    this.#device = null;
    this.#input = null;
    if (this.#tracks.length > 0) {
      this.#tracks = [];
      this.emit('tracks', []);
    }
  }

  #fail(err: unknown): ClientError {
    const error = ClientError.from(err);
    if (this.#closed) return error;
    this.#closeMedia();
    this.#setState('failed', error);
    return error;
  }

  #warn(err: unknown): void {
    const error = ClientError.from(err);
    if (error.code === 'client-closed') return;
    console.warn(`[offload] ${error.code}: ${error.message}`);
    this.emit('warning', error);
  }

  #setSession(session: SessionInfo | null): void {
    if (this.#session === session) return;
    this.#session = session;
    if (!session) this.#setRole(null);
    this.emit('session', session);
  }

  #setRole(role: ControlInfo | null): void {
    if (this.#role === role) return;
    this.#role = role;
    this.emit('role', role);
  }

  #setState(state: ConnectionState, error: ClientError | null): void {
    if (this.#closed || (state === this.#state && error === this.#error)) return;
    this.#state = state;
    this.#error = error;
    this.emit('state', state, error);
  }
}
