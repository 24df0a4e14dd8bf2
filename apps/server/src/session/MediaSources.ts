import { OffloadError, type ScreenInfo } from '@offload/protocol';
import type { types } from 'mediasoup';
import { moduleLogger } from '../logger.js';
import { AudioSource } from '../media/AudioSource.js';
import { ROUTER_CODECS, type VideoCodecName } from '../media/codecs.js';
import type { PreparedSender } from '../media/PreparedSender.js';
import type { SenderSpec } from '../media/senderProcess.js';
import type { SimulcastSettings } from '../media/simulcast.js';
import { type CaptureMode, VideoSource } from '../media/VideoSource.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import type { RouterGroup } from './RouterGroup.js';

const log = moduleLogger('sources');

export interface VideoSettings {
  /** Most frames a second. */
  fps: number;
  /** When frames are captured (see VideoSourceOptions.capture); default `damage`. */
  capture?: CaptureMode;
  /** Playout delay asked of receivers (ms; default 0); 'off': no playout-delay extension. */
  playoutDelayMs?: number | 'off';
  kbps: number;
  keyframeIntervalS: number;
  /** In order of preference; the first is started with the session, others when a viewer needs them. */
  codecs: VideoCodecName[];
  /** Simulcast layers per codec; default one layer. */
  simulcast?: SimulcastSettings;
}

export type MediaSourcesEvents = {
  /** A started source's sender died: the session's media must be rebuilt. */
  died: [reason: string];
  /** The first codec's source captured the first frame showing marker value `v` (see VideoSource 'marker'). */
  marker: [value: number, capturedAt: number, encodedAt: number];
};

/** What a session's video source for `codec` captures and encodes (a prepared sender is made for the same). */
export function senderSpecFor(
  runtime: AppRuntime,
  screen: ScreenInfo,
  video: VideoSettings,
  codec: VideoCodecName,
): SenderSpec {
  return {
    display: runtime.display,
    xauthority: runtime.xauthority,
    cgroup: runtime.cgroup,
    user: runtime.user,
    home: runtime.home,
    width: screen.width,
    height: screen.height,
    codec,
    fps: video.fps,
    capture: video.capture,
    playoutDelayMs: video.playoutDelayMs,
    kbps: video.kbps,
    keyframeIntervalS: video.keyframeIntervalS,
    simulcast: video.simulcast,
  };
}

/**
 * A session's media sources: the video, at most one source per codec, each capturing the app's
 * display and producing into the session's router, started when first asked for; and the app's
 * sound (one AudioSource, see startAudio), which never fails a viewer's video. Also follows which
 * simulcast layers viewers receive, so a source encodes a lower layer at full rate only while
 * someone receives it, and tells every started source of each injected input. A media rebuild
 * closes them all and starts again from `media()` (the router and app it then returns).
 */
export class MediaSources {
  readonly events = new SafeEmitter<MediaSourcesEvents>('media-sources');
  readonly #sources = new Map<VideoCodecName, Promise<VideoSource>>();
  /** The sources that have started (told of every input, so they capture its frame at once). */
  readonly #started = new Set<VideoSource>();
  /** The simulcast layer each video consumer receives now (undefined: none yet), by consumer id. */
  readonly #consumerLayers = new Map<string, { producerId: string; layer: number | undefined }>();
  /** The app's sound (see startAudio); undefined until started, or after a rebuild. */
  #audio: Promise<AudioSource | undefined> | undefined;
  #closed = false;

  constructor(
    private readonly o: {
      sessionId: string;
      screen: ScreenInfo;
      video: VideoSettings;
      /** The router (and its group) and app the sources are for now (they change when the media is rebuilt). */
      media: () => { router: types.Router; routers: RouterGroup; runtime: AppRuntime };
      /** The sender prepared for a warm runtime, if any (taken once; see PreparedSenders). */
      takePreparedSender?: (runtime: AppRuntime) => Promise<PreparedSender | undefined> | undefined;
    },
  ) {}

