import {
  type DownstreamMessage,
  INPUT_CHANNEL_RELIABLE,
  INPUT_CHANNEL_UNRELIABLE,
  OffloadError,
  REPORT_CHANNEL,
  SENSOR_CHANNEL,
} from '@offload/protocol';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { serverNow } from '../util/clock.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import type { InputGate } from './InputGate.js';

export interface ViewerOptions {
  id: string;
  sessionId: string;
  router: types.Router;
  webRtcServer: types.WebRtcServer;
  /** The session's DirectTransport: input data producers are consumed here, in Node. */
  inputTransport: types.DirectTransport;
  input: InputGate;
  /**
   * Floor of the bandwidth estimate on the receive transport (bit/s). With simulcast,
   * mediasoup sends no layer at all while its estimate is below the lowest layer's bitrate,
   * and an estimate that sends nothing hardly recovers: a floor keeps the lowest layer flowing.
   */
  minOutgoingBitrate?: number;
}

export type ViewerEvents = {
  /** Private: tells the owning session this viewer is gone. */
  '@close': [];
};

export type ViewerObserverEvents = {
  close: [];
  /** Another connection resumed as this viewer; whoever held it lets go. */
  'taken-over': [];
  'new-consumer': [consumer: types.Consumer];
};

/** What media/quality may ask for (see Viewer.setQualityCap). */
export type QualityCap = 'auto' | 'low';
/** Above any layer a source encodes: mediasoup clamps it to the top one. */
const MAX_SPATIAL_LAYER = 255;

const INPUT_LABELS = new Set([INPUT_CHANNEL_RELIABLE, INPUT_CHANNEL_UNRELIABLE, SENSOR_CHANNEL]);

/**
 * What one viewer may hold on the server: every transport, consumer and data channel is state
 * in a mediasoup worker that a participant could otherwise ask for without end. A client needs
 * one transport each way, a video consumer (per codec) and the sound's, input channels and one report
 * consumer; the limits leave room for a client that sets its media up again after a drop.
 */
export const VIEWER_LIMITS = {
  /** Per direction: a new one past this closes the oldest (a client replacing its media). */
  transportsPerDirection: 2,
  consumers: 12,
  dataProducers: 6,
  reportConsumers: 4,
  /** The device's camera and microphone (capture/produce): one of each. */
  producers: 2,
} as const;

/**
 * One client watching a session: its WebRTC transports, its (paused-until-ready) consumers
 * of the session's video, and its input data channels. Knows nothing of its session beyond
 * what it was handed.
 */
export class Viewer {
  readonly events = new SafeEmitter<ViewerEvents>('viewer');
  readonly observer = new SafeEmitter<ViewerObserverEvents>('viewer.observer');
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly consumers = new Map<string, types.Consumer>();
  readonly dataProducers = new Map<string, types.DataProducer>();
  /** The device's camera and microphone, lent to the app (the controller's only; see CaptureRelay). */
  readonly producers = new Map<string, types.Producer>();
  readonly #log: Logger;
  #closed = false;
  #qualityCap: QualityCap = 'auto';
  /** Server → this client (pongs, input timings), produced on the session's DirectTransport. */
  #reports: Promise<types.DataProducer> | undefined;
  readonly #o: ViewerOptions;
  readonly #reportConsumers = new Set<types.DataConsumer>();

  constructor(o: ViewerOptions) {
    this.#o = o;
    this.#log = moduleLogger('viewer', { sessionId: o.sessionId, viewerId: o.id });
  }

