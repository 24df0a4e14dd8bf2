import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MARKER, videoFrameSize } from '@offload/latency';
import type { types } from 'mediasoup';
import type { Logger } from '../logger.js';
import { type AppUser, launchAs } from '../runtime/appUser.js';
import type { Cgroup } from '../runtime/Cgroup.js';
import { trackGroup, trackLifetimeDir, untrackGroup } from '../runtime/processReaper.js';
import { childEnv } from '../util/childEnv.js';
import { PLAYOUT_DELAY, senderRtpParameters, type VideoCodecName } from './codecs.js';
import { parseSenderLine } from './senderProtocol.js';
import { type SimulcastLayer, type SimulcastSettings, simulcastLayers } from './simulcast.js';

/*
 * The video sender process (sender/gst_sender.py): its files, how it is started (as the app's
 * account, in the session's cgroup, tracked by the process reaper), and waiting for what it says.
 * VideoSource (a running sender feeding a router) and PreparedSender (one started ahead for a
 * warm runtime, waiting to be told where to send) both start theirs here.
 */

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

/** The GStreamer registry any account may read (see prepareSenderFiles), for other GStreamer processes run as an app's account. */
export async function sharedGstRegistry(): Promise<string> {
  return (await stagedSender(PYTHON)).registry;
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

export type CaptureMode = 'damage' | 'tick';

/** What a sender captures and how it encodes: everything but where it sends. */
export interface SenderSpec {
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
}

/** One encoded layer as produced: its size, bitrate and SSRC. */
export interface VideoLayer extends SimulcastLayer {
  ssrc: number;
}

/** The layers a sender encodes for `spec` (lowest first), each with an SSRC of its own. */
export function senderLayers(spec: SenderSpec): VideoLayer[] {
  // Every layer encodes the app screen with the marker strip below it.
  const frame = videoFrameSize(spec);
  return simulcastLayers(
    frame.width,
    frame.height,
    spec.kbps,
    spec.simulcast ?? { layers: 1, scaleStep: 2, bitrateStep: 1 },
  ).map((l) => ({ ...l, ssrc: randomInt(1, 2 ** 31) }));
}

/** The producer's RTP parameters for a sender of `spec` with these layers. */
export function senderRtpParametersFor(spec: SenderSpec, layers: readonly VideoLayer[]): types.RtpParameters {
  return senderRtpParameters(
    spec.codec,
    layers.map((l) => ({ ssrc: l.ssrc, maxBitrate: l.kbps * 1000 })),
    { playoutDelay: (spec.playoutDelayMs ?? 0) !== 'off' },
  );
}

/** A started sender: its process, its stdout as lines, the tail of its stderr. */
export interface SenderProcess {
  proc: ChildProcess;
  lines: Interface;
  stderrTail(): string;
  /** Set if the process could not be started (spawn's 'error', e.g. no such program). */
  spawnError(): Error | undefined;
}

/**
 * Starts a sender for `spec` and `layers`, built and waiting for a `connect` command (see
 * PreparedSender: every sender starts so, its PlainTransport connected to its ports first). Its own process group, killed by the process
 * reaper if the server dies first (it also stops by itself when its stdin closes).
 */
export async function spawnSender(
  spec: SenderSpec,
  layers: readonly VideoLayer[],
  log: Logger,
): Promise<SenderProcess> {
  const python = spec.python ?? PYTHON;
  const files = spec.user ? await stagedSender(python) : undefined;
  const rtpParameters = senderRtpParametersFor(spec, layers);
  const playoutDelayMs = spec.playoutDelayMs ?? 0;
  const launch = launchAs(
    spec.user,
    python,
    childEnv({
      ...(spec.xauthority ? { XAUTHORITY: spec.xauthority } : {}),
      // Another account: the registry built for it, no bytecode written next to the files.
      ...(files ? { GST_REGISTRY_1_0: files.registry, PYTHONDONTWRITEBYTECODE: '1' } : {}),
    }),
    { cgroup: spec.cgroup, ...(spec.home ? { home: spec.home } : {}) },
  );
  const proc = spawn(
    launch.command,
    [
      files?.script ?? path.join(MEDIA_DIR, SENDER),
      ...['--display', spec.display, '--width', String(spec.width), '--height', String(spec.height)],
      ...['--fps', String(spec.fps), '--codec', spec.codec],
      ...['--keyint', String(spec.fps * spec.keyframeIntervalS)],
      ...layers.flatMap((l) => ['--layer', `${l.width}x${l.height}:${l.kbps}:${l.ssrc}`]),
      ...['--pt', String(rtpParameters.codecs[0]!.payloadType), '--host', '127.0.0.1'],
      '--wait-connect',
      ...['--marker-cells', String(MARKER.cells), '--marker-modulo', String(MARKER.modulo)],
      ...['--page-px', String(MARKER.pagePx), '--strip-px', String(MARKER.cellPx)],
      ...(playoutDelayMs === 'off'
        ? []
        : ['--playout-delay-id', String(PLAYOUT_DELAY.id), '--playout-delay-ms', String(playoutDelayMs)]),
      ...['--capture', spec.capture ?? 'damage'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: launch.env },
  );
  // Listened to at once: spawn reports a failure on the next tick, before any caller awaits.
  let spawnError: Error | undefined;
  proc.once('error', (e) => {
    spawnError = e;
  });
  const pid = proc.pid;
  if (pid !== undefined) {
    spec.cgroup?.add(pid);
    trackGroup(pid);
    proc.once('exit', () => untrackGroup(pid));
  }
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  // What the sender says on stderr (GStreamer warnings, a Python traceback) goes to our log.
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (line.trim()) log.warn({ stderr: line.slice(0, 1000) }, 'video sender');
  });
  return {
    proc,
    lines: createInterface({ input: proc.stdout! }),
    stderrTail: () => stderr.trim(),
    spawnError: () => spawnError,
  };
}

/** The sender's local ports, as its `prepared` and `ready` events tell them. */
export type SenderPorts = { rtpPort: number; rtcpPort: number };

/** Resolves when the sender says `event` ('prepared' or 'ready'), with the ports it sends from; rejects if it fails, exits or takes too long. */
export function awaitSenderEvent(
  sp: SenderProcess,
  event: 'prepared' | 'ready',
  log: Logger,
  timeoutMs: number,
): Promise<SenderPorts> {
  const { proc, lines } = sp;
  return new Promise<SenderPorts>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onError = (e: Error) => fail(e.message);
    const onExit = (code: number | null, signal: string | null) => fail(`exited with ${code ?? signal}`);
    const onLine = (line: string) => {
      const r = parseSenderLine(line);
      if (!r.ok) return;
      if (r.event.event === 'error') return fail(r.event.message);
      if (r.event.event !== event) return;
      const { rtpPort, rtcpPort } = r.event;
      done();
      if (event === 'ready') proc.on('error', (e) => log.error({ err: e }, 'video sender error'));
      resolve({ rtpPort, rtcpPort });
    };
    const done = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      proc.off('exit', onExit);
      proc.off('error', onError);
    };
    function fail(why: string): void {
      done();
      const tail = sp.stderrTail();
      reject(new Error(`video sender did not start: ${why}${tail ? `\n${tail}` : ''}`));
    }
    const early = sp.spawnError();
    if (early) return fail(early.message);
    if (proc.exitCode !== null || proc.signalCode !== null) return onExit(proc.exitCode, proc.signalCode);
    timer = setTimeout(() => fail('timed out'), timeoutMs);
    proc.once('error', onError);
    proc.once('exit', onExit);
    lines.on('line', onLine);
  });
}
