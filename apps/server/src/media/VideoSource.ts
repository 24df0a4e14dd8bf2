import type { ChildProcess } from 'node:child_process';
import type { Interface } from 'node:readline';
import { MARKER } from '@offload/latency';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { monotonicToServer } from '../util/clock.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { terminate } from '../util/terminate.js';
import type { VideoCodecName } from './codecs.js';
import { PreparedSender } from './PreparedSender.js';
import {
  awaitSenderEvent,
  type SenderProcess,
  type SenderSpec,
  senderRtpParametersFor,
  type VideoLayer,
} from './senderProcess.js';
import { parseSenderLine, type SenderCommand, senderCommandLine } from './senderProtocol.js';

export { type CaptureMode, prepareSenderFiles, type VideoLayer } from './senderProcess.js';

export interface VideoSourceOptions extends SenderSpec {
  router: types.Router;
  /**
   * A sender started ahead for this display (a warm runtime's; see PreparedSender): adopted
   * when it is still waiting, else a new one is started. It must have been prepared for the
   * same spec.
   */
  prepared?: Promise<PreparedSender | undefined>;
  logBindings?: Record<string, unknown>;
  /** How long to wait for the pipeline to play (ms). Default 15000. */
  startTimeoutMs?: number;
}

export interface VideoSourceStats {
  /** Frames the top layer's encoder put out. */
  frames: number;
  /** Payload bytes of all layers. */
  bytes: number;
  /** Keyframe requests that reached an encoder (all layers). */
  keyframesRequested: number;
  /** The same per layer, lowest first. */
  layers: { frames: number; bytes: number; keyframesRequested: number }[];
}

export type VideoSourceEvents = {
  /** The capture/encode process exited on its own. */
  died: [reason: string];
  /** The first captured frame showing frame-marker `value` was captured and encoded at these times (serverNow() base). */
  marker: [value: number, capturedAt: number, encodedAt: number];
};

/**
 * Captures an app's X display and produces it into a router: a GStreamer sender process
 * (sender/gst_sender.py: X DAMAGE + MIT-SHM capture → tee → per layer (scale →) x264/vp8 → rtpbin) feeding a
 * PlainTransport connected to the sender's two sockets (RTP, RTCP). With more than one layer
 * the Producer is a simulcast one (one encoding per layer, by SSRC), so mediasoup picks a layer
 * per consumer from its bandwidth estimate. RTCP stays two-way, so a PLI/FIR for a layer's SSRC reaches that layer's encoder.
 */
export class VideoSource {
  readonly events = new SafeEmitter<VideoSourceEvents>('video-source');
  stats: VideoSourceStats = { frames: 0, bytes: 0, keyframesRequested: 0, layers: [] };
  readonly #proc: ChildProcess;
  readonly #log: Logger;
  #closed = false;
  /** The last setActiveLayers(), as sent ('' = none); undefined until one is sent (all encoded). */
  #activeLayers: string | undefined;

