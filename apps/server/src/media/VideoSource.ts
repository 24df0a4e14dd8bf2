import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MARKER, videoFrameSize } from '@offload/latency';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { type AppUser, launchAs } from '../runtime/appUser.js';
import type { Cgroup } from '../runtime/Cgroup.js';
import { trackGroup, trackLifetimeDir, untrackGroup } from '../runtime/processReaper.js';
import { childEnv } from '../util/childEnv.js';
import { monotonicToServer } from '../util/clock.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { PLAYOUT_DELAY, senderRtpParameters, type VideoCodecName } from './codecs.js';
import { parseSenderLine, type SenderCommand, senderCommandLine } from './senderProtocol.js';
import { type SimulcastLayer, type SimulcastSettings, simulcastLayers } from './simulcast.js';

/** The sender's Python files (gst_sender.py and its modules). */
const MEDIA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'sender');
const SENDER = 'gst_sender.py';
const PYTHON = '/usr/bin/python3';

/** The sender's files, and a GStreamer registry, where any account can read them (see stagedSender). */
let staged: Promise<{ script: string; registry: string }> | undefined;

/**
 * For senders that run as an app's account: a copy of media/*.py in a folder of the server's
 * that any account may read (the checkout may be where only the server's user can, e.g. under
 * /root), and a GStreamer plugin registry built there once, so that no sender (whose account
 * has no writable cache of its own outside the session) scans every plugin at each start.
 * Made once per server process, removed when it exits (or by the process reaper).
 */
export function prepareSenderFiles(python = PYTHON): Promise<unknown> {
  return stagedSender(python);
}

function stagedSender(python: string): Promise<{ script: string; registry: string }> {
  staged ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'offload-media-'));
    trackLifetimeDir(dir);
    await chmod(dir, 0o755);
    for (const f of await readdir(MEDIA_DIR)) {
      if (!f.endsWith('.py') || f.startsWith('test_')) continue;
      await copyFile(path.join(MEDIA_DIR, f), path.join(dir, f));
      await chmod(path.join(dir, f), 0o644);
    }
    const registry = path.join(dir, 'gst-registry.bin');
    await promisify(execFile)(
      python,
      ['-c', 'import gi; gi.require_version("Gst", "1.0"); from gi.repository import Gst; Gst.init(None)'],
      { env: childEnv({ GST_REGISTRY_1_0: registry }), timeout: 60_000 },
    );
    await chmod(registry, 0o644);
    return { script: path.join(dir, SENDER), registry };
  })();
  staged.catch(() => {
    staged = undefined;
  });
  return staged;
}

export interface VideoSourceOptions {
  router: types.Router;
  display: string;
  /** The display's cookie (Xauthority file). */
  xauthority?: string;
  /** The session's cgroup: the sender counts against its limits. */
  cgroup?: Cgroup | undefined;
  /**
   * The app's account (and its HOME), if not the server's: the sender runs as it, so nothing
   * that talks to the app's X server runs as root. Default: the server's own.
   */
  user?: AppUser | undefined;
  home?: string | undefined;
  /** The app screen (px); the video frame adds the marker strip below it (see videoFrameSize). */
  width: number;
  height: number;
  codec: VideoCodecName;
  /** Most frames a second. */
  fps: number;
  /**
   * `damage` (default): a frame as soon as the app draws, at most `fps` a second, and without
   * waiting while an input (expect()) has not shown yet; `tick`: every 1/fps s, drawn or not.
   */
  capture?: CaptureMode;
  /**
   * Playout delay asked of receivers through the RTP playout-delay extension (ms, min = max;
   * 0 = render each frame as soon as it is decoded). Default 0; 'off': no extension.
   */
  playoutDelayMs?: number | 'off';
  /** Bitrate of the full-size (top) layer (kbit/s). */
  kbps: number;
  keyframeIntervalS: number;
  /** Simulcast layers from the one capture; default one layer (off). */
  simulcast?: SimulcastSettings;
  /** Debian's python3 (it has the GStreamer bindings), not a pyenv one. */
  python?: string;
  logBindings?: Record<string, unknown>;
  /** How long to wait for the pipeline to play (ms). Default 15000. */
  startTimeoutMs?: number;
}

export type CaptureMode = 'damage' | 'tick';

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

