import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** Kernel command name (15 chars at most), e.g. "Xvfb", "chromium", "python3". */
  comm: string;
  /** Start time in clock ticks since boot: with the pid, names one process even if the pid is reused. */
  startTime: number;
}

/** Whether a command name is an app's X server (Xvfb, or Xorg with the dummy driver). */
export function isXServer(comm: string): boolean {
  return comm === 'Xvfb' || comm === 'Xorg';
}

/** One process from /proc/<pid>/stat, or undefined if it has exited. */
export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (in parentheses) may hold spaces and parentheses: fields follow the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // f[0] state, f[1] ppid, f[2] pgrp, … f[19] starttime.
    if (f[0] === 'Z' || f[0] === 'X') return undefined; // exited, not yet reaped
    return { pid, ppid: Number(f[1]), pgid: Number(f[2]), comm, startTime: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** Every live process on the machine (visible in this pid namespace). */
export function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = procInfo(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** The descendants of `root` (not `root` itself). */
export function descendants(root: number, all = allProcesses()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of byParent.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** The command line of a process, split at NULs; empty if it has exited. */
export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Whether this very process (same pid and start time) is still alive. */
export function stillAlive(p: Pick<ProcInfo, 'pid' | 'startTime'>): boolean {
  return procInfo(p.pid)?.startTime === p.startTime;
}
