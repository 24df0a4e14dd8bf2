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
const groups = new Set<number>();
let reaper: ChildProcess | undefined;
let exitHook = false;

/** Registers a process group (its leader's pid) to kill if the server goes away. */
export function trackGroup(pgid: number | undefined): void {
  if (!pgid || pgid <= 1) return;
  groups.add(pgid);
  sync();
}

/** The group exited or was stopped on purpose: forget it (its id may be reused). */
export function untrackGroup(pgid: number | undefined): void {
  if (pgid === undefined || !groups.delete(pgid)) return;
  sync();
}

/** SIGKILLs a whole group now; no error if it is gone already. */
export function killGroup(pgid: number | undefined): void {
  if (!pgid || pgid <= 1) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {}
}

/** Groups currently registered (for tests). */
export function trackedGroups(): ReadonlySet<number> {
  return groups;
}

function sync(): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const g of groups) killGroup(g);
    });
  }
  ensureReaper()?.stdin?.write(`${[...groups].join(' ')}\n`);
}

function ensureReaper(): ChildProcess | undefined {
  if (reaper && reaper.exitCode === null && !reaper.killed) return reaper;
  // Its own session: signals sent to the server's process group do not reach it.
  const r = spawn('/bin/sh', ['-c', REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  r.on('error', (err) => log.error({ err: err.message }, 'process reaper failed to start'));
  r.stdin?.on('error', () => {});
  r.once('exit', (code, signal) => {
    if (reaper === r) reaper = undefined;
    log.warn({ code, signal }, 'process reaper exited');
  });
  // Neither the reaper nor its pipe keeps the server running.
  r.unref();
  (r.stdin as unknown as { unref?: () => void }).unref?.();
  reaper = r;
  return r;
}