  private constructor(
    readonly codec: VideoCodecName,
    readonly transport: types.PlainTransport,
    readonly producer: types.Producer,
    /** Lowest first, as the producer's encodings. */
    readonly layers: readonly VideoLayer[],
    proc: ChildProcess,
    log: Logger,
  ) {
    this.#proc = proc;
    this.#log = log;
    proc.once('exit', (code, signal) => {
      if (this.#closed) return;
      this.#log.error({ code, signal }, 'video sender exited');
      this.events.safeEmit('died', `video sender exited (${signal ?? code})`);
    });
  }

  static async start(o: VideoSourceOptions): Promise<VideoSource> {
    const log = moduleLogger('video-source', { ...o.logBindings, codec: o.codec });
    const t0 = performance.now();
    const transport = await o.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    let sender: SenderProcess | undefined;
    let adopt: PreparedSender | undefined;
    try {
      const prepared = await o.prepared;
      adopt = prepared?.usable ? prepared : undefined;
      if (prepared && !adopt) prepared.close();
      const warm = adopt !== undefined;
      // None waiting (no warm runtime, or a rebuild): one is prepared now and adopted at once.
      adopt ??= await PreparedSender.start(o, log);
      const { layers } = adopt;
      // Connected to the sender's own ports rather than learning them from its first packets
      // (comedia): mediasoup can ask it for a keyframe from the first moment. With comedia, a
      // request made before the sender's first RTCP packet (0.2-0.5 s after its first frame)
      // went nowhere, and a new viewer's first frame waited a second for mediasoup's next one.
      await transport.connect({ ip: '127.0.0.1', port: adopt.ports.rtpPort, rtcpPort: adopt.ports.rtcpPort });
      const rtpParameters = senderRtpParametersFor(o, layers);
      const producer = await transport.produce({ kind: 'video', rtpParameters, appData: { codec: o.codec } });
      const ports = { rtpPort: transport.tuple.localPort, rtcpPort: transport.rtcpTuple!.localPort };
      sender = adopt.connect(ports);
      await awaitSenderEvent(sender, 'ready', log, o.startTimeoutMs ?? 15_000);
      const vs = new VideoSource(o.codec, transport, producer, layers, sender.proc, log);
      vs.#follow(sender.lines);
      const ms = Math.round(performance.now() - t0);
      log.info(
        { producerId: producer.id, layers, pid: sender.proc.pid, prepared: warm, ms },
        'video source started',
      );
      return vs;
    } catch (err) {
      adopt?.close(); // taken but not yet told where to send
      sender?.proc.kill('SIGKILL');
      transport.close();
      throw err;
    }
  }

  #follow(lines: Interface): void {
    lines.on('line', (line) => {
      const r = parseSenderLine(line);
      if (!r.ok) {
        this.#log.warn(
          { line: line.slice(0, 200), error: r.error },
          'video sender said something unexpected',
        );
        return;
      }
      const msg = r.event;
      if (msg.event === 'stats') {
        const { frames, bytes, keyframesRequested, layers } = msg;
        this.stats = { frames, bytes, keyframesRequested, layers };
      } else if (msg.event === 'marker') {
        this.events.safeEmit(
          'marker',
          msg.value,
          monotonicToServer(msg.capturedAt),
          monotonicToServer(msg.encodedAt),
        );
      } else if (msg.event === 'keyframe') {
        this.#log.debug({ layer: msg.layer }, 'keyframe requested');
      } else if (msg.event === 'error') {
        this.#log.error({ message: msg.message }, 'video sender error');
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The sender process (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /**
   * An input with this marker id was just injected: the sender captures every frame the app
   * draws, without waiting for its frame-rate cap, until one shows it.
   */
  expect(markId: number): void {
    this.#command({ cmd: 'expect', marker: markId % MARKER.modulo });
  }

  /**
   * The lower simulcast layers (indices, lowest 0) some viewer receives: the others are encoded
   * at a trickle (two frames a second) until one does. The top layer is always encoded.
   */
  setActiveLayers(layers: Iterable<number>): void {
    const active = [...new Set(layers)].filter((i) => i >= 0 && i < this.layers.length - 1).sort();
    const key = active.join(',');
    if (key === this.#activeLayers) return;
    this.#activeLayers = key;
    this.#command({ cmd: 'layers', active });
  }

  requestKeyFrame(): void {
    this.#command({ cmd: 'keyframe' });
  }

  /** The top layer's bitrate (kbit/s); lower layers keep their share of it. */
  setBitrate(kbps: number): void {
    this.#command({ cmd: 'bitrate', kbps });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#proc.stdin?.end();
    void terminate(this.#proc);
    this.transport.close();
  }

  #command(c: SenderCommand): void {
    if (!this.#closed) this.#proc.stdin?.write(senderCommandLine(c));
  }
}