/** One encoded layer as produced: its size, bitrate and SSRC. */
export interface VideoLayer extends SimulcastLayer {
  ssrc: number;
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
 * comedia PlainTransport. With more than one layer the Producer is a simulcast one (one
 * encoding per layer, by SSRC), so mediasoup picks a layer per consumer from its bandwidth
 * estimate. RTCP stays two-way, so a PLI/FIR for a layer's SSRC reaches that layer's encoder.
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
    const transport = await o.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
    });
    // Every layer encodes the app screen with the marker strip below it.
    const frame = videoFrameSize(o);
    const layers: VideoLayer[] = simulcastLayers(
      frame.width,
      frame.height,
      o.kbps,
      o.simulcast ?? { layers: 1, scaleStep: 2, bitrateStep: 1 },
    ).map((l) => ({ ...l, ssrc: randomInt(1, 2 ** 31) }));
    const playoutDelayMs = o.playoutDelayMs ?? 0;
    const rtpParameters = senderRtpParameters(
      o.codec,
      layers.map((l) => ({ ssrc: l.ssrc, maxBitrate: l.kbps * 1000 })),
      { playoutDelay: playoutDelayMs !== 'off' },
    );
    let proc: ChildProcess | undefined;
    try {
      const producer = await transport.produce({ kind: 'video', rtpParameters, appData: { codec: o.codec } });
      const python = o.python ?? PYTHON;
      const files = o.user ? await stagedSender(python) : undefined;
      const launch = launchAs(
        o.user,
        python,
        childEnv({
          ...(o.xauthority ? { XAUTHORITY: o.xauthority } : {}),
          // Another account: the registry built for it, no bytecode written next to the files.
          ...(files ? { GST_REGISTRY_1_0: files.registry, PYTHONDONTWRITEBYTECODE: '1' } : {}),
        }),
        { cgroup: o.cgroup, ...(o.home ? { home: o.home } : {}) },
      );
      proc = spawn(
        launch.command,
        [
          files?.script ?? path.join(MEDIA_DIR, SENDER),
          ...['--display', o.display, '--width', String(o.width), '--height', String(o.height)],
          ...['--fps', String(o.fps), '--codec', o.codec],
          ...['--keyint', String(o.fps * o.keyframeIntervalS)],
          ...layers.flatMap((l) => ['--layer', `${l.width}x${l.height}:${l.kbps}:${l.ssrc}`]),
          ...['--pt', String(rtpParameters.codecs[0]!.payloadType), '--host', '127.0.0.1'],
          ...[
            '--rtp-port',
            String(transport.tuple.localPort),
            '--rtcp-port',
            String(transport.rtcpTuple!.localPort),
          ],
          ...['--marker-cells', String(MARKER.cells), '--marker-modulo', String(MARKER.modulo)],
          ...['--page-px', String(MARKER.pagePx), '--strip-px', String(MARKER.cellPx)],
          ...(playoutDelayMs === 'off'
            ? []
            : ['--playout-delay-id', String(PLAYOUT_DELAY.id), '--playout-delay-ms', String(playoutDelayMs)]),
          ...['--capture', o.capture ?? 'damage'],
        ],
        // Its own process group, killed by the process reaper if the server dies first (it also
        // stops by itself when its stdin closes).
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
          env: launch.env,
        },
      );
      const pid = proc.pid;
      o.cgroup?.add(pid);
      trackGroup(pid);
      proc.once('exit', () => untrackGroup(pid));
      const source = await VideoSource.#awaitReady(proc, log, o.startTimeoutMs ?? 15_000);
      const vs = new VideoSource(o.codec, transport, producer, layers, proc, log);
      vs.#follow(source);
      log.info({ producerId: producer.id, layers, pid: proc.pid }, 'video source started');
      return vs;
    } catch (err) {
      proc?.kill('SIGKILL');
      transport.close();
      throw err;
    }
  }

  static #awaitReady(proc: ChildProcess, log: Logger, timeoutMs: number) {
    const lines = createInterface({ input: proc.stdout! });
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr = (stderr + d).slice(-2000);
    });
    // What the sender says on stderr (GStreamer warnings, a Python traceback) goes to our log.
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      if (line.trim()) log.warn({ stderr: line.slice(0, 1000) }, 'video sender');
    });
    return new Promise<typeof lines>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`video sender did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      const onError = (e: Error) => fail(e.message);
      const onExit = (code: number | null) => fail(`exited with ${code}`);
      proc.once('error', onError);
      proc.once('exit', onExit);
      const onLine = (line: string) => {
        const r = parseSenderLine(line);
        if (!r.ok) return;
        if (r.event.event === 'error') fail(r.event.message);
        if (r.event.event !== 'ready') return;
        clearTimeout(timer);
        lines.off('line', onLine);
        proc.off('exit', onExit);
        proc.off('error', onError);
        proc.on('error', (e) => log.error({ err: e }, 'video sender error'));
        resolve(lines);
      };
      lines.on('line', onLine);
    });
  }

  #follow(lines: ReturnType<typeof createInterface>): void {
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
    const t = setTimeout(() => this.#proc.kill('SIGKILL'), 2000);
    this.#proc.once('exit', () => clearTimeout(t));
    this.#proc.kill('SIGTERM');
    this.transport.close();
  }

  #command(c: SenderCommand): void {
    if (!this.#closed) this.#proc.stdin?.write(senderCommandLine(c));
  }
}
