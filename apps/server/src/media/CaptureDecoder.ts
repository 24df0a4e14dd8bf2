import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { CAPTURE_LIMITS } from '@offload/protocol';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import type { AppUser } from '../runtime/appUser.js';
import type { Cgroup } from '../runtime/Cgroup.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { terminate } from '../util/terminate.js';
import { ChunkSplitter, JpegSplitter } from './captureFrames.js';
import { spawnGstLaunch } from './gstLaunch.js';

/** 20 ms of 48 kHz mono s16: what the app page schedules at a time. */
export const PCM_CHUNK_BYTES = 48_000 * 0.02 * 2;
/** JPEG quality of the pictures handed to the app page. */
const JPEG_QUALITY = 75;

export interface CaptureDecoderOptions {
  /** The router the device's producer is on. */
  router: types.Router;
  producer: types.Producer;
  user?: AppUser | undefined;
  cgroup?: Cgroup | undefined;
  home?: string | undefined;
  logBindings?: Record<string, unknown>;
}

export type CaptureDecoderEvents = {
  /** One picture (JPEG), at most CAPTURE_LIMITS' size and rate. */
  picture: [jpeg: Buffer];
  /** 20 ms of sound (48 kHz mono s16le). */
  sound: [pcm: Buffer];
  /** The decoder exited or could not start. */
  died: [reason: string];
};

/** The decoding pipeline for a consumer's codec, reading RTP on `port`; undefined if we have none for it. */
export function decodePipeline(codec: types.RtpCodecParameters, port: number): string[] | undefined {
  const name = codec.mimeType.split('/')[1]!.toUpperCase();
  const depayDecode: Record<string, string[]> = {
    VP8: ['rtpvp8depay', '!', 'vp8dec'],
    H264: ['rtph264depay', '!', 'avdec_h264'],
    OPUS: ['rtpopusdepay', '!', 'opusdec', 'plc=true'],
  };
  const chain = depayDecode[name];
  if (!chain) return undefined;
  const media = name === 'OPUS' ? 'audio' : 'video';
  const caps = `application/x-rtp,media=${media},encoding-name=${name},clock-rate=${codec.clockRate},payload=${codec.payloadType}`;
  const { maxWidth, maxHeight } = CAPTURE_LIMITS;
  const out =
    media === 'video'
      ? // The size limit holds whatever the device sends: scaled down, aspect kept. (The rate
        // is held in Node: videorate aborts on WebRTC's buffers, which carry no duration.)
        [
          'videoconvert',
          '!',
          'videoscale',
          '!',
          `video/x-raw,width=[16,${maxWidth}],height=[16,${maxHeight}],pixel-aspect-ratio=1/1`,
          '!',
          'jpegenc',
          `quality=${JPEG_QUALITY}`,
        ]
      : ['audioconvert', '!', 'audioresample', '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1'];
  return [
    '-q',
    'udpsrc',
    'address=127.0.0.1',
    `port=${port}`,
    `caps="${caps}"`,
    '!',
    'rtpjitterbuffer',
    'latency=40',
    '!',
    ...chain,
    '!',
    ...out,
    '!',
    'fdsink',
    'fd=1',
    'sync=false',
  ];
}

/** A free UDP port on loopback, held until `release` (mediasoup's RTCP goes to one we keep). */
async function udpPort(): Promise<{ port: number; socket: dgram.Socket }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return { port: socket.address().port, socket };
}

/**
 * One track of the device, decoded for the app page: a consumer of the device's producer on a
 * PlainTransport (RTP to 127.0.0.1), and a GStreamer decoder (gst-launch: depay → decode →
 * JPEG pictures or raw 48 kHz mono sound on stdout), run as the app's account in the session's
 * cgroup like the session's other media processes (it parses what a participant sent).
 */
export class CaptureDecoder {
  readonly events = new SafeEmitter<CaptureDecoderEvents>('capture-decoder');
  #closed = false;

  private constructor(
    readonly transport: types.PlainTransport,
    readonly consumer: types.Consumer,
    readonly proc: ChildProcess,
    readonly rtcpSink: dgram.Socket,
    log: Logger,
  ) {
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr = (stderr + d).slice(-1000);
    });
    const died = (why: string) => {
      if (this.#closed) return;
      log.warn({ why, stderr: stderr.trim().slice(-300) }, 'capture decoder failed');
      this.events.safeEmit('died', why);
    };
    proc.once('exit', (code, signal) => died(`capture decoder exited (${signal ?? code})`));
    proc.once('error', (err) => died(`capture decoder could not start: ${err.message}`));
    if (consumer.kind === 'video') {
      const pictures = new JpegSplitter();
      let first = true;
      // At most CAPTURE_LIMITS.maxFps pictures a second (2 ms of slack for arrival jitter).
      const minGapMs = 1000 / CAPTURE_LIMITS.maxFps - 2;
      let last = Number.NEGATIVE_INFINITY;
      // Until the first picture, ask the device for a keyframe now and then (the first may
      // have come before the decoder listened).
      const keyframes = setInterval(() => void consumer.requestKeyFrame().catch(() => {}), 1000);
      proc.once('exit', () => clearInterval(keyframes));
      proc.stdout!.on('data', (d: Buffer) => {
        for (const jpeg of pictures.push(d)) {
          if (first) {
            first = false;
            clearInterval(keyframes);
            log.info({ bytes: jpeg.length }, 'first camera picture decoded');
          }
          const now = performance.now();
          if (now - last < minGapMs) continue;
          last = now;
          this.events.safeEmit('picture', jpeg);
        }
      });
    } else {
      const chunks = new ChunkSplitter(PCM_CHUNK_BYTES);
      proc.stdout!.on('data', (d: Buffer) => {
        for (const pcm of chunks.push(d)) this.events.safeEmit('sound', pcm);
      });
    }
  }

  static async start(o: CaptureDecoderOptions): Promise<CaptureDecoder> {
    const log = moduleLogger('capture-decoder', { ...o.logBindings, kind: o.producer.kind });
    const rtp = await udpPort();
    const rtcp = await udpPort();
    // The decoder binds the RTP port itself: freed just before it starts.
    rtp.socket.close();
    rtcp.socket.on('message', () => {});
    const transport = await o.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    try {
      await transport.connect({ ip: '127.0.0.1', port: rtp.port, rtcpPort: rtcp.port });
      const consumer = await transport.consume({
        producerId: o.producer.id,
        rtpCapabilities: o.router.rtpCapabilities,
      });
      const args = decodePipeline(consumer.rtpParameters.codecs[0]!, rtp.port);
      if (!args) throw new TypeError(`No decoder for ${consumer.rtpParameters.codecs[0]!.mimeType}`);
      const p = await spawnGstLaunch(args, { ...o, stdout: 'pipe' });
      return new CaptureDecoder(transport, consumer, p, rtcp.socket, log);
    } catch (err) {
      transport.close();
      rtcp.socket.close();
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void terminate(this.proc);
    this.transport.close();
    this.rtcpSink.close();
  }
}
