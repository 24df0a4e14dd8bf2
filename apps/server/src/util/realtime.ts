import { spawnSync } from 'node:child_process';

/**
 * Puts one thread (a process's main thread when `tid` is its pid) under the kernel's
 * first-in-first-out real-time policy (SCHED_FIFO) at `priority` (1–99),
 * with SCHED_RESET_ON_FORK, so that what it starts (app browsers, X servers, senders) runs
 * under the normal policy. A real-time thread runs as soon as it wakes, ahead of every normal
 * one; the kernel still keeps 5 % of each second for normal threads (sched_rt_runtime_us).
 * Uses util-linux's `chrt`. Returns why it failed (no CAP_SYS_NICE, a cgroup with no
 * real-time budget, no chrt), or undefined.
 */
export function setRealtime(tid: number, priority: number): string | undefined {
  const r = spawnSync('chrt', ['--reset-on-fork', '--fifo', '--pid', String(priority), String(tid)], {
    encoding: 'utf8',
    timeout: 5000,
  });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr || `chrt exited with ${r.status}`).trim();
  return undefined;
}
