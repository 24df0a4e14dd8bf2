/**
 * The baseline Offload is compared with: the same demo app in the same kind of app browser
 * (Offload's own ChromiumRuntime: the same X server and refresh rate, Chromium --kiosk, the
 * same flags and window size),
 * served by x11vnc over websockify to noVNC — all Debian packages, all on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { ChromiumRuntime, launchAs } from '@offload/server/runtime';
import { CHROMIUM_PATH } from '@offload/testkit';

/**
 * x11vnc tuned for latency, as well as we could (see the README's latency section for the
 * variants tried): one thread per client (-threads), 1 ms before an update is sent (-defer),
 * 5 ms between screen polls (-wait), XDamage on (default). Override with BENCH_VNC_ARGS.
 */
export const VNC_ARGS = (process.env.BENCH_VNC_ARGS ?? '-threads -defer 1 -wait 5')
  .split(/\s+/)
  .filter(Boolean);

/** noVNC 1.3's lite page, from Debian's novnc package. */
const NOVNC_DIR = '/usr/share/novnc';

export interface VncStackOptions {
  appUrl: string;
  width: number;
  height: number;
  /** RFB port (x11vnc, loopback only) and WebSocket/HTTP port (websockify). */
  rfbPort: number;
  wsPort: number;
  /** The app screen's refresh rate (Hz): the same as Offload's, so both apps draw alike. */
  refreshHz: number;
}

export class VncStack {
  private constructor(
    readonly runtime: ChromiumRuntime,
    readonly x11vnc: ChildProcess,
    readonly websockify: ChildProcess,
    readonly o: VncStackOptions,
  ) {}

  static async start(o: VncStackOptions): Promise<VncStack> {
    const runtime = await ChromiumRuntime.start({
      url: o.appUrl,
      // Mouse input (x11vnc injects X pointer events through XTEST).
      screen: { width: o.width, height: o.height, touch: false },
      executablePath: CHROMIUM_PATH,
      refreshHz: o.refreshHz,
    });
    // As the app's own account, like its X server (a root server runs both as a uid of their
    // own): an X server that is not root cannot attach root's shared memory, and x11vnc then
    // gets no screen at all.
    const launch = launchAs(
      runtime.user,
      '/usr/bin/x11vnc',
      { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      {
        home: runtime.home,
      },
    );
    const x11vnc = spawn(
      launch.command,
      [
        ...['-display', runtime.display, '-auth', runtime.xauthority],
        ...['-rfbport', String(o.rfbPort), '-localhost'],
        ...['-nopw', '-forever', '-shared', '-quiet', '-noxrecord', '-nowf', '-nocursor'],
        ...VNC_ARGS,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: launch.env },
    );
    let log = '';
    x11vnc.stderr?.on('data', (d) => {
      log = (log + d).slice(-4000);
    });
    const websockify = spawn(
      'websockify',
      ['--web', NOVNC_DIR, `127.0.0.1:${o.wsPort}`, `127.0.0.1:${o.rfbPort}`],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const stack = new VncStack(runtime, x11vnc, websockify, o);
    try {
      await waitForPort(o.rfbPort, () => (x11vnc.exitCode !== null ? `x11vnc exited: ${log}` : undefined));
      await waitForPort(o.wsPort, () => (websockify.exitCode !== null ? 'websockify exited' : undefined));
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  /** noVNC's lite client, 1:1 (no scaling), connecting at once. */
  get clientUrl(): string {
    return `http://127.0.0.1:${this.o.wsPort}/vnc_lite.html?host=127.0.0.1&port=${this.o.wsPort}&scale=false`;
  }

  /** Every process of the stack (app browser, its X server, x11vnc, websockify). */
  pids(): number[] {
    return [this.runtime.pid, this.runtime.xserver.pid, this.x11vnc.pid, this.websockify.pid].filter(
      (p): p is number => p !== undefined,
    );
  }

  async close(): Promise<void> {
    for (const p of [this.websockify, this.x11vnc]) {
      if (p.exitCode === null) {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      }
    }
    await this.runtime.close();
  }
}

async function waitForPort(
  port: number,
  failed: () => string | undefined,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
