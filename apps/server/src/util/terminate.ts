import type { ChildProcess } from 'node:child_process';

/**
 * Asks a child to end (SIGTERM) and kills it (SIGKILL) if it has not within `graceMs`;
 * resolves once it has exited (at once if it already had).
 */
export function terminate(proc: ChildProcess, graceMs = 2000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
