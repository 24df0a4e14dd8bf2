import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { MARKER_HEIGHT } from '@offload/latency';
import { childEnv } from '../util/childEnv.js';
import { trackGroup, untrackGroup } from './processReaper.js';

export interface XvfbOptions {
  width: number;
  height: number;
  /** How long to wait for the server to pick a display (ms). Default 10000. */
  startTimeoutMs?: number;
}

/**
 * A virtual X server on a display number it picks itself (-displayfd), so sessions never
 * race for one. The screen is a little larger than the app window: without a window
 * manager, Chromium makes a screen-sized kiosk window 1 px short, and the capture draws the
 * marker strip below the app.
 */
export class Xvfb {
  readonly events = new EventEmitter<{ exit: [code: number | null, signal: NodeJS.Signals | null] }>();
  #proc: ChildProcess;
  #exited = false;

  private constructor(
    proc: ChildProcess,
    readonly display: string,
  ) {
    this.#proc = proc;
    proc.once('exit', (code, signal) => {
      this.#exited = true;
      this.events.emit('exit', code, signal);
    });
  }

  /** Rows (and columns) beyond the app: room for the marker strip the capture draws below it. */
  static MARGIN = MARKER_HEIGHT;

  static start(o: XvfbOptions): Promise<Xvfb> {
    const screen = `${o.width + Xvfb.MARGIN}x${o.height + Xvfb.MARGIN}x24`;
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', screen, '-nolisten', 'tcp', '-noreset'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: childEnv(),
      // Its own process group, killed by the process reaper if the server dies first.
      detached: true,
    });
    trackGroup(proc.pid);
    proc.once('exit', () => untrackGroup(proc.pid));
    return new Promise((resolve, reject) => {
      let stderr = '';
      let out = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(new Error(`Xvfb did not start: ${why}${stderr ? `\n${stderr.trim().slice(-500)}` : ''}`));
      };
      const timer = setTimeout(() => fail('timed out'), o.startTimeoutMs ?? 10_000);
      proc.stderr?.on('data', (d) => {
        stderr += d;
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
        resolve(new Xvfb(proc, `:${m[1]}`));
      });
    });
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((r) => this.#proc.once('exit', () => r()));
    this.#proc.kill('SIGTERM');
    const t = setTimeout(() => this.#proc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }
}
