import { type ChildProcess, spawn } from 'node:child_process';
import type { AppUser } from '../runtime/appUser.js';
import { launchAs } from '../runtime/appUser.js';
import type { Cgroup } from '../runtime/Cgroup.js';
import { trackGroup, untrackGroup } from '../runtime/processReaper.js';
import { childEnv } from '../util/childEnv.js';
import { sharedGstRegistry } from './senderProcess.js';

const GST_LAUNCH = '/usr/bin/gst-launch-1.0';

export interface GstLaunchOptions {
  user?: AppUser | undefined;
  cgroup?: Cgroup | undefined;
  home?: string | undefined;
  /** What the pipeline writes to stdout: kept (`pipe`, e.g. decoded media) or dropped. */
  stdout: 'pipe' | 'ignore';
}

/**
 * A `gst-launch-1.0` pipeline of the session's (the app's sound recorder, a device's decoder):
 * run as the app's account (with the shared plugin registry) in the session's cgroup, in a
 * process group of its own that the process reaper kills if the server dies first. stderr is
 * piped (its errors say why a pipeline failed).
 */
export async function spawnGstLaunch(args: string[], o: GstLaunchOptions): Promise<ChildProcess> {
  const registry = o.user ? await sharedGstRegistry() : undefined;
  const launch = launchAs(o.user, GST_LAUNCH, childEnv(registry ? { GST_REGISTRY_1_0: registry } : {}), {
    cgroup: o.cgroup,
    ...(o.home ? { home: o.home } : {}),
  });
  const p = spawn(launch.command, args, {
    stdio: ['ignore', o.stdout, 'pipe'],
    env: launch.env,
    detached: true,
  });
  trackGroup(p.pid);
  if (p.pid !== undefined) o.cgroup?.add(p.pid);
  p.once('exit', () => untrackGroup(p.pid));
  return p;
}
