import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** An account on this machine. */
export interface AppUser {
  name: string;
  uid: number;
  gid: number;
}

/** The account app browsers run as when the server runs as root (created by scripts/setup.sh). */
export const DEFAULT_APP_USER = 'offload-app';

/** Starts a program as another account (setpriv), in place of itself: see the file. */
export const RUN_AS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run-as');

/** An account by name (through NSS, as `getent passwd` sees it), or undefined. */
export function lookupUser(name: string): AppUser | undefined {
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(name)) return undefined;
  try {
    const f = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whom the app browser runs as. A server that is not root runs it as its own account (the
 * browser's sandbox needs no privilege): undefined. A server that runs as root runs it as the
 * unprivileged account `name` — never as root, whose browser could not be sandboxed.
 */
export function appUserFor(name: string = DEFAULT_APP_USER): AppUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupUser(name);
  if (!user)
    throw new Error(
      `the server runs as root, so app browsers run as the unprivileged account "${name}", which does not exist: run ./offload setup (it creates it) or set OFFLOAD_APP_USER to an unprivileged account`,
    );
  if (user.uid === 0 || user.gid === 0)
    throw new Error(
      `OFFLOAD_APP_USER "${name}" is root (uid ${user.uid}, gid ${user.gid}): app browsers must not run as root`,
    );
  return user;
}
