import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MARKER_HEIGHT } from '@offload/latency';
import { childEnv } from '../util/childEnv.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { terminate } from '../util/terminate.js';
import { type AppUser, launchAs } from './appUser.js';
import type { Cgroup } from './Cgroup.js';
import { trackDir, trackGroup, untrackDir, untrackGroup } from './processReaper.js';

/** Debian's Xorg (xserver-xorg-core) and its dummy video driver (xserver-xorg-video-dummy). */
const XORG = '/usr/lib/xorg/Xorg';
const XVFB = '/usr/bin/Xvfb';
/** Where X servers make their sockets: root's and world-writable with the sticky bit, as X wants it. */
const X11_UNIX = '/tmp/.X11-unix';
const DUMMY_DRIVER = '/usr/lib/xorg/modules/drivers/dummy_drv.so';

/**
 * The app screen's refresh rate by default (Hz). Chromium shows an input about two of its
 * frames after the event: at 120 Hz that is ~12 ms sooner than at 60 (README, latency).
 */
export const DEFAULT_REFRESH_HZ = 120;

export type XServerKind = 'xorg' | 'xvfb';

export interface XServerOptions {
  width: number;
  height: number;
  /**
   * The screen's refresh rate (Hz), which paces the app browser's frames: Chromium draws at
   * the rate X reports for the screen. Xvfb reports none (Chromium then assumes 60), so any
   * other rate runs Xorg with its dummy driver and a mode of that rate. Default 60 (Xvfb).
   */
  refreshHz?: number;
  /** How long to wait for the server to pick a display (ms). Default 10000. */
  startTimeoutMs?: number;
  /**
   * The account the X server runs as, the app browser's (its cookie and config are that
   * account's): a root server's app never talks to a root process. Default: the server's own.
   */
  user?: AppUser | undefined;
  /** The session's cgroup: the X server goes in as soon as it is started. */
  cgroup?: Cgroup | undefined;
}

/**
 * An Xauthority file holding one MIT-MAGIC-COOKIE-1 for any display (family Wild, no address,
 * no display number: the X server takes every cookie in the file it is given, and Xlib/xcb
 * clients pick this entry for whatever display they open). Format: Xau's, big-endian lengths.
 */
export function xauthority(cookie: Buffer): Buffer {
  const field = (b: Buffer) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const family = Buffer.alloc(2);
  family.writeUInt16BE(0xffff);
  return Buffer.concat([
    family,
    field(Buffer.alloc(0)),
    field(Buffer.alloc(0)),
    field(Buffer.from('MIT-MAGIC-COOKIE-1')),
    field(cookie),
  ]);
}

/** Whether Xorg and its dummy driver are installed (a screen at another rate than 60 Hz needs them). */
export function xorgDummyAvailable(): boolean {
  return existsSync(XORG) && existsSync(DUMMY_DRIVER);
}

/** The dummy driver's highest pixel clock (kHz): it refuses modes above it. */
const DUMMY_MAX_CLOCK_KHZ = 300_000;

/**
 * A mode of `width` × `height` at `hz` for the dummy driver: blanking intervals like a
 * classic (not reduced-blanking) timing, which the driver checks for, and the pixel clock
 * that gives exactly that rate. Throws if the clock is beyond the driver's limit.
 */
export function dummyModeline(
  width: number,
  height: number,
  hz: number,
): { name: string; clockMHz: number; line: string } {
  const hTotal = width + 240;
  const vTotal = height + 20;
  const clockKHz = (hTotal * vTotal * hz) / 1000;
  if (clockKHz > DUMMY_MAX_CLOCK_KHZ)
    throw new RangeError(
      `a ${width}x${height} screen at ${hz} Hz needs a ${Math.round(clockKHz / 1000)} MHz pixel clock, above the dummy driver's ${DUMMY_MAX_CLOCK_KHZ / 1000} MHz: use a lower OFFLOAD_APP_REFRESH_HZ`,
    );
  const name = `${width}x${height}_${hz}`;
  const timings = [width, width + 48, width + 120, hTotal, height, height + 3, height + 13, vTotal];
  return {
    name,
    clockMHz: clockKHz / 1000,
    line: `"${name}" ${(clockKHz / 1000).toFixed(3)} ${timings.join(' ')}`,
  };
}

