import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { setRealtime } from './realtime.js';

const policy = (pid: number) => spawnSync('chrt', ['-p', String(pid)], { encoding: 'utf8' }).stdout;

describe('setRealtime', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill();
  });

  it('puts a process under SCHED_FIFO with reset-on-fork, so what it starts runs normally', async () => {
    // A shell that starts a child once told to: the child is forked after the policy is set.
    const sh = spawn('sh', ['-c', 'read go; sleep 30 & echo $!; wait']);
    children.push(sh);
    const failed = setRealtime(sh.pid!, 7);
    if (process.getuid?.() !== 0) {
      // Without CAP_SYS_NICE the kernel refuses, and we say why instead of throwing.
      expect(failed).toMatch(/\S/);
      return;
    }
    expect(failed).toBeUndefined();
    expect(policy(sh.pid!)).toMatch(/SCHED_FIFO\|SCHED_RESET_ON_FORK[\s\S]*priority: 7/);
    const childPid = await new Promise<number>((resolve) => {
      sh.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
      sh.stdin!.write('go\n');
    });
    expect(policy(childPid)).toMatch(/SCHED_OTHER/);
    process.kill(childPid);
  });

  it('says why when the kernel refuses', () => {
    // Priority 0 is not a real-time priority.
    expect(setRealtime(process.pid, 0)).toMatch(/\S/);
    expect(policy(process.pid)).toMatch(/SCHED_OTHER/);
  });
});