  /** The source for `codec`, started if it is not yet; rejects if it is replaced while starting. */
  get(codec: VideoCodecName): Promise<VideoSource> {
    let p = this.#sources.get(codec);
    if (p) return p;
    const { router, runtime } = this.o.media();
    p = VideoSource.start({
      ...senderSpecFor(runtime, this.o.screen, this.o.video, codec),
      router,
      // A warm runtime comes with a sender prepared for its first codec.
      prepared: codec === this.o.video.codecs[0] ? this.o.takePreparedSender?.(runtime) : undefined,
      logBindings: { sessionId: this.o.sessionId },
    }).then((source) => {
      // Superseded while starting (closed, or a restart replaced the sources).
      if (this.#closed || this.#sources.get(codec) !== p) {
        source.close();
        throw new OffloadError('session-closed', 'The session restarted its media; resume.');
      }
      this.#started.add(source);
      source.events.once('died', (why) => {
        this.#started.delete(source);
        if (this.#sources.get(codec) === p) this.events.safeEmit('died', why);
      });
      // Markers from the first source are enough: every source captures the same screen.
      if (codec === this.o.video.codecs[0]) {
        source.events.on('marker', (v, capturedAt, encodedAt) =>
          this.events.safeEmit('marker', v, capturedAt, encodedAt),
        );
      }
      return source;
    });
    this.#sources.set(codec, p);
    p.catch(() => {
      if (this.#sources.get(codec) === p) this.#sources.delete(codec);
    });
    return p;
  }

  /**
   * The video producer a client can decode (the first configured codec it supports), started
   * if need be and consumable on `router` (a viewer's router: piped there if it is not the origin).
   */
  async producerFor(rtpCapabilities: types.RtpCapabilities, router: types.Router): Promise<types.Producer> {
    const mimeTypes = new Set((rtpCapabilities.codecs ?? []).map((c) => c.mimeType.toLowerCase()));
    for (const codec of this.o.video.codecs) {
      if (!mimeTypes.has(ROUTER_CODECS[codec].mimeType.toLowerCase())) continue;
      const producer = await this.#consumableOn((await this.get(codec)).producer, rtpCapabilities, router);
      if (producer) return producer;
    }
    throw new OffloadError(
      'cannot-consume',
      `This browser cannot decode any codec this server sends (${this.o.video.codecs.join(', ')}).`,
    );
  }

  /**
   * Starts recording the app's sound, if its runtime has a sound card (once; again after a
   * rebuild). Never rejects: without sound a session still streams its video (warned).
   */
  startAudio(): Promise<AudioSource | undefined> {
    if (this.#audio) return this.#audio;
    const { router, runtime } = this.o.media();
    if (!runtime.audio) return Promise.resolve(undefined);
    const p: Promise<AudioSource | undefined> = AudioSource.start({
      router,
      server: runtime.audio.server,
      user: runtime.user,
      cgroup: runtime.cgroup,
      home: runtime.home,
      logBindings: { sessionId: this.o.sessionId },
    }).then(
      (source) => {
        if (this.#closed || this.#audio !== p) {
          source.close();
          return undefined;
        }
        // Its viewers' consumers close with it; the next viewer starts it again.
        source.events.once('died', () => {
          source.close();
          if (this.#audio === p) this.#audio = undefined;
        });
        return source;
      },
      (err: Error) => {
        log.warn({ sessionId: this.o.sessionId, err: err.message }, 'no sound for this session');
        return undefined;
      },
    );
    this.#audio = p;
    return p;
  }

  /**
   * The app's sound as a producer consumable on `router` (piped there if need be), or
   * undefined: no sound card, the recorder failed, or the client cannot decode Opus.
   */
  async audioProducerFor(rtpCapabilities: types.RtpCapabilities, router: types.Router) {
    const opus = (rtpCapabilities.codecs ?? []).some((c) => c.mimeType.toLowerCase() === 'audio/opus');
    const source = opus ? await this.startAudio() : undefined;
    if (!source || source.producer.closed) return undefined;
    return this.#consumableOn(source.producer, rtpCapabilities, router);
  }

  /** `producer`, if this client can consume it, piped to `router` if that is not the origin. */
  async #consumableOn(
    producer: types.Producer,
    rtpCapabilities: types.RtpCapabilities,
    router: types.Router,
  ): Promise<types.Producer | undefined> {
    const { router: origin, routers } = this.o.media();
    if (!origin.canConsume({ producerId: producer.id, rtpCapabilities })) return undefined;
    await routers.producerOn(router, producer);
    return producer;
  }

  /** Every source asked for (started or starting). */
  all(): Promise<VideoSource[]> {
    return Promise.all(this.#sources.values());
  }

  /** An input with this marker id was injected: every started source captures its frame at once. */
  expect(markId: number): void {
    for (const source of this.#started) source.expect(markId);
  }

  /**
   * Follows a viewer's video consumer: its source makes a keyframe when it resumes, and (for
   * simulcast) which layer it receives: a source encodes a lower layer at full rate only while
   * some viewer receives it (see VideoSource.setActiveLayers).
   */
  follow(c: types.Consumer): void {
    if (c.kind !== 'video') return;
    // A viewer's picture starts with a keyframe. mediasoup asks for one (PLI) when the consumer
    // resumes, but a sender that is still starting can miss it, and mediasoup asks again only
    // a second later: ask the consumer's source directly too (a line on its stdin).
    c.observer.once('resume', () => {
      for (const source of this.#started) if (source.producer.id === c.producerId) source.requestKeyFrame();
    });
    if (c.type !== 'simulcast') return;
    const update = () => {
      this.#consumerLayers.set(c.id, { producerId: c.producerId, layer: c.currentLayers?.spatialLayer });
      this.#applyLayers();
    };
    c.observer.on('layerschange', update);
    c.observer.once('close', () => {
      this.#consumerLayers.delete(c.id);
      this.#applyLayers();
    });
    update();
  }

  #applyLayers(): void {
    for (const source of this.#started) {
      const used = new Set<number>();
      for (const v of this.#consumerLayers.values())
        if (v.producerId === source.producer.id && v.layer !== undefined) used.add(v.layer);
      source.setActiveLayers(used);
    }
  }

  /** Stops every source (a rebuild then starts new ones with get()). */
  stopAll(): void {
    this.#audio?.then((s) => s?.close());
    this.#audio = undefined;
    this.#started.clear();
    for (const p of this.#sources.values())
      p.then(
        (s) => s.close(),
        () => {},
      );
    this.#sources.clear();
  }

  /** Stops every source for good: one still starting is closed once it has started. */
  close(): void {
    this.#closed = true;
    this.stopAll();
  }
}