/**
 * An xorg.conf for one dummy screen of `width` × `height` at `hz`. No input devices (input
 * goes through the browser's DevTools protocol), no screen blanking.
 */
export function dummyConfig(width: number, height: number, hz: number): string {
  const mode = dummyModeline(width, height, hz);
  return `Section "ServerFlags"
  Option "AutoAddDevices" "false"
  Option "AutoEnableDevices" "false"
  Option "DontVTSwitch" "true"
  Option "BlankTime" "0"
  Option "StandbyTime" "0"
  Option "SuspendTime" "0"
  Option "OffTime" "0"
EndSection
Section "Device"
  Identifier "offload-dummy"
  Driver "dummy"
  VideoRam ${Math.ceil((width * height * 4 * 2) / 1024) + 1024}
EndSection
Section "Monitor"
  Identifier "offload-monitor"
  HorizSync 1.0-1000.0
  VertRefresh 1.0-250.0
  Modeline ${mode.line}
EndSection
Section "Screen"
  Identifier "offload-screen"
  Device "offload-dummy"
  Monitor "offload-monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Modes "${mode.name}"
    Virtual ${width} ${height}
  EndSubSection
EndSection
`;
}

/**
 * Makes /tmp/.X11-unix as X servers expect it (root's, mode 1777) if it is missing: one that
 * runs as another account could not make it so itself.
 */
