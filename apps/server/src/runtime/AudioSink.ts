import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { childEnv } from '../util/childEnv.js';
import { terminate } from '../util/terminate.js';
import { type AppUser, launchAs } from './appUser.js';
import type { Cgroup } from './Cgroup.js';
import { trackGroup, untrackGroup } from './processReaper.js';
import { SinkSleeper } from './SinkSleeper.js';

const PULSEAUDIO = '/usr/bin/pulseaudio';
const PACTL = '/usr/bin/pactl';
let warnedMissing = false;
/** The sink the app plays into; its monitor is what the audio source records. */
export const SINK = 'app';

export interface AudioSinkOptions {
  /** A folder of the runtime's, writable by `user` (the socket goes in it). */
  dir: string;
  user?: AppUser | undefined;
  cgroup?: Cgroup | undefined;
  /** How long to wait for the socket (ms). Default 10000. */
  startTimeoutMs?: number;
}

/**
 * One app runtime's sound card: a PulseAudio server of its own, run as the app's account in the
 * session's cgroup, with one null sink that the app browser plays into (PULSE_SERVER) and whose
 * monitor the audio source records. One per runtime, like the X server, so no session can hear
 * another's sound; it listens on a unix socket in the runtime's folder only. The sink sleeps
 * while nothing plays into it (SinkSleeper): silence costs nothing.
 */
export class AudioSink {
  #exited = false;
  /** Keeps the sink asleep while nothing plays into it (undefined without pactl). */
  readonly #sleeper: SinkSleeper | undefined;

  private constructor(
    readonly proc: ChildProcess,
    /** What PULSE_SERVER (and pulsesrc's `server`) take: `unix:<socket>`. */
    readonly server: string,
    launchPactl: (args: string[]) => ChildProcess,
  ) {
    proc.once('exit', () => {
      this.#exited = true;
      this.#sleeper?.close();
    });
    this.#sleeper = existsSync(PACTL) ? new SinkSleeper(SINK, launchPactl) : undefined;
  }

  /** Whether the sink runs (something plays into it, or it cannot be put to sleep). */
  get awake(): boolean {
    return this.#sleeper?.awake ?? true;
  }

  /** Resolves once the sink has settled: asleep with nothing playing, awake with something. */
  settled(): Promise<void> {
    return this.#sleeper?.settled() ?? Promise.resolve();
  }

  /** What a program that plays into the sink needs in its environment. */
  get clientEnv(): Record<string, string> {
    return { PULSE_SERVER: this.server, PULSE_SINK: SINK };
  }

  /** Whether PulseAudio is installed here. */
  static available(): boolean {
    return existsSync(PULSEAUDIO);
  }

  /** start(), or undefined with a warning (once, if PulseAudio is not installed): the app then plays no sound. */
  static async startOrWarn(o: AudioSinkOptions, log: Logger): Promise<AudioSink | undefined> {
    if (!AudioSink.available()) {
      if (!warnedMissing) log.warn(`no ${PULSEAUDIO}: apps play no sound (install pulseaudio)`);
      warnedMissing = true;
      return undefined;
    }
    return AudioSink.start(o).catch((err: Error) => {
      log.warn({ err: err.message }, 'the app has no sound card: it plays no sound');
      return undefined;
    });
  }

  static async start(o: AudioSinkOptions): Promise<AudioSink> {
    const dir = path.join(o.dir, 'pulse');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (o.user) await chown(dir, o.user.uid, o.user.gid);
    const socket = path.join(dir, 'native');
    const launch = launchAs(o.user, PULSEAUDIO, childEnv(), { cgroup: o.cgroup });
    const proc = spawn(
      launch.command,
      [
        '--daemonize=no',
        '--system=false',
        // Nothing from /etc/pulse: only the two modules below.
        '-n',
        '--exit-idle-time=-1',
        '--use-pid-file=false',
        '--realtime=false',
        '--high-priority=false',
        '--log-target=stderr',
        '--log-level=error',
        '--disable-shm=true',
        // The sink first: once the socket is there, so is the sink.
        '--load',
        `module-null-sink sink_name=${SINK} rate=48000 channels=2 sink_properties=device.description=Offload`,
        '--load',
        `module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      ],
      // Its own process group, killed by the process reaper if the server dies first.
      // Its home and runtime folder: the runtime's (launchAs drops the server's own XDG_* variables).
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...launch.env, HOME: o.dir, XDG_RUNTIME_DIR: dir },
        detached: true,
      },
    );
    trackGroup(proc.pid);
    o.cgroup?.add(proc.pid!);
    proc.once('exit', () => untrackGroup(proc.pid));
    let stderr = '';
    proc.stderr!.on('data', (d) => {
      stderr = (stderr + d).slice(-2000);
    });
    const deadline = Date.now() + (o.startTimeoutMs ?? 10_000);
    let failure: string | undefined;
    proc.once('error', (err) => {
      failure = err.message;
    });
    proc.once('exit', (code) => {
      failure ??= `exited with ${code}`;
    });
    while (!existsSync(socket)) {
      if (failure || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(
          `PulseAudio did not start: ${failure ?? 'timed out'} ${stderr.trim().slice(-300)}`.trim(),
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const server = `unix:${socket}`;
    const env = { ...launch.env, HOME: o.dir, XDG_RUNTIME_DIR: dir };
    const launchPactl = (args: string[]) => {
      const p = launchAs(o.user, PACTL, env, { cgroup: o.cgroup });
      const child = spawn(p.command, ['-s', server, ...args], {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...p.env, HOME: o.dir, XDG_RUNTIME_DIR: dir },
        detached: true,
      });
      trackGroup(child.pid);
      child.once('exit', () => untrackGroup(child.pid));
      child.once('error', () => {});
      return child;
    };
    return new AudioSink(proc, server, launchPactl);
  }

  async stop(): Promise<void> {
    this.#sleeper?.close();
    if (this.#exited) return;
    await terminate(this.proc);
  }
}
