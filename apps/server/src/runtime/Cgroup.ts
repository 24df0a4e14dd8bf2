import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { procInfo } from '../util/procfs.js';

/** What one session's processes (its X server, app browser and video sender) may use together. */
export interface SessionLimits {
  /** CPU time, in cores (0.5 = half of one core); 0 = no limit. */
  cpus: number;
  /** Memory (RAM + page cache they own), in MiB; the kernel's OOM killer acts past it; 0 = no limit. */
  memoryMB: number;
  /** Processes and threads; 0 = no limit. */
  pids: number;
}

const ROOT = '/sys/fs/cgroup';
/** Every session's group sits in this one, under each controller. */
const PARENT = 'offload';
/**
 * The CPU quota's period: a group that has used its quota waits for the next period, so a
 * short one keeps that wait short (the kernel's default of 100 ms would hold a whole session,
 * mid-tap, for up to 100 ms).
 */
const PERIOD_US = 20_000;

type Layout = { version: 2; base: string } | { version: 1; cpu: string; memory: string; pids: string };

/**
 * Where the cgroup controllers are, if this process may make groups in them: cgroup v2 (one
 * hierarchy, cpu/memory/pids enabled for our subtree) or v1 (one hierarchy per controller, as
 * on our Debian VMs). Undefined when neither is writable (a server that is not root, without a
 * delegated subtree), with the reason.
 */
function detect(root = ROOT): Layout | { error: string } {
  try {
    if (existsSync(path.join(root, 'cgroup.controllers'))) {
      const base = path.join(root, PARENT);
      mkdirSync(base, { recursive: true });
      // The controllers must be handed down from the root to our group, and from it to each session's.
      writeFileSync(path.join(root, 'cgroup.subtree_control'), '+cpu +memory +pids');
      writeFileSync(path.join(base, 'cgroup.subtree_control'), '+cpu +memory +pids');
      return { version: 2, base };
    }
    const dirs = {
      cpu: path.join(root, 'cpu'),
      memory: path.join(root, 'memory'),
      pids: path.join(root, 'pids'),
    };
    for (const d of Object.values(dirs)) {
      if (!existsSync(path.join(d, 'cgroup.procs'))) return { error: `no cgroup controller at ${d}` };
      mkdirSync(path.join(d, PARENT), { recursive: true });
    }
    return {
      version: 1,
      cpu: path.join(dirs.cpu, PARENT),
      memory: path.join(dirs.memory, PARENT),
      pids: path.join(dirs.pids, PARENT),
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

let layout: Layout | { error: string } | undefined;

/** The cgroup layout, looked up once. */
function current(): Layout | { error: string } {
  layout ??= detect();
  return layout;
}

/** Why sessions cannot be given cgroups on this machine, or undefined if they can. */
export function cgroupsUnavailable(): string | undefined {
  const l = current();
  return 'error' in l ? l.error : undefined;
}

/**
 * One session's cgroup: a CPU quota, a memory limit and a process limit over every process
 * put into it (and everything they start). Processes go in through add(pid) right after they
 * are spawned, or, for a program that starts children at once (the browser), by writing their
 * own pid to `procsFiles` before exec (see bin/run-as).
 */
export class Cgroup {
  #closed = false;

  private constructor(
    readonly name: string,
    /** The group's folder under each controller. */
    readonly dirs: string[],
    /** The files a pid is written to, to move that process into the group. */
    readonly procsFiles: string[],
  ) {}

  /** Makes a group with these limits, or returns undefined (with why) where cgroups are not available. */
  static create(name: string, limits: SessionLimits): Cgroup | { unavailable: string } {
    if (!/^[\w.-]+$/.test(name)) throw new TypeError(`bad cgroup name "${name}"`);
    const l = current();
    if ('error' in l) return { unavailable: l.error };
    const quota = limits.cpus > 0 ? Math.max(1000, Math.round(limits.cpus * PERIOD_US)) : undefined;
    const memory = limits.memoryMB > 0 ? limits.memoryMB * 1024 * 1024 : undefined;
    const pids = limits.pids > 0 ? limits.pids : undefined;
    try {
      if (l.version === 2) {
        const dir = path.join(l.base, name);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'cpu.max'), quota ? `${quota} ${PERIOD_US}` : `max ${PERIOD_US}`);
        writeFileSync(path.join(dir, 'memory.max'), memory ? String(memory) : 'max');
        // No swapping around the limit: past it the OOM killer picks a process of this group.
        if (memory && existsSync(path.join(dir, 'memory.swap.max')))
          writeFileSync(path.join(dir, 'memory.swap.max'), '0');
        writeFileSync(path.join(dir, 'pids.max'), pids ? String(pids) : 'max');
        return new Cgroup(name, [dir], [path.join(dir, 'cgroup.procs')]);
      }
      const dirs = [l.cpu, l.memory, l.pids].map((d) => path.join(d, name));
      for (const d of dirs) mkdirSync(d);
      const [cpu, mem, pid] = dirs as [string, string, string];
      writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(quota ?? -1));
      if (memory) writeFileSync(path.join(mem, 'memory.limit_in_bytes'), String(memory));
      writeFileSync(path.join(pid, 'pids.max'), pids ? String(pids) : 'max');
      return new Cgroup(
        name,
        dirs,
        dirs.map((d) => path.join(d, 'cgroup.procs')),
      );
    } catch (err) {
      return { unavailable: `cgroup ${name}: ${(err as Error).message}` };
    }
  }

  /** Moves a process (all its threads) into the group; false if it has exited. */
  add(pid: number | undefined): boolean {
    if (pid === undefined || this.#closed) return false;
    try {
      for (const f of this.procsFiles) writeFileSync(f, String(pid));
      return true;
    } catch {
      return false;
    }
  }

  /** The processes in the group now. */
  pids(): number[] {
    try {
      return readFileSync(this.procsFiles[0]!, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** How often the CPU quota held the group back so far (cpu.stat's nr_throttled). */
  throttled(): number {
    for (const d of this.dirs) {
      const f = path.join(d, 'cpu.stat');
      if (!existsSync(f)) continue;
      const m = /^nr_throttled (\d+)$/m.exec(readFileSync(f, 'utf8'));
      if (m) return Number(m[1]);
    }
    return 0;
  }

  /**
   * Removes the group once its processes are gone (a group with processes cannot be removed):
   * now, or within a few seconds while the last ones exit; failing that, removeStaleCgroups()
   * takes it at the server's next start.
   */
  close(tries = 5): void {
    this.#closed = true;
    const left = this.dirs.filter((d) => {
      try {
        rmdirSync(d);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code !== 'ENOENT';
      }
    });
    if (left.length > 0 && tries > 1) setTimeout(() => this.close(tries - 1), 1000).unref();
  }
}

/**
 * Removes the empty session groups of servers that are gone (killed before they could; a
 * group is named app-<server pid>-<id>). Another live server's groups are left alone.
 */
export function removeStaleCgroups(): number {
  const l = current();
  if ('error' in l) return 0;
  const parents = l.version === 2 ? [l.base] : [l.cpu, l.memory, l.pids];
  let removed = 0;
  for (const p of parents) {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const owner = /^app-(\d+)-/.exec(e.name);
      if (!e.isDirectory() || !owner || procInfo(Number(owner[1])) !== undefined) continue;
      try {
        rmdirSync(path.join(p, e.name));
        removed++;
      } catch {
        // in use
      }
    }
  }
  return removed;
}
