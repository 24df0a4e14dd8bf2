import { execFileSync } from 'node:child_process';
import { Modifier } from '@offload/protocol';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import type { ChromiumRuntime } from '../runtime/ChromiumRuntime.js';
import { startTestServer } from '../test/startTestServer.js';
import type { Session } from './Session.js';

/**
 * No way out of the app: a participant in control sends every browser shortcut that leads out
 * of a kiosk Chromium (new windows and tabs, chrome:// pages, file and save dialogs, print,
 * DevTools, history, quitting, the home page), through the product's input path (signaling
 * WebSocket → server → CDP); the app page itself opens windows, navigates to chrome:// and
 * file://, opens a file chooser, prints and long-presses for a context menu. Afterwards the app
 * page is still the only page, still on the app, and its X display shows the one app window.
 */
const { Alt, Ctrl, Shift } = Modifier;
const letter = (c: string) => ({ key: c, code: `Key${c.toUpperCase()}` });
const COMBOS: [string, { key: string; code: string }, number][] = [
  ...'ntwosphjuldfgrqekmb'
    .split('')
    .map(
      (c) => [`Ctrl+${c.toUpperCase()}`, letter(c), Ctrl] as [string, { key: string; code: string }, number],
    ),
  ...'ntwijcboq'
    .split('')
    .map(
      (c) =>
        [`Ctrl+Shift+${c.toUpperCase()}`, letter(c), Ctrl | Shift] as [
          string,
          { key: string; code: string },
          number,
        ],
    ),
  ['Ctrl+Shift+Delete', { key: 'Delete', code: 'Delete' }, Ctrl | Shift],
  ['Ctrl+Tab', { key: 'Tab', code: 'Tab' }, Ctrl],
  ['Ctrl+PageDown', { key: 'PageDown', code: 'PageDown' }, Ctrl],
  ['Ctrl+1', { key: '1', code: 'Digit1' }, Ctrl],
  ['Ctrl+9', { key: '9', code: 'Digit9' }, Ctrl],
  ['Ctrl+=', { key: '=', code: 'Equal' }, Ctrl],
  ['Ctrl+-', { key: '-', code: 'Minus' }, Ctrl],
  ['Alt+Home', { key: 'Home', code: 'Home' }, Alt],
  ['Alt+ArrowLeft', { key: 'ArrowLeft', code: 'ArrowLeft' }, Alt],
  ['Alt+ArrowRight', { key: 'ArrowRight', code: 'ArrowRight' }, Alt],
  ['Alt+F', letter('f'), Alt],
  ['Alt+E', letter('e'), Alt],
  ['Alt+D', letter('d'), Alt],
  ['Alt+F4', { key: 'F4', code: 'F4' }, Alt],
  ...['F1', 'F3', 'F5', 'F6', 'F7', 'F10', 'F11', 'F12'].map(
    (k) => [k, { key: k, code: k }, 0] as [string, { key: string; code: string }, number],
  ),
  ['Shift+F10', { key: 'F10', code: 'F10' }, Shift],
];

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The display's top-level windows that are bigger than a stub (the app window, dialogs, menus, popups). */
function windowsOn(runtime: { display: string; xauthority: string }): string[] {
  const out = execFileSync('xwininfo', ['-root', '-children'], {
    env: { ...process.env, DISPLAY: runtime.display, XAUTHORITY: runtime.xauthority },
  }).toString();
  return out
    .split('\n')
    .filter((l) => /^\s+0x[0-9a-f]+ /.test(l))
    .filter((l) => {
      const m = /(\d+)x(\d+)\+-?\d+\+-?\d+/.exec(l);
      return m !== null && Number(m[1]) > 20 && Number(m[2]) > 20;
    })
    .map((l) => l.trim());
}

