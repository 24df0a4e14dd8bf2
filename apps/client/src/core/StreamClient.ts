import type { JoinedData, LatencySampleWire, Ping, SensorReading } from '@offload/protocol';
import { ClientError } from './ClientError';
import type { StreamClientEvents } from './events';
import type { InputDraft } from './input/inputTypes';
import { DeviceLoader } from './media/DeviceLoader';
import { MediaSession, type QualityCap } from './media/MediaSession';
import type { StreamClientOptions } from './options';
import { type Attempt, Attempts } from './session/Attempt';
import { type Resumed, Resumer } from './session/Resumer';
import { Roles } from './session/Roles';
import { SessionHost } from './session/SessionHost';
import { SignalingConnection } from './signaling/SignalingConnection';
import { TypedEmitter } from './TypedEmitter';
import type { ConnectionState, ControlInfo, SessionInfo } from './types';

/** How long a create, or a join of a session still starting, may take (ms): a busy host needs seconds. */
const SESSION_START_TIMEOUT_MS = 30_000;

const ACTIVE: ReadonlySet<ConnectionState> = new Set(['connecting', 'joining', 'streaming']);

/**
 * The one object the UI talks to: it observes it through events (bound into the store) and
 * calls its methods; nothing else touches WebRTC. A thin front over parts that each own one
 * thing: the signaling socket and its hello (SignalingConnection), the media of a join
 * (MediaSession, with its InputChannels and ReportChannel), who has control (Roles), and our
 * place in the session with the loop that resumes it (Resumer, ReconnectPolicy), which node of
 * a cluster the socket goes to (SessionHost). It keeps the connection state and the session,
 * and decides what a drop or a failure costs.
 */
export class StreamClient extends TypedEmitter<StreamClientEvents> {
  #state: ConnectionState = 'idle';
  #error: ClientError | null = null;
  #session: SessionInfo | null = null;
  #tracks: MediaStreamTrack[] = [];

  readonly #options: StreamClientOptions;
  readonly #signaling: SignalingConnection;
  readonly #devices: DeviceLoader;
  readonly #roles: Roles;
  readonly #resumer: Resumer;
  readonly #host: SessionHost;
  /** Every join/reconnect starts one, every leave/close supersedes it: an outdated join stops at its next step. */
  readonly #attempts = new Attempts(() => this.#closed);
  #media: MediaSession | null = null;
  #closed = false;
  #qualityCap: QualityCap = 'auto';
  #sound = false;

