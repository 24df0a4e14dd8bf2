import { chown, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How the app browser is started and kept inside the app (see ChromiumRuntime). */

/** Flags that keep Chromium off the network and quiet on our offline machines, and hide its UI. */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--kiosk',
  '--window-position=0,0',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--disable-infobars',
  '--hide-scrollbars',
  '--noerrdialogs',
  '--disable-session-crashed-bubble',
  '--autoplay-policy=no-user-gesture-required',
  // A horizontal swipe or wheel past the edge must not navigate the app back (to about:blank):
  // the fuzz test's input did that, and the session lost its app.
  '--overscroll-history-navigation=0',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
  // window.print() prints at once to the default printer (there is none) instead of opening
  // print preview over the app.
  '--kiosk-printing',
];

/**
 * Playwright's default switches that must not apply to an app browser: its automation bar, and
 * `--disable-popup-blocking` (a page could open windows without end).
 */
export const IGNORED_DEFAULT_ARGS = ['--enable-automation', '--disable-popup-blocking'];

/** Schemes the app's own page may be on; anything else (chrome:, file:, devtools:, view-source:) is left at once. */
export const APP_SCHEMES = new Set(['http:', 'https:']);

/** A URL's scheme with its colon ('' when it is no URL). */
export function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

/**
 * What runs in every frame of the app before its own scripts (with the frame marker): no browser
 * context menu (its Inspect, Save as, Print and View source lead out of the app; the app's own
 * contextmenu listeners still run).
 */
export const NO_CONTEXT_MENU = `addEventListener('contextmenu', (e) => e.preventDefault(), true);`;

/**
 * The app browser's profile preferences, written before it starts: no sign-in (so no account
 * list is fetched from accounts.google.com), no autofill (whose server predictions go to
 * content-autofill.googleapis.com), no password manager, no translate offers.
 */
const PROFILE_PREFS = {
  signin: { allowed: false, allowed_on_next_startup: false },
  autofill: { enabled: false, profile_enabled: false, credit_card_enabled: false },
  credentials_enable_service: false,
  translate: { enabled: false },
};

/** Writes PROFILE_PREFS into a fresh profile (owned by the browser's account, if given). */
export async function writeProfilePrefs(
  profile: string,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const dir = path.join(profile, 'Default');
  await mkdir(dir);
  const file = path.join(dir, 'Preferences');
  await writeFile(file, JSON.stringify(PROFILE_PREFS));
  if (owner) for (const p of [profile, dir, file]) await chown(p, owner.uid, owner.gid);
}