  get id(): string {
    return this.#o.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The router this viewer's transports are on (the session's origin or one the video is piped to). */
  get router(): types.Router {
    return this.#o.router;
  }

  /** Where this viewer's input goes, whichever way it arrives (data channel or WebSocket). */
  get input(): InputGate {
    return this.#o.input;
  }

  async createTransport(direction: 'send' | 'recv'): Promise<types.WebRtcTransport> {
    this.#assertOpen();
    const same = [...this.transports.values()].filter((t) => t.appData.direction === direction);
    for (const old of same.slice(0, Math.max(0, same.length - VIEWER_LIMITS.transportsPerDirection + 1))) {
      this.#log.info({ transportId: old.id, direction }, 'a newer transport replaces this one');
      old.close();
    }
    const t = await this.#o.router.createWebRtcTransport({
      webRtcServer: this.#o.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      enableSctp: true,
      numSctpStreams: { OS: 16, MIS: 16 },
      // Start the bandwidth estimate high: an app screen is sharp text, blur at start looks broken.
      initialAvailableOutgoingBitrate: 4_000_000,
      appData: { direction },
    });
    if (direction === 'recv' && this.#o.minOutgoingBitrate)
      await t.setMinOutgoingBitrate(this.#o.minOutgoingBitrate);
    if (this.#closed) {
      t.close();
      throw new OffloadError('session-closed', 'The session ended.');
    }
    this.transports.set(t.id, t);
    t.observer.once('close', () => this.transports.delete(t.id));
    t.on('dtlsstatechange', (s) => {
      if (s === 'failed' || s === 'closed')
        this.#log.warn({ transportId: t.id, state: s }, 'transport DTLS ended');
    });
    return t;
  }

  /** New ICE credentials for a transport whose client's network changed (after a resume). */
  async restartIce(transportId: string): Promise<types.IceParameters> {
    return this.#transport(transportId).restartIce();
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#transport(transportId).connect({ dtlsParameters });
  }

  /**
   * Paused consumers of `producers` (the video, the sound) on this viewer's receive transport,
   * all or none (a request past the limit makes none); resume() each once the client has it.
   */
  async consume(
    producers: types.Producer[],
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Consumer[]> {
    this.#assertOpen();
    const recv = this.#newestRecv();
    if (!recv)
      throw new OffloadError('transport-not-found', 'Create a receive transport before media/consume.');
    if (this.consumers.size + producers.length > VIEWER_LIMITS.consumers)
      throw new OffloadError(
        'not-allowed',
        `A viewer may hold at most ${VIEWER_LIMITS.consumers} consumers.`,
      );
    const out: types.Consumer[] = [];
    for (const producer of producers) out.push(await this.#consumeOn(recv, producer, rtpCapabilities));
    return out;
  }

  async #consumeOn(
    recv: types.WebRtcTransport,
    producer: types.Producer,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Consumer> {
    const consumer = await recv.consume({
      producerId: producer.id,
      rtpCapabilities,
      paused: true,
      ...(this.#qualityCap === 'low' ? { preferredLayers: { spatialLayer: 0 } } : {}),
    });
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumers.delete(consumer.id));
    this.observer.safeEmit('new-consumer', consumer);
    return consumer;
  }

  async resume(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).resume();
  }

  async pause(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).pause();
  }

  /**
   * `low`: this viewer's video consumers forward the lowest simulcast layer only; `auto`: the
   * best one the bandwidth estimate allows. Applies to later consumers too (a media restart).
   */
  async setQualityCap(cap: QualityCap): Promise<void> {
    this.#assertOpen();
    this.#qualityCap = cap;
    const spatialLayer = cap === 'low' ? 0 : MAX_SPATIAL_LAYER;
    for (const c of this.consumers.values()) {
      if (c.type === 'simulcast' && !c.closed) await c.setPreferredLayers({ spatialLayer });
    }
  }

  async requestKeyFrame(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).requestKeyFrame();
  }

