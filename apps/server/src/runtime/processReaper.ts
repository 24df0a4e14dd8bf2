import { type ChildProcess, spawn } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { moduleLogger } from '../logger.js';
import { allProcesses, cmdline } from '../util/procfs.js';

const log = moduleLogger('process-reaper');

/**
 * The reaper's whole program (POSIX sh). It reads lines from the server on stdin, each the full
 * list of process groups alive at the time, a '|', and the app browsers' temp folders (profiles
 * and the folders their singleton sockets live in); when stdin ends (the server exited, however:
 * clean exit, crash, SIGKILL, OOM kill) it SIGKILLs every group of the last list, then removes
 * the folders. It ignores terminal signals so a Ctrl-C that kills the server still leaves it to
 * clean up.
 *
 * The singleton folders are named up front, not found through the profile's SingletonSocket
 * link at the end: a browser whose DevTools pipe closes (the server died) starts shutting down
 * and removes that link before the reaper's SIGKILL stops it, leaving the folder unreferenced.
 */
const REAPER_SCRIPT = `trap '' INT TERM HUP
last=""
while IFS= read -r line; do last=$line; done
for g in \${last%%|*}; do kill -9 -"$g" 2>/dev/null; done
for d in \${last#*|}; do
  case "$d" in */offload-app-*|*/offload-x-*|*/offload-media-*|*/org.chromium.Chromium.*) rm -rf -- "$d" ;; esac
done`;

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
/**
 * App browser profile folders (temp dirs) to remove if the server goes away, each with the temp
 * folder its browser keeps its singleton socket in, once known.
 */
const dirs = new Map<string, string | undefined>();
/** Folders that live as long as the server (the video sender's staged files), removed with it. */
const lifetimeDirs = new Set<string>();
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

/**
 * Registers an app browser's profile folder (an `offload-app-*` temp dir) to remove if the
 * server goes away; the runtime removes it itself on a normal close and then untracks it.
 */
export function trackDir(dir: string): void {
  dirs.set(dir, undefined);
  sync();
}

/**
 * Notes the singleton-socket folder of the browser running on a tracked profile; call it once
 * the browser is up (Chromium makes the folder at start and links it from the profile).
 */
export function trackSingleton(profile: string): void {
  if (!dirs.has(profile)) return;
  const singleton = singletonDir(profile);
  if (!singleton || dirs.get(profile) === singleton) return;
  dirs.set(profile, singleton);
  sync();
}

/**
 * Registers a folder the server keeps for as long as it runs (an `offload-media-*` temp dir),
 * to remove when it exits or dies.
 */
export function trackLifetimeDir(dir: string): void {
  lifetimeDirs.add(dir);
  sync();
}

export function untrackDir(dir: string): void {
  if (dirs.delete(dir)) sync();
}

/** The temp folder a profile's SingletonSocket link points into (Chromium makes one per browser; a killed browser leaves it). */
function singletonDir(profile: string): string | undefined {
  try {
    const socket = readlinkSync(path.join(profile, 'SingletonSocket'));
    return /\/org\.chromium\.Chromium\.[^/]+\/SingletonSocket$/.test(socket)
      ? path.dirname(socket)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a profile folder and its singleton-socket folder, and untracks it. Never throws. */
export async function removeProfileDir(dir: string): Promise<void> {
  for (const singleton of new Set([dirs.get(dir), singletonDir(dir)]))
    if (singleton) await rm(singleton, { recursive: true, force: true }).catch(() => {});
  await rm(dir, { recursive: true, force: true }).catch(() => {});
  untrackDir(dir);
}

function removeProfileDirSync(dir: string): void {
  try {
    for (const singleton of new Set([dirs.get(dir), singletonDir(dir)]))
      if (singleton) rmSync(singleton, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  } catch {}
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

/** Profile folders currently registered (for tests). */
export function trackedDirs(): ReadonlySet<string> {
  return new Set(dirs.keys());
}

function sync(): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const g of groups) killGroup(g);
      for (const d of dirs.keys()) removeProfileDirSync(d);
      for (const d of lifetimeDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  // The sh reaper splits on whitespace: a folder with a space or '|' in its path is left to the exit hook.
  const all = [
    ...[...dirs].flatMap(([profile, singleton]) => (singleton ? [singleton, profile] : [profile])),
    ...lifetimeDirs,
  ];
  const safeDirs = all.filter((d) => !/[\s|]/.test(d));
  ensureReaper()?.stdin?.write(`${[...groups].join(' ')}|${safeDirs.join(' ')}\n`);
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

/**
 * The browser's process group: Playwright starts Chromium as a group leader but does not tell
 * its pid for a persistent context, so it is found by its unique --user-data-dir.
 */
export function findBrowserGroup(userDataDir: string): number | undefined {
  const flag = `--user-data-dir=${userDataDir}`;
  for (const p of allProcesses()) {
    if (p.ppid === process.pid && p.pgid === p.pid && cmdline(p.pid).includes(flag)) return p.pid;
  }
  return undefined;
}
