import type { InputEventInit, RequestMessage } from '@offload/protocol';
import type { Device, types } from 'mediasoup-client';
import { ClientError } from '../ClientError';
import { DeviceLender } from '../capture/DeviceLender';
import type { MediaSessionEvents, SignalingConnectionEvents } from '../events';
import { InputChannels } from '../input/InputChannels';
import type { Attempt } from '../session/Attempt';
import type { SignalingClient } from '../signaling/SignalingClient';
import { TypedEmitter } from '../TypedEmitter';
import { ReportChannel } from './ReportChannel';
import { createTransport, preferLowLatency } from './transport';

export interface MediaSessionOptions {
  /** The open signaling socket of the moment (a resume replaces it); throws when there is none. */
  signaling: () => SignalingClient;
  /** The mediasoup Device loaded with the router's capabilities (shared across joins; see DeviceLoader). */
  loadDevice: (routerRtpCapabilities: unknown) => Promise<Device>;
  /** Sends input over the socket while the input channels are not open. */
  inputFallback: (event: InputEventInit) => boolean;
  /** What the server says on whichever socket is current: its capture requests reach the DeviceLender. */
  serverEvents?: TypedEmitter<SignalingConnectionEvents>;
  /** Whether the viewer hears the app (the player unmuted); the sound is sent only then. Default false. */
  sound?: boolean;
}

/**
 * The WebRTC side of one join (or of a resume whose media is new): the mediasoup Device, the
 * receive transport and its consumers (the tracks to play) and, second, the send transport.
 * Owns the input channels (on the send transport) and the report channel (on the receive
 * transport); close() closes them all. Each step checks its attempt and stops once a newer
 * join, resume or leave superseded it.
 */
/** What a viewer may cap its video at (see the media/quality request). */
export type QualityCap = RequestMessage<'media/quality'>['cap'];

export class MediaSession extends TypedEmitter<MediaSessionEvents> {
  /** The input data channels; input rides the socket until they open. */
  readonly input: InputChannels;
  /** The server → client channel (pongs, input timings). */
  readonly reportChannel = new ReportChannel();
  /** The device's camera and microphone, lent to the app when it asks (on the send transport). */
  readonly capture: DeviceLender;
  /** Settles with the send transport once startInput made it. */
  #sendReady: { promise: Promise<types.Transport>; resolve: (t: types.Transport) => void };
  readonly #signaling: () => SignalingClient;
  readonly #loadDevice: (routerRtpCapabilities: unknown) => Promise<Device>;
  #loadedDevice: Device | null = null;
  #recv: types.Transport | null = null;
  #send: types.Transport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  #sound: boolean;
  #closed = false;
  readonly #unlisten: (() => void)[] = [];