  constructor(options: StreamClientOptions) {
    super();
    if (!options.url) throw new TypeError('StreamClient needs a signaling url');
    this.#options = options;
    this.#devices = new DeviceLoader(options.createDevice);
    // hello tells the routers' capabilities: the Device loads while the session is created and joined.
    const onHello = (h: { routerRtpCapabilities?: unknown }) =>
      this.#devices.preload(h.routerRtpCapabilities);
    this.#host = new SessionHost(options.url, () => this.#signaling.drop());
    this.#signaling = new SignalingConnection({ ...options, url: () => this.#host.url(), onHello });
    this.#resumer = new Resumer({
      reconnectForMs: options.reconnectForMs,
      firstDelayMs: options.reconnectDelayMs,
      signaling: () => this.#signaling.socket(),
      connect: () => this.#connect(),
      dropSocket: () => this.#signaling.drop(),
    });
    this.#roles = new Roles({
      signaling: () => this.#signaling.socket(),
      joined: () => this.#session !== null,
    });
    this.#roles.on('role', (role) => this.emit('role', role));
    this.#roles.on('control-requested', (from) => this.emit('control-requested', from));
    this.#roles.on('warning', (err) => this.#warn(err));
    this.#listenToSignaling();
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
    return this.#roles.role;
  }
  get tracks(): readonly MediaStreamTrack[] {
    return this.#tracks;
  }
  /** How many times this client resumed its session after a drop or a media restart. */
  get resumes(): number {
    return this.#resumer.resumes;
  }
  /** Whether each input data channel is open (false: input goes over the WebSocket). */
  get inputChannels(): { reliable: boolean; unreliable: boolean } {
    return this.#media?.input.open ?? { reliable: false, unreliable: false };
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
    if (!this.#signaling.started && !ACTIVE.has(this.#state) && this.#state !== 'reconnecting') {
      this.#setState('connecting', null);
    }
    await this.#signaling.connect();
  }

  /** Starts a new app session (join it next); `url`: a page to open instead of the server's app (URL policy). */
  async createSession(o: { profile?: string; url?: string } = {}): Promise<string> {
    await this.connect();
    try {
      const body = { ...(o.profile ? { profile: o.profile } : {}), ...(o.url ? { url: o.url } : {}) };
      const timeout = { timeoutMs: SESSION_START_TIMEOUT_MS };
      // A cluster may place it on another node: SessionHost sends the join there.
      return this.#host.created(await this.#signaling.socket().request('session/create', body, timeout));
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
    const attempt = this.#attempts.next();
    this.#closeMedia();
    this.#setSession(null);
    this.#resumer.forget();
    try {
      const joined = await this.#host.join(sessionId, async () => {
        await this.connect();
        attempt.check();
        this.#setState('joining', null);
        this.#devices.assertSupported();
        const timeout = { timeoutMs: SESSION_START_TIMEOUT_MS };
        return this.#signaling.socket().request('session/join', { sessionId }, timeout);
      });
      attempt.check();
      await this.#startMedia(joined, attempt);
    } catch (err) {
      if (!attempt.current) throw ClientError.from(err);
      throw this.#fail(err);
    }
  }

  /** After a join (or a resume whose media is new): Device, receive transport, consumers, input. */
  async #startMedia(joined: JoinedData, attempt: Attempt): Promise<void> {
    this.#resumer.remember(joined.sessionId, joined.resumeToken);
    this.#setSession({ sessionId: joined.sessionId, viewerId: joined.viewerId, screen: joined.screen });
    this.#roles.joined(joined);
    const media = new MediaSession({
      signaling: () => this.#signaling.socket(),
      loadDevice: (caps) => this.#devices.get(caps),
      // Whichever socket is current: a resume replaces it.
      inputFallback: (event) => this.#signaling.current?.sendInput(event) ?? false,
      serverEvents: this.#signaling, // the app's requests for this device's camera and microphone
      sound: this.#sound,
    });
    this.#media = media;
    media.on('tracks', (tracks) => {
      this.#tracks = tracks;
      this.emit('tracks', tracks);
    });
    media.on('transport-failed', () => this.#onRecvTransportFailed());
    media.on('warning', (err) => this.#warn(err));
    media.capture.on('capture', (kinds) => this.emit('capture', kinds));
    media.input.on('input-sent', (event) => this.emit('input-sent', event));
    media.input.on('ping-channel', (open) => this.emit('ping-channel', open));
    media.reportChannel.on('message', (message) => this.emit('report', message));
    await media.start(joined.routerRtpCapabilities, attempt, this.#qualityCap);
    this.#setState('streaming', null);
    // The input transport comes second so its ICE/DTLS/SCTP set-up does not compete with the
    // first frame; input rides the WebSocket until the channels open.
    void media.startInput(attempt);
    if (this.#options.reportChannel !== false) void media.startReportChannel(attempt);
  }

  /** The socket or ICE dropped, or the server restarted our media: show the last frame, resume (policy). */
  async #reconnect(reason: ClientError, { sameSocket = false } = {}): Promise<void> {
    if (this.#closed || !this.#resumer.canResume) return void this.#fail(reason);
    const attempt = this.#attempts.next();
    this.#setState('reconnecting', null);
    this.#warn(reason);
    await this.#resumer.run(attempt, sameSocket, {
      setUp: (resumed) => this.#resumed(resumed, attempt),
      giveUp: (error) => this.#giveUp(error),
    });
  }

  /** Back in our place: ICE restarts on the transports the server kept, or media is set up anew. */
  async #resumed(resumed: Resumed, attempt: Attempt): Promise<void> {
    const media = this.#media;
    if (!resumed.fresh && media?.recvOpen) {
      try {
        await media.restartIce(attempt);
        this.#setState('streaming', null);
        return;
      } catch (err) {
        // Our place was kept but not our transports (e.g. an earlier, timed-out resume made
        // it): set media up again below.
        if (ClientError.from(err).code !== 'transport-not-found') throw err;
      }
    }
    this.#closeMedia();
    await this.#startMedia(resumed, attempt);
  }

  /** Sends one input event (stamped with seq and ts); false if no session can take it or another participant has control. */
  sendInput(draft: InputDraft): boolean {
    const media = this.#media;
    if (!media || !this.#session || !ACTIVE.has(this.#state)) return false;
    // The server drops a watcher's input anyway; not sending it spares the wire and the warnings.
    if (!this.#roles.mayInput) return false;
    return media.input.send(draft) !== null;
  }

  /** Sends a clock-sync ping on the unreliable input channel only (never the socket); false if it is not open. */
  sendPing(ping: Ping): boolean {
    return this.#media?.input.sendPing(ping) ?? false;
  }

  /** Sends a sensor reading on the sensors channel (the controller's only); false if it cannot go now. */
  sendSensor(reading: SensorReading): boolean {
    return this.#roles.mayInput && (this.#media?.input.sendSensor(reading) ?? false);
  }

  /** Sends measured input-to-photon samples (at most MAX_REPORTED_SAMPLES) for the server's metrics. */
  reportLatency(samples: LatencySampleWire[]): boolean {
    const sig = this.#signaling.current;
    if (!sig?.isOpen || samples.length === 0) return false;
    return sig.notify({ type: 'latency/report', samples });
  }

  /** Asks the server for a keyframe on every video consumer (e.g. the tab became visible). */
  requestKeyFrame(): void {
    if (this.#state === 'streaming' && this.#signaling.current?.isOpen) this.#media?.requestKeyFrames();
  }

  /** Caps the video this viewer receives (media/quality); kept for later joins and resumes. */
  async setQualityCap(cap: QualityCap): Promise<void> {
    this.#qualityCap = cap;
    if (this.#session) await this.#signaling.socket().request('media/quality', { cap });
  }

  /** Whether this viewer hears the app (the player unmuted): the server sends the sound only then. */
  setSound(on: boolean): void {
    this.#sound = on;
    this.#media?.setSound(on);
  }

  /** The video receiver's stats (see computeStats), or null when not streaming. */
  async getVideoStats(): Promise<RTCStatsReport | null> {
    return this.#media ? this.#media.getVideoStats() : null;
  }

  /** Asks the controller for control (it may answer by granting it). */
  requestControl(): Promise<void> {
    return this.#roles.requestControl();
  }

  /** Takes control, which nobody holds. */
  takeControl(): Promise<void> {
    return this.#roles.takeControl();
  }

  /** Hands control to another participant (the controller only). */
  grantControl(viewerId: string): Promise<void> {
    return this.#roles.grantControl(viewerId);
  }

  /** Gives control up (the controller only). */
  releaseControl(): Promise<void> {
    return this.#roles.releaseControl();
  }

  /** Leaves the session but keeps the socket for another join. */
  async leave(): Promise<void> {
    this.#attempts.supersede();
    this.#resumer.forget();
    const hadSession = this.#session !== null;
    this.#closeMedia();
    this.#setSession(null);
    if (!this.#closed) this.#setState('closed', null);
    const sig = this.#signaling.current;
    if (hadSession && sig?.isOpen) await sig.request('session/leave', {}).catch((err) => this.#warn(err));
  }

  /** Closes everything, for good. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#attempts.supersede();
    this.#resumer.forget();
    this.#closeMedia();
    this.#setSession(null);
    this.#setState('closed', this.#state === 'failed' ? this.#error : null);
    this.#closed = true;
    this.#signaling.close();
    this.removeAllListeners();
  }

  /** What the server says about our session, whichever socket it comes on. */
  #listenToSignaling(): void {
    const sig = this.#signaling;
    sig.on('session-closed', ({ sessionId, reason }) => {
      if (this.#session && this.#session.sessionId !== sessionId) return;
      this.#attempts.supersede();
      this.#resumer.forget();
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
    sig.on('invalid-message', (err) => this.#warn(err));
    sig.on('control-changed', (change) => {
      if (this.#session) this.#roles.changed(this.#session.viewerId, change);
    });
    sig.on('control-requested', (from) => this.#roles.requested(from));
    // The socket is already thrown away; a streaming client resumes on a new one.
    sig.on('disconnected', (err) => {
      if (this.#state === 'reconnecting') return; // the loop retries on its own
      if (this.#state === 'streaming' && this.#resumer.canResume) void this.#reconnect(err);
      else if (ACTIVE.has(this.#state)) this.#giveUp(err);
    });
  }

  #onRecvTransportFailed(): void {
    const err = new ClientError('media-failed', "The recv transport's ICE/DTLS connection failed.");
    if (this.#state === 'reconnecting') return; // a resume is under way; it restarts ICE
    if (this.#resumer.canResume && this.#state === 'streaming') {
      // The socket still works (or the loop reconnects it): restart ICE through a resume.
      this.#signaling.drop();
      void this.#reconnect(err);
    } else this.#giveUp(err);
  }

  /** Fails for good: whatever join or resume is under way stops at its next step. */
  #giveUp(err: unknown): void {
    this.#attempts.supersede();
    this.#fail(err);
  }

  #closeMedia(): void {
    const media = this.#media;
    this.#media = null;
    media?.close();
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
    if (!session) this.#roles.clear();
    this.emit('session', session);
  }

  #setState(state: ConnectionState, error: ClientError | null): void {
    if (this.#closed || (state === this.#state && error === this.#error)) return;
    this.#state = state;
    this.#error = error;
    this.emit('state', state, error);
  }
}
