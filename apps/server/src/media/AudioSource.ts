import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { SINK } from '../runtime/AudioSink.js';
import type { AppUser } from '../runtime/appUser.js';
import type { Cgroup } from '../runtime/Cgroup.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { terminate } from '../util/terminate.js';
import { audioRtpParameters } from './codecs.js';
import { spawnGstLaunch } from './gstLaunch.js';

/** Opus frames of 10 ms (the default 20 would add 10 ms of waiting to every sound). */
const FRAME_MS = 10;
/** Opus bitrate (bit/s): music-grade stereo. */
const BITRATE = 96_000;

export interface AudioSourceOptions {
  router: types.Router;
  /** The runtime's sound card (AudioSink.server). */
  server: string;
  user?: AppUser | undefined;
  cgroup?: Cgroup | undefined;
  home?: string | undefined;
  logBindings?: Record<string, unknown>;
}

export type AudioSourceEvents = {
  /** The recorder exited on its own or could not start. */
  died: [reason: string];
};

/** The recording pipeline: the sink's monitor → Opus → RTP to `port` (a comedia PlainTransport). */
export function audioPipeline(server: string, ssrc: number, port: number): string[] {
  return [
    '-q',
    'pulsesrc',
    `server=${server}`,
    `device=${SINK}.monitor`,
    // 20 ms of buffer in 5 ms periods (the defaults, 200 / 10 ms, would delay every sound).
    'buffer-time=20000',
    'latency-time=5000',
    // Timestamps on the system clock, not the sink's: the sink sleeps while nothing plays, and
    // its own clock stops then, so the sound after a pause would carry the time of the pause's
    // start and the viewer's jitter buffer would take it for seconds late.
    'provide-clock=false',
    '!',
    'audio/x-raw,rate=48000,channels=2',
    '!',
    'audioconvert',
    '!',
    'opusenc',
    `bitrate=${BITRATE}`,
    `frame-size=${FRAME_MS}`,
    'inband-fec=true',
    // Next to nothing while the app is silent (most of the time): a packet every 400 ms instead
    // of 100 a second, which the SFU and every viewer would otherwise handle at once, on the
    // cores the app and its video need.
    'dtx=true',
    '!',
    'rtpopuspay',
    'pt=111',
    `ssrc=${ssrc}`,
    '!',
    'udpsink',
    'host=127.0.0.1',
    `port=${port}`,
    'sync=false',
    'async=false',
  ];
}

/**
 * The app's sound, produced into a router: a GStreamer recorder (gst-launch: pulsesrc on the
 * runtime's sink monitor → opusenc → rtpopuspay → udpsink), run as the app's account in the
 * session's cgroup, feeding a comedia PlainTransport, and an audio Producer on it. Every viewer
 * gets a consumer of it beside the video (its own stream id: no lip sync holding video back).
 */
export class AudioSource {
  readonly events = new SafeEmitter<AudioSourceEvents>('audio-source');
  #closed = false;

  private constructor(
    readonly transport: types.PlainTransport,
    readonly producer: types.Producer,
    readonly proc: ChildProcess,
    log: Logger,
    stderrTail: () => string,
    t0: number,
  ) {
    const died = (why: string) => {
      if (this.#closed) return;
      log.error({ why, stderr: stderrTail() }, 'audio recorder failed');
      this.events.safeEmit('died', `${why} ${stderrTail()}`.trim());
    };
    proc.once('exit', (code, signal) => died(`audio recorder exited (${signal ?? code})`));
    proc.once('error', (err) => died(`audio recorder could not start: ${err.message}`));
    // Sound flows once its first packet reached the transport (comedia learnt the recorder's
    // address): when the app first plays something, as the sink sleeps while nothing plays.
    this.ready = new Promise<void>((resolve) => {
      transport.once('tuple', () => {
        log.info(
          { producerId: producer.id, pid: proc.pid, ms: Math.round(performance.now() - t0) },
          'audio flows',
        );
        resolve();
      });
    });
  }

  /**
   * Resolves when the first sound reached the router: when the app first plays something
   * (never, if it plays nothing or the recorder failed: see 'died').
   */
  readonly ready: Promise<void>;

  /**
   * Starts the recorder and returns at once, without waiting for its first packet (none comes
   * before the app plays something): a viewer's consumer of the sound can be made before it
   * flows, so the sound never holds up the first frame. A recorder that fails later is reported
   * by 'died'.
   */
  static async start(o: AudioSourceOptions): Promise<AudioSource> {
    const log = moduleLogger('audio-source', o.logBindings);
    const t0 = performance.now();
    const transport = await o.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
    });
    try {
      const ssrc = randomInt(1, 2 ** 31);
      const producer = await transport.produce({ kind: 'audio', rtpParameters: audioRtpParameters(ssrc) });
      const p = await spawnGstLaunch(audioPipeline(o.server, ssrc, transport.tuple.localPort), {
        ...o,
        stdout: 'ignore',
      });
      let stderr = '';
      p.stderr!.on('data', (d) => {
        stderr = (stderr + d).slice(-2000);
      });
      return new AudioSource(transport, producer, p, log, () => stderr.trim().slice(-300), t0);
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void terminate(this.proc);
    this.transport.close();
  }
}