  constructor({ signaling, loadDevice, inputFallback, serverEvents, sound = false }: MediaSessionOptions) {
    super();
    this.#sound = sound;
    this.#signaling = signaling;
    this.input = new InputChannels({ fallback: inputFallback });
    this.input.on('warning', (err) => this.emit('warning', err));
    this.reportChannel.on('warning', (err) => this.emit('warning', err));
    this.#loadDevice = loadDevice;
    let resolve!: (t: types.Transport) => void;
    this.#sendReady = { promise: new Promise((r) => (resolve = r)), resolve };
    this.capture = new DeviceLender({
      signaling,
      sendTransport: () => this.#sendReady.promise,
      // VP8 for the camera where the router has it: every browser encodes it in software.
      codecFor: (kind) =>
        kind === 'video'
          ? this.#device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8')
          : undefined,
    });
    this.capture.on('warning', (err) => this.emit('warning', err));
    if (serverEvents)
      this.#unlisten.push(
        serverEvents.on('capture-request', (m) => void this.capture.lend(m)),
        serverEvents.on('capture-stop', (requestId) => this.capture.stop(requestId)),
      );
  }

  /** The loaded Device (start() loads it first). */
  get #device(): Device {
    if (!this.#loadedDevice) throw new Error('MediaSession: the Device is not loaded yet');
    return this.#loadedDevice;
  }

  /** The receive transport exists and is open: a resume can restart ICE on it. */
  get recvOpen(): boolean {
    return this.#recv !== null && !this.#recv.closed;
  }

  /**
   * Loads the Device, creates the receive transport and consumes every track (emits
   * `tracks`); with a quality cap, asks for it first, so the first consumer already has it.
   */
  async start(
    routerRtpCapabilities: unknown,
    attempt: Attempt,
    qualityCap: QualityCap = 'auto',
  ): Promise<void> {
    this.#loadedDevice = await this.#loadDevice(routerRtpCapabilities);
    this.#check(attempt);
    if (qualityCap !== 'auto') await this.#signaling().request('media/quality', { cap: qualityCap });
    this.#check(attempt);
    const recv = await this.#createTransport('recv');
    this.#recv = recv;
    this.#check(attempt);
    await this.#consume(recv, attempt);
  }

  /** The send transport and the input channels on it; a failure only costs the fast path (a warning). */
  async startInput(attempt: Attempt): Promise<void> {
    try {
      const send = await this.#createTransport('send');
      if (!attempt.current || this.#closed) {
        send.close();
        return;
      }
      this.#send = send;
      this.#sendReady.resolve(send);
      if (!this.#device.sctpCapabilities) return;
      await this.input.start(send, attempt);
    } catch (err) {
      if (attempt.current) this.emit('warning', ClientError.from(err));
    }
  }

  /** Consumes the report channel on the receive transport; a failure is a warning. */
  async startReportChannel(attempt: Attempt): Promise<void> {
    const recv = this.#recv;
    if (!recv || !this.#device.sctpCapabilities) return;
    await this.reportChannel.start(this.#signaling, recv, attempt);
  }

  /** New ICE credentials for both transports: the path to the server may have changed. */
  async restartIce(attempt: Attempt): Promise<void> {
    const sig = this.#signaling();
    for (const t of [this.#recv, this.#send]) {
      if (!t || t.closed) continue;
      const { iceParameters } = await sig.request('transport/restart-ice', { transportId: t.id });
      attempt.check();
      await t.restartIce({ iceParameters: iceParameters as types.IceParameters });
    }
  }

  /**
   * Whether the viewer hears the app. A muted player has the server pause its sound (nothing
   * sent, nothing received: every embedded or link-opened player starts muted) and resume it
   * when unmuted. A failure is a warning.
   */
  setSound(on: boolean): void {
    if (on === this.#sound) return;
    this.#sound = on;
    for (const c of this.#consumers.values()) {
      if (c.kind !== 'audio' || c.closed) continue;
      this.#signaling()
        .request(on ? 'media/resume' : 'media/pause', { consumerId: c.id })
        .catch((err) => this.emit('warning', ClientError.from(err)));
    }
  }

  /** Asks the server for a keyframe on every video consumer; a failure is a warning. */
  requestKeyFrames(): void {
    const sig = this.#signaling();
    for (const consumerId of this.videoConsumerIds()) {
      sig
        .request('media/keyframe', { consumerId })
        .catch((err) => this.emit('warning', ClientError.from(err)));
    }
  }

  /** The ids of the video consumers (to ask for keyframes). */
  videoConsumerIds(): string[] {
    return [...this.#consumers.values()].filter((c) => c.kind === 'video').map((c) => c.id);
  }

  /** The video receiver's stats, or null when there is no open video consumer. */
  async getVideoStats(): Promise<RTCStatsReport | null> {
    const consumer = [...this.#consumers.values()].find((c) => c.kind === 'video' && !c.closed);
    return consumer ? consumer.getStats() : null;
  }

  /** Closes the channels, the consumers and both transports. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    this.capture.close();
    this.input.close();
    this.reportChannel.close();
    for (const c of this.#consumers.values()) c.close();
    this.#consumers.clear();
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
  }

  /** Throws if a newer attempt superseded this one or the media was closed meanwhile. */
  #check(attempt: Attempt): void {
    attempt.check();
    if (this.#closed) throw ClientError.closed();
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    // The picture's transport failing is the client's to handle; the input's costs only the fast path.
    const failed = () =>
      direction === 'recv'
        ? this.emit('transport-failed')
        : this.emit(
            'warning',
            new ClientError('media-failed', 'The input transport failed; input uses the socket.'),
          );
    const transport = await createTransport(this.#signaling, this.#device, direction, failed);
    // Set up for media that was closed meanwhile: nobody would close it.
    if (this.#closed) {
      transport.close();
      throw ClientError.closed();
    }
    return transport;
  }

  async #consume(recv: types.Transport, attempt: Attempt): Promise<void> {
    const sig = this.#signaling();
    const { consumers } = await sig.request('media/consume', {
      rtpCapabilities: this.#device.rtpCapabilities,
    });
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
      // Consumers start paused on the server; resuming only now means the first keyframe is not
      // lost. The sound stays paused while nobody listens (see setSound).
      if (consumer.kind === 'video' || this.#sound) {
        await sig.request('media/resume', { consumerId: consumer.id });
        this.#check(attempt);
      }
    }
    const all = [...this.#consumers.values()];
    const tracks = [...all.filter((c) => c.kind === 'video'), ...all.filter((c) => c.kind !== 'video')].map(
      (c) => c.track,
    );
    this.emit('tracks', tracks);
  }
}