async function ensureSocketDir(): Promise<void> {
  if (existsSync(X11_UNIX)) return;
  await mkdir(X11_UNIX, { mode: 0o1777 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  await chmod(X11_UNIX, 0o1777);
}

/** Removes an X server's folder (cookie, config), which the reaper need not remove any more. */
function removeConfigDir(dir: string): void {
  untrackDir(dir);
  rm(dir, { recursive: true, force: true }).catch(() => {});
}

/**
 * The app's virtual X server, on a display number it picks itself (-displayfd), so sessions
 * never race for one: Xvfb at 60 Hz, or Xorg with the dummy driver at any other refresh
 * rate (both keep the screen in memory; capture reads it with MIT-SHM and X DAMAGE). The
 * screen is a little larger than the app window: without a window manager, Chromium makes a
 * screen-sized kiosk window 1 px short, and the capture draws the marker strip below the app.
 */
export class XServer {
  readonly events = new SafeEmitter<{ exit: [code: number | null, signal: NodeJS.Signals | null] }>(
    'x-server',
  );
  #proc: ChildProcess;
  #exited = false;
  #configDir: string | undefined;

  private constructor(
    proc: ChildProcess,
    readonly display: string,
    readonly kind: XServerKind,
    readonly refreshHz: number,
    configDir: string,
    /** The display's cookie (an Xauthority file): clients need XAUTHORITY set to it. */
    readonly authFile: string,
  ) {
    this.#proc = proc;
    this.#configDir = configDir;
    proc.once('exit', (code, signal) => {
      this.#exited = true;
      this.#removeConfig();
      this.events.safeEmit('exit', code, signal);
    });
  }

  /** Rows (and columns) beyond the app: room for the marker strip the capture draws below it. */
  static MARGIN = MARKER_HEIGHT;

  static async start(o: XServerOptions): Promise<XServer> {
    const width = o.width + XServer.MARGIN;
    const height = o.height + XServer.MARGIN;
    const hz = o.refreshHz ?? 60;
    if (!Number.isInteger(hz) || hz < 1 || hz > 240)
      throw new RangeError(`refresh rate ${hz} Hz is not 1–240`);
    if (hz !== 60 && !xorgDummyAvailable())
      throw new Error(
        `a ${hz} Hz screen needs Xorg's dummy driver: apt-get install xserver-xorg-core xserver-xorg-video-dummy (or set OFFLOAD_APP_REFRESH_HZ=60 for Xvfb)`,
      );
    // Checked before anything is made: a mode the dummy driver cannot show throws here.
    const xorgConf = hz === 60 ? undefined : dummyConfig(width, height, hz);
    // Each display has its own cookie: only processes given this file (the app browser, the
    // capture) may connect; other local users and other sessions' apps are refused.
    const configDir = await mkdtemp(path.join(os.tmpdir(), 'offload-x-'));
    trackDir(configDir);
    const authFile = path.join(configDir, 'Xauthority');
    await writeFile(authFile, xauthority(randomBytes(16)), { mode: 0o600 });
    const user = o.user;
    if (user) {
      // The app's account reads its cookie; the folder only lets it through (no listing).
      await chmod(configDir, 0o711);
      await chown(authFile, user.uid, user.gid);
      await ensureSocketDir();
    }
    const common = ['-displayfd', '3', '-nolisten', 'tcp', '-noreset', '-auth', authFile];
    let kind: XServerKind = 'xvfb';
    let proc: ChildProcess;
    const run = (exe: string, args: string[]) => {
      const launch = launchAs(user, exe, childEnv(), { cgroup: o.cgroup });
      return spawn(launch.command, args, {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        env: launch.env,
        // Its own process group, killed by the process reaper if the server dies first.
        detached: true,
      });
    };
    if (xorgConf === undefined) {
      proc = run(existsSync(XVFB) ? XVFB : 'Xvfb', [...common, '-screen', '0', `${width}x${height}x24`]);
    } else {
      kind = 'xorg';
      const conf = path.join(configDir, 'xorg.conf');
      await writeFile(conf, xorgConf, { mode: 0o600 });
      await mkdir(path.join(configDir, 'conf.d'));
      if (user) await chown(conf, user.uid, user.gid);
      proc = run(XORG, [
        ...common,
        '-config',
        path.join(configDir, 'xorg.conf'),
        // Nothing from /usr/share/X11/xorg.conf.d or /etc/X11: only the file above.
        '-configdir',
        path.join(configDir, 'conf.d'),
        '-logfile',
        '/dev/null',
        // Never touch the machine's consoles.
        '-novtswitch',
        '-sharevts',
      ]);
    }
    trackGroup(proc.pid);
    o.cgroup?.add(proc.pid);
    proc.once('exit', () => untrackGroup(proc.pid));
    const name = kind === 'xorg' ? 'Xorg' : 'Xvfb';
    return new Promise((resolve, reject) => {
      let stderr = '';
      let out = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        removeConfigDir(configDir);
        reject(new Error(`${name} did not start: ${why}${stderr ? `\n${stderr.trim().slice(-500)}` : ''}`));
      };
      const timer = setTimeout(() => fail('timed out'), o.startTimeoutMs ?? 10_000);
      proc.stderr?.on('data', (d) => {
        // Xorg writes its banner and every module it loads here: keep only the tail.
        stderr = (stderr + d).slice(-4000);
      });
      const onError = (err: Error) => fail(err.message);
      const onExit = (code: number | null) => fail(`exited with ${code}`);
      proc.once('error', onError);
      proc.once('exit', onExit);
      (proc.stdio[3] as Readable).on('data', (d) => {
        out += d;
        const m = /^(\d+)\n/.exec(out);
        if (!m) return;
        clearTimeout(timer);
        proc.off('exit', onExit);
        proc.off('error', onError);
        proc.on('error', () => {});
        resolve(new XServer(proc, `:${m[1]}`, kind, hz, configDir, authFile));
      });
    });
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  #removeConfig(): void {
    const dir = this.#configDir;
    if (!dir) return;
    this.#configDir = undefined;
    removeConfigDir(dir);
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    await terminate(this.#proc);
  }
}
