import { type ChildProcess, spawn } from 'node:child_process';
import { moduleLogger } from '../logger.js';

const log = moduleLogger('process-reaper');

/**
 * The reaper's whole program (POSIX sh). It reads lines from the server on stdin, each the full
 * list of process groups alive at the time; when stdin ends (the server exited, however: clean
 * exit, crash, SIGKILL, OOM kill) it SIGKILLs every group of the last list. It ignores terminal
 * signals so a Ctrl-C that kills the server still leaves it to clean up.
 */
const REAPER_SCRIPT = `trap '' INT TERM HUP
last=""
while IFS= read -r line; do last=$line; done
for g in $last; do kill -9 -"$g" 2>/dev/null; done`;

/**
 * Makes sure no app runtime process outlives the server. Every helper process the server starts
 * (Xvfb, Chromium, the GStreamer sender) leads its own process group, which is registered here:
 *
 * - on a normal exit (`process.on('exit')`, also after an uncaught exception) the groups are
 *   SIGKILLed synchronously;
 * - when the server dies without running any code (SIGKILL, OOM killer), a tiny `sh` reaper
 *   that holds a pipe from the server sees the pipe close and SIGKILLs them.
 *
 * Linux's PR_SET_PDEATHSIG would do this per child, but Node cannot set it.
 */
export class ProcessReaper {
  static readonly #groups = new Set<number>();
  static #reaper: ChildProcess | undefined;
  static #exitHook = false;

  /** Registers a process group (its leader's pid) to kill if the server goes away. */
  static track(pgid: number | undefined): void {
    if (!pgid || pgid <= 1) return;
    ProcessReaper.#groups.add(pgid);
    ProcessReaper.#sync();
  }

  /** The group exited or was stopped on purpose: forget it (its id may be reused). */
  static untrack(pgid: number | undefined): void {
    if (pgid === undefined || !ProcessReaper.#groups.delete(pgid)) return;
    ProcessReaper.#sync();
  }

  /** SIGKILLs a whole group now; no error if it is gone already. */
  static kill(pgid: number | undefined): void {
    if (!pgid || pgid <= 1) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }

  /** Groups currently registered (for tests). */
  static get groups(): ReadonlySet<number> {
    return ProcessReaper.#groups;
  }

  static #sync(): void {
    if (!ProcessReaper.#exitHook) {
      ProcessReaper.#exitHook = true;
      process.on('exit', () => {
        for (const g of ProcessReaper.#groups) ProcessReaper.kill(g);
      });
    }
    const reaper = ProcessReaper.#ensureReaper();
    reaper?.stdin?.write(`${[...ProcessReaper.#groups].join(' ')}\n`);
  }

  static #ensureReaper(): ChildProcess | undefined {
    if (ProcessReaper.#reaper && ProcessReaper.#reaper.exitCode === null && !ProcessReaper.#reaper.killed)
      return ProcessReaper.#reaper;
    // Its own session: signals sent to the server's process group do not reach it.
    const reaper = spawn('/bin/sh', ['-c', REAPER_SCRIPT], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    reaper.on('error', (err) => log.error({ err: err.message }, 'process reaper failed to start'));
    reaper.stdin?.on('error', () => {});
    reaper.once('exit', (code, signal) => {
      if (ProcessReaper.#reaper === reaper) ProcessReaper.#reaper = undefined;
      log.warn({ code, signal }, 'process reaper exited');
    });
    // Neither the reaper nor its pipe keeps the server running.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void }).unref?.();
    ProcessReaper.#reaper = reaper;
    return reaper;
  }
}