  /** The client's input data channel: consumed in Node through the session's DirectTransport. */
  async produceData(
    transportId: string,
    sctpStreamParameters: types.SctpStreamParameters,
    label: string,
    protocol: string,
  ): Promise<types.DataProducer> {
    const t = this.#transport(transportId);
    if (t.appData.direction !== 'send') {
      throw new OffloadError('not-allowed', 'Data producers go on the send transport.');
    }
    if (!INPUT_LABELS.has(label)) {
      throw new OffloadError(
        'not-allowed',
        `Unknown data channel "${label}"; use "${INPUT_CHANNEL_RELIABLE}", "${INPUT_CHANNEL_UNRELIABLE}" or "${SENSOR_CHANNEL}".`,
      );
    }
    if (this.dataProducers.size >= VIEWER_LIMITS.dataProducers)
      throw new OffloadError(
        'not-allowed',
        `A viewer may hold at most ${VIEWER_LIMITS.dataProducers} input channels.`,
      );
    const dp = await t.produceData({ sctpStreamParameters, label, protocol });
    if (this.#closed) {
      dp.close();
      this.#assertOpen();
    }
    this.dataProducers.set(dp.id, dp);
    dp.observer.once('close', () => this.dataProducers.delete(dp.id));
    const dc = await this.#o.inputTransport.consumeData({ dataProducerId: dp.id });
    dp.observer.once('close', () => dc.close());
    // PPID 51 = string, 56 = empty string; binary input is not part of the protocol.
    const text = (message: Buffer, ppid: number) => (ppid === 51 ? message.toString('utf8') : '');
    const input = this.#o.input;
    if (label === SENSOR_CHANNEL)
      dc.on('message', (message, ppid) => input.handleSensorMessage(text(message, ppid)));
    else
      dc.on('message', (message, ppid) => {
        const receivedAt = serverNow();
        input.handleMessage(text(message, ppid), receivedAt);
      });
    return dp;
  }

  /** One track of the device (its camera or microphone) on the send transport. */
  async produce(
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
  ): Promise<types.Producer> {
    const t = this.#transport(transportId);
    if (t.appData.direction !== 'send')
      throw new OffloadError('not-allowed', 'Produce on the send transport.');
    if (this.producers.size >= VIEWER_LIMITS.producers)
      throw new OffloadError(
        'not-allowed',
        `A viewer may hold at most ${VIEWER_LIMITS.producers} producers.`,
      );
    const p = await t.produce({ kind, rtpParameters });
    if (this.#closed) {
      p.close();
      this.#assertOpen();
    }
    this.producers.set(p.id, p);
    p.observer.once('close', () => this.producers.delete(p.id));
    return p;
  }

  /** The report channel's consumer (server → client: pongs, input timings) on this viewer's receive transport. */
  async consumeReports(): Promise<types.DataConsumer> {
    this.#assertOpen();
    const recv = this.#newestRecv();
    if (!recv)
      throw new OffloadError('transport-not-found', 'Create a receive transport before data/consume.');
    if (this.#reportConsumers.size >= VIEWER_LIMITS.reportConsumers)
      throw new OffloadError(
        'not-allowed',
        `A viewer may hold at most ${VIEWER_LIMITS.reportConsumers} report channels.`,
      );
    const producer = await this.#reportProducer();
    // The viewer may have left while the producer was being made (found by the fuzz test).
    this.#assertOpen();
    const dc = await recv.consumeData({ dataProducerId: producer.id });
    this.#reportConsumers.add(dc);
    dc.observer.once('close', () => this.#reportConsumers.delete(dc));
    return dc;
  }

  /** Sends a message on the report channel, if the client consumes it. */
  sendReport(m: DownstreamMessage): void {
    this.#reports
      ?.then((p) => {
        if (!p.closed) p.send(JSON.stringify(m));
      })
      .catch(() => {});
  }

  #reportProducer(): Promise<types.DataProducer> {
    this.#reports ??= this.#o.inputTransport.produceData({ label: REPORT_CHANNEL }).then((p) => {
      if (this.#closed) p.close();
      return p;
    });
    return this.#reports;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.input.close();
    this.#reports?.then((p) => p.close()).catch(() => {});
    // Closing the transports closes their consumers and data producers.
    for (const t of this.transports.values()) t.close();
    this.#log.info('viewer left');
    this.events.safeEmit('@close');
    this.observer.safeEmit('close');
  }

  #assertOpen(): void {
    if (this.#closed) throw new OffloadError('session-closed', 'This viewer has left the session.');
  }

  /** The receive transport a client set up last (an older one is on its way out). */
  #newestRecv(): types.WebRtcTransport | undefined {
    return [...this.transports.values()].filter((t) => t.appData.direction === 'recv').at(-1);
  }

  #transport(id: string): types.WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw new OffloadError('transport-not-found', `No transport "${id}" for this viewer.`);
    return t;
  }

  #consumer(id: string): types.Consumer {
    const c = this.consumers.get(id);
    if (!c) throw new OffloadError('consumer-not-found', `No consumer "${id}" for this viewer.`);
    return c;
  }
}
