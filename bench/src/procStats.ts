import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PAGE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

/** Every process on the machine, from /proc via ps. */
export function processes(): Proc[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pid, ppid, ...comm] = l.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), comm: comm.join(' ') };
    });
}

/** `root` and all its descendants. */
export function tree(root: number, all = processes()): Proc[] {
  const out: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = all.find((x) => x.pid === pid);
    if (p) out.push(p);
    for (const c of all) if (c.ppid === pid) queue.push(c.pid);
  }
  return out;
}

/**
 * CPU seconds (user + system) a process has used so far, and its memory (bytes): PSS, which
 * shares pages between the processes that map them, so a browser's many processes add up
 * honestly; RSS if PSS is not readable.
 */
export function usage(pid: number): { cpuS: number; memBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    let memBytes = Number(f[21]) * PAGE;
    try {
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (pss) memBytes = Number(pss[1]) * 1024;
    } catch {}
    return { cpuS, memBytes };
  } catch {
    return undefined; // exited
  }
}

/** CPU used by each group of processes over `ms`, as a fraction of one core; memory (PSS) at the end. */
export async function sampleGroups(
  groups: Record<string, number[]>,
  ms: number,
): Promise<Record<string, { cores: number; memMB: number }>> {
  const before = Object.fromEntries(
    Object.entries(groups).map(([k, pids]) => [k, pids.map((p) => usage(p)?.cpuS ?? 0)]),
  );
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const dt = (performance.now() - t0) / 1000;
  const out: Record<string, { cores: number; memMB: number }> = {};
  for (const [k, pids] of Object.entries(groups)) {
    let cpu = 0;
    let rss = 0;
    pids.forEach((p, i) => {
      const u = usage(p);
      if (!u) return;
      cpu += u.cpuS - before[k]![i]!;
      rss += u.memBytes;
    });
    out[k] = { cores: Math.round((cpu / dt) * 1000) / 1000, memMB: Math.round(rss / 1e6) };
  }
  return out;
}

/** CPU seconds one thread of a process has used so far (its main thread: tid = pid). */
export function threadCpuS(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** A process's command line (NUL-separated), or '' once it has exited. */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A server's processes by part of a session: the app (X server + Chromium), capture + encode
 * (the Python video senders), the SFU (mediasoup workers) and signaling (the server itself).
 */
export function sessionGroups(serverPid: number, all = processes()) {
  const serverTree = tree(serverPid, all);
  const pick = (f: (comm: string) => boolean) => serverTree.filter((p) => f(p.comm)).map((p) => p.pid);
  return {
    app: pick((c) => c === 'Xvfb' || c === 'Xorg' || c.startsWith('chrom')),
    captureEncode: pick((c) => c.startsWith('python')),
    sfu: pick((c) => c.startsWith('mediasoup')),
    signaling: [serverPid],
  };
}

/** Whether a process is a Chromium renderer (its command line has --type=renderer). */
export function isRenderer(pid: number): boolean {
  return cmdlineOf(pid).includes('--type=renderer');
}

/** CPU seconds the processes `pids` have used so far, together (exited ones count 0). */
export function cpuOf(pids: number[]): number {
  return pids.reduce((a, p) => a + (usage(p)?.cpuS ?? 0), 0);
}