describe('kiosk escape', () => {
  let server: Offload;
  let owner: TestSocket;
  let session: Session;
  let runtime: ChromiumRuntime;
  let appUrl: string;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await TestSocket.hello(server.port);
    const sessionId = await owner.createSession();
    // The first to join has control.
    expect((await owner.request('session/join', { sessionId })).ok).toBe(true);
    session = server.sessions.get(sessionId);
    runtime = session.runtime as unknown as ChromiumRuntime;
    appUrl = runtime.page.url();
  }, 60_000);

  afterAll(async () => {
    owner?.close();
    await server?.close();
  });

  const input = (event: Record<string, unknown>) =>
    owner.send(
      JSON.stringify({ type: 'input', event: { seq: ++seq, ts: Date.now(), modifiers: 0, ...event } }),
    );

  /** The app is still the one page, on the app, alone on its display, and it still answers. */
  async function stillTheApp(what: string): Promise<void> {
    await expect
      .poll(() => runtime.context.pages().length, { message: `${what}: pages`, timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(() => runtime.page.url(), { message: `${what}: page URL`, timeout: 10_000 })
      .toBe(appUrl);
    await expect
      .poll(() => windowsOn(runtime), { message: `${what}: windows`, timeout: 10_000 })
      .toHaveLength(1);
    expect(typeof ((await runtime.appState()) as { count: number }).count, what).toBe('number');
  }

  it('takes the app window at start: one page, one window', async () => {
    await stillTheApp('at start');
    expect(windowsOn(runtime)[0]).toContain('720x1280');
  });

  it('lets no browser shortcut through, whatever the keys', async () => {
    // Keys the app does not handle used to reach Chromium: Ctrl+T/N opened tabs and windows,
    // Alt+Home replaced the app, Ctrl+O opened a file dialog on the server's home folder.
    for (const [name, k, modifiers] of COMBOS) {
      input({ type: 'key', action: 'down', ...k, modifiers });
      input({ type: 'key', action: 'up', ...k, modifiers });
      await wait(150);
      expect(runtime.context.pages().length, name).toBe(1);
    }
    await wait(1000);
    await stillTheApp('after the shortcuts');
  }, 120_000);

  it('still gives the page every key, shortcuts included (an app may use Ctrl+S)', async () => {
    await runtime.page.evaluate(
      `window.__keys = []; addEventListener('keydown', (e) => window.__keys.push([e.key, e.keyCode, e.ctrlKey, e.altKey]), true)`,
    );
    input({ type: 'key', action: 'down', ...letter('s'), modifiers: Ctrl });
    input({ type: 'key', action: 'up', ...letter('s'), modifiers: Ctrl });
    input({ type: 'key', action: 'down', key: 'Home', code: 'Home', modifiers: Alt });
    input({ type: 'key', action: 'up', key: 'Home', code: 'Home', modifiers: Alt });
    await expect
      .poll(() => runtime.page.evaluate('window.__keys'))
      .toEqual([
        ['s', 83, true, false],
        ['Home', 36, false, true],
      ]);
    await stillTheApp('after Ctrl+S and Alt+Home');
  });

  it('closes the windows and tabs the app opens', async () => {
    await runtime.page.evaluate(`for (let i = 0; i < 5; i++) window.open('about:blank', '_blank')`);
    await runtime.cdp.send('Runtime.evaluate', {
      expression: `(() => { const a = document.createElement('a'); a.href = '/demo/'; a.target = '_blank'; document.body.append(a); a.click(); a.remove(); })()`,
      userGesture: true,
    });
    await stillTheApp('after window.open');
    expect(runtime.counts.pagesClosed).toBeGreaterThanOrEqual(1);
  });

  it("goes back to the app from the browser's own pages", async () => {
    for (const url of [
      'chrome://version',
      'chrome://history',
      'file:///etc/passwd',
      `view-source:${appUrl}`,
    ]) {
      await runtime.page.evaluate(`location.href = ${JSON.stringify(url)}`).catch(() => {});
      await wait(500);
      await stillTheApp(`after navigating to ${url}`);
    }
  }, 60_000);

  it('opens no file chooser, print preview or context menu', async () => {
    await runtime.cdp.send('Runtime.evaluate', {
      expression: `(() => { const i = document.createElement('input'); i.type = 'file'; document.body.append(i); i.click(); i.remove(); })()`,
      userGesture: true,
    });
    await expect.poll(() => runtime.counts.fileChoosersRefused).toBe(1);
    await stillTheApp('after a file chooser');
    await runtime.cdp.send('Runtime.evaluate', {
      expression: 'setTimeout(() => window.print(), 0)',
      userGesture: true,
    });
    await wait(1500);
    await stillTheApp('after window.print()');
    // A long press is a context menu on a touch screen.
    input({ type: 'touch', action: 'start', touches: [{ id: 1, x: 0.5, y: 0.6 }] });
    await wait(1500);
    expect(windowsOn(runtime), 'during the long press').toHaveLength(1);
    input({ type: 'touch', action: 'end', touches: [] });
    await stillTheApp('after a long press');
  }, 60_000);
});
