import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cgroup } from './Cgroup.js';

/** Whom an app browser runs as. */
export interface AppUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The uids (and gids) app browsers run as when the server runs as root, one per app runtime:
 * the range systemd keeps for its dynamic users. No account needs to exist for them (Chromium
 * runs fine as a bare uid); a uid that has an account on this machine, or that any process
 * runs as, is skipped.
 */
export const APP_UIDS = { first: 61184, last: 65519 } as const;

/** Starts a program as another uid (setpriv), in place of itself: see the file. */
export const RUN_AS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run-as');

/**
 * How to start `exe` with `env` as `user` (through RUN_AS, which also puts it in `cgroup`
 * before it runs), or as the server itself when there is no user: the command to spawn and
 * its environment. The process keeps the pid RUN_AS had, so it still leads the group it was
 * spawned as. `home`: the user's HOME (its XDG_* folders under it, none of the server's).
 */
export function launchAs(
  user: AppUser | undefined,
  exe: string,
  env: Record<string, string>,
  o: { cgroup?: Cgroup | undefined; home?: string } = {},
): { command: string; env: Record<string, string> } {
  if (!user) return { command: exe, env };
  const out = { ...env };
  for (const k of Object.keys(out)) if (k.startsWith('XDG_')) delete out[k];
  Object.assign(out, {
    ...(o.home ? { HOME: o.home } : {}),
    USER: user.name,
    LOGNAME: user.name,
    OFFLOAD_RUN_UID: String(user.uid),
    OFFLOAD_RUN_GID: String(user.gid),
    OFFLOAD_RUN_EXE: exe,
    ...(o.cgroup ? { OFFLOAD_CGROUP_PROCS: o.cgroup.procsFiles.join(' ') } : {}),
  });
  return { command: RUN_AS, env: out };
}

/** An account by name or uid (through NSS, as `getent passwd` sees it), or undefined. */
export function lookupUser(nameOrUid: string | number): AppUser | undefined {
  const key = String(nameOrUid);
  if (!/^([a-z_][a-z0-9_-]*\$?|\d+)$/i.test(key)) return undefined;
  try {
    const f = execFileSync('getent', ['passwd', key], { encoding: 'utf8' }).trim().split(':');
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name: f[0]!, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** The uids processes run as now (owners of /proc/<pid>). */
function uidsInUse(): Set<number> {
  const out = new Set<number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      out.add(statSync(`/proc/${d}`).uid);
    } catch {
      // exited
    }
  }
  return out;
}

/** uids this server has handed out and not taken back. */
const taken = new Set<number>();

/**
 * Whom the next app browser runs as. A server that is not root: itself (undefined; the
 * browser's sandbox needs no privilege). A server running as root: `account` if one is named
 * (every browser as that one unprivileged account), else a uid of its own from APP_UIDS, so
 * no two sessions' browsers can read each other's profiles or display cookies even if one
 * escaped its sandbox. Give it back with releaseAppUser.
 */
export function appUserFor(account?: string): AppUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (account) {
    const user = lookupUser(account);
    if (!user) throw new Error(`OFFLOAD_APP_USER "${account}" is no account on this machine`);
    if (user.uid === 0 || user.gid === 0)
      throw new Error(
        `OFFLOAD_APP_USER "${account}" is root (uid ${user.uid}, gid ${user.gid}): app browsers must not run as root`,
      );
    return user;
  }
  const busy = uidsInUse();
  for (let uid = APP_UIDS.first; uid <= APP_UIDS.last; uid++) {
    if (taken.has(uid) || busy.has(uid) || lookupUser(uid)) continue;
    taken.add(uid);
    return { name: `offload-${uid}`, uid, gid: uid };
  }
  throw new Error(`no free uid for an app browser in ${APP_UIDS.first}–${APP_UIDS.last}`);
}

/** An app browser's uid is free again (its processes are gone). */
export function releaseAppUser(user: AppUser | undefined): void {
  if (user && user.uid >= APP_UIDS.first && user.uid <= APP_UIDS.last) taken.delete(user.uid);
}
