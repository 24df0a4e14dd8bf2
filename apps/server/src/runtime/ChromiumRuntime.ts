import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InputEvent, ScreenInfo, SensorReading } from '@offload/protocol';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { type Logger, moduleLogger } from '../logger.js';
import { childEnv } from '../util/childEnv.js';
import { allProcesses } from '../util/procfs.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { AppCapture } from './AppCapture.js';
import type { AppRuntime, AppRuntimeEvents } from './AppRuntime.js';
import { AudioSink } from './AudioSink.js';
import { type AppUser, appUserFor, launchAs, releaseAppUser } from './appUser.js';
import { Cgroup, type SessionLimits } from './Cgroup.js';
import {
  APP_SCHEMES,
  CHROMIUM_ARGS,
  IGNORED_DEFAULT_ARGS,
  NO_CONTEXT_MENU,
  schemeOf,
  writeProfilePrefs,
} from './chromiumFlags.js';
import { EgressProxy } from './EgressProxy.js';
import { InputQueue } from './InputQueue.js';
import { APPLIED_BINDING, markerScript } from './markerScript.js';
import {
  findBrowserGroup,
  killGroup,
  removeProfileDir,
  trackDir,
  trackGroup,
  trackSingleton,
  untrackGroup,
} from './processReaper.js';
import { SensorOverrides } from './SensorOverrides.js';
import { TouchChannel } from './TouchChannel.js';
import type { UrlPolicy } from './urlPolicy.js';
import { XServer } from './XServer.js';

export { launchAs } from './appUser.js';
export { DEFAULT_REFRESH_HZ, xorgDummyAvailable } from './XServer.js';

export interface ChromiumRuntimeOptions {
  url: string;
  screen: ScreenInfo;
  executablePath: string;
  /** Extra context for log lines (e.g. the session id). */
  logBindings?: Record<string, unknown>;
  /**
   * Every request of the app browser (navigations, redirects, subresources, fetch, iframes,
   * workers, WebSockets) goes through an EgressProxy asking this policy. Without it, the
   * browser reaches whatever the host can.
   */
  urlPolicy?: UrlPolicy;
  /** More Chromium flags, after ours (OFFLOAD_CHROMIUM_ARGS). */
  extraArgs?: readonly string[];
  /**
   * Touch apps: one-finger touches through Chromium's touch emulator (default; 1–3 ms to the
   * page) rather than injected touch events (held until the page's next frame).
   */
  touchEmulation?: boolean;
  /** A sound card for the app (see AudioSink; default true): its sound goes to every viewer. */
  audio?: boolean;
  /**
   * The app screen's refresh rate (Hz), which paces the app browser's frames: 60 runs Xvfb,
   * any other rate Xorg's dummy driver (see XServer). Default 60.
   */
  refreshHz?: number;
  /**
   * An account for the browser when the server runs as root; by default it gets a uid of its
   * own (see appUserFor). A server that is not root runs it as itself. Either way its sandbox
   * is on.
   */
  user?: string;
  /** What the session's processes may use together (a cgroup); none if undefined. */
  limits?: SessionLimits;
}

let warnedNoCgroups = false;

/** A fresh cgroup for one runtime's processes, or undefined (warned once) where there can be none. */
function sessionCgroup(limits: SessionLimits, log: Logger): Cgroup | undefined {
  if (limits.cpus <= 0 && limits.memoryMB <= 0 && limits.pids <= 0) return undefined;
  const made = Cgroup.create(`app-${process.pid}-${randomBytes(6).toString('hex')}`, limits);
  if (made instanceof Cgroup) return made;
  if (!warnedNoCgroups) {
    warnedNoCgroups = true;
    log.warn({ why: made.unavailable }, 'no cgroups here: sessions run without CPU/memory/process limits');
  }
  return undefined;
}

/**
 * The default app runtime: headful Chromium in kiosk mode on its own virtual X display
 * (XServer: Xvfb, or Xorg's dummy driver at other refresh rates), showing one web app at the
 * device profile's size. Input arrives as CDP Input.* commands, which the
 * page receives as trusted events (~100 ms sooner than xdotool on our machines).
 */
export class ChromiumRuntime implements AppRuntime {
  readonly #log: Logger;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** The app's input, in order (see InputQueue). */
  readonly #input: InputQueue;
  /** Pages the app opened and windows closed, file choosers refused (the kiosk's guards). */
  readonly counts = { pagesClosed: 0, fileChoosersRefused: 0 };

  private constructor(
    readonly screen: ScreenInfo,
    readonly xserver: XServer,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly cdp: CDPSession,
    readonly userDataDir: string,
    /** Process group of the browser (Playwright starts it as a group leader), if found. */
    readonly browserPgid: number | undefined,
    log: Logger,
    readonly events: SafeEmitter<AppRuntimeEvents>,
    /** The app browser's way out, if a URL policy applies. */
    readonly egress: EgressProxy | undefined,
    appUrl: string,
    /** Touch apps: the session touch input goes through (see TouchChannel). */
    readonly touch: TouchChannel | undefined,
    /** The session's cgroup (its limits), where the machine allows one. */
    readonly cgroup: Cgroup | undefined,
    /** Whom the browser runs as, if not the server's own account. */
    readonly user: AppUser | undefined,
    /** The app's geolocation and motion sensors, as the controller's device reads them. */
    readonly sensors: SensorOverrides,
    /** The app's sound card (see AudioSink), if it has one. */
    readonly audio: AudioSink | undefined,
    /** The app's getUserMedia, fed by the controller's camera and microphone. */
    readonly capture: AppCapture,
  ) {
    this.#log = log;
    xserver.events.once('exit', () => this.#died('X server exited'));
    context.once('close', () => this.#died('browser closed'));
    page.once('crash', () => this.#died('app page crashed'));
    // The app's history starts at about:blank: a "back" (mouse back button, found by the fuzz
    // test) would leave the session without its app. Reload the app instead.
    this.#input = new InputQueue({ screen, cdp, touch, closed: () => this.#closed, log });
    // The same for a page of the browser's own (chrome://, file://, view-source:, …), however
    // it was reached.
    page.on('framenavigated', (frame) => {
      if (this.#closed || frame !== page.mainFrame()) return;
      const url = frame.url();
      if (url === appUrl || (url !== 'about:blank' && APP_SCHEMES.has(schemeOf(url)))) return;
      this.#log.warn({ url: url.slice(0, 100) }, 'app left for a page that is not an app; loading it again');
      page.goto(appUrl, { waitUntil: 'load', timeout: 20_000 }).catch((err: Error) => {
        if (!this.#closed) this.#log.error({ err: err.message }, 'app could not be loaded again');
      });
    });
    cdp.on('Page.fileChooserOpened', () => {
      this.counts.fileChoosersRefused++;
      this.#log.warn('app opened a file chooser; refused');
    });
    // One page only: a window or tab the app opens (window.open, target=_blank) is closed.
    context.on('page', (other) => {
      if (other === page) return;
      this.counts.pagesClosed++;
      this.#log.warn({ url: other.url().slice(0, 100) }, 'app opened another page; closed it');
      other.close().catch(() => {});
    });
  }

  static async start(o: ChromiumRuntimeOptions): Promise<ChromiumRuntime> {
    const events = new SafeEmitter<AppRuntimeEvents>('chromium-runtime');
    const log = moduleLogger('chromium-runtime', o.logBindings);
    const { width, height, touch } = o.screen;
    const egress = o.urlPolicy
      ? await EgressProxy.start(o.urlPolicy, { logBindings: o.logBindings })
      : undefined;
    const egressArgs = egress
      ? [
          `--proxy-server=${egress.url}`,
          // No bypass, not even the implicit one for loopback: the demo app is on loopback too.
          '--proxy-bypass-list=<-loopback>',
          // WebRTC from the app page could reach private addresses over UDP, past the proxy.
          '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
        ]
      : [];
    let user: AppUser | undefined;
    try {
      user = appUserFor(o.user);
    } catch (err) {
      await egress?.close();
      throw err;
    }
    const cgroup = o.limits ? sessionCgroup(o.limits, log) : undefined;
    // The X server runs as the browser's account too: nothing the app can talk to runs as root.
    const xserver = await XServer.start({ width, height, refreshHz: o.refreshHz, user, cgroup }).catch(
      async (err) => {
        releaseAppUser(user);
        cgroup?.close();
        await egress?.close();
        throw err;
      },
    );
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'offload-app-'));
    // Removed on close; if the server dies first, by its exit hook or the process reaper.
    trackDir(userDataDir);
    await writeProfilePrefs(userDataDir, user);
    const audio =
      o.audio === false ? undefined : await AudioSink.startOrWarn({ dir: userDataDir, user, cgroup }, log);
    let context: BrowserContext | undefined;
    let browserPgid: number | undefined;
    try {
      // No secrets of the server's: the app browser runs pages nobody here wrote. Another
      // account: its home and caches are in its profile, nothing of root's; the wrapper puts
      // itself (so the browser and all it starts) in the session's cgroup.
      const launch = launchAs(
        user,
        o.executablePath,
        childEnv({
          DISPLAY: xserver.display,
          XAUTHORITY: xserver.authFile,
          ...audio?.clientEnv,
        }),
        { cgroup, home: userDataDir },
      );
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: launch.command,
        headless: false,
        viewport: null,
        // The browser's own sandbox (renderers in their own namespaces, seccomp), which
        // Playwright turns off by default; possible because the browser is never root.
        chromiumSandbox: true,
        env: launch.env,
        args: [...CHROMIUM_ARGS, ...egressArgs, `--window-size=${width},${height}`, ...(o.extraArgs ?? [])],
        ignoreDefaultArgs: IGNORED_DEFAULT_ARGS,
        // A download is cancelled (no save dialog, no files on the server).
        acceptDownloads: false,
        timeout: 20_000,
      });
      browserPgid = findBrowserGroup(userDataDir);
      if (browserPgid === undefined)
        log.warn('browser process not found: it will not be reaped if the server dies');
      trackGroup(browserPgid);
      trackSingleton(userDataDir);
      // A server that is not root starts the browser itself: its processes go in now.
      if (cgroup && !user) for (const p of allProcesses()) if (p.pgid === browserPgid) cgroup.add(p.pid);
      // The frame marker, and the binding through which the page says an input took effect.
      await context.addInitScript(markerScript());
      await context.addInitScript(NO_CONTEXT_MENU);
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      // The binding through which the page says an input took effect: a raw CDP binding, a
      // one-way message. (Playwright's exposeBinding answers every call with an evaluate back
      // into the page: a task on the app's main thread right when it renders the input's frame.)
      cdp.on('Runtime.bindingCalled', (e) => {
        if (e.name !== APPLIED_BINDING) return;
        const [id, at] = String(e.payload).split(':').map(Number);
        if (Number.isInteger(id) && Number.isFinite(at)) events.safeEmit('applied', id!, at!);
      });
      await cdp.send('Runtime.enable');
      await cdp.send('Runtime.addBinding', { name: APPLIED_BINDING });
      // No file dialog: an <input type=file> the app opens is intercepted here and left empty
      // (a GTK dialog would browse the server's files in front of every viewer).
      await cdp.send('Page.enable');
      await cdp.send('Page.setInterceptFileChooserDialog', { enabled: true });
      let touchChannel: TouchChannel | undefined;
      if (touch) await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 10 });
      if (touch && o.touchEmulation !== false) {
        touchChannel = await TouchChannel.open(context, page, (err, method) =>
          log.warn({ err: err.message, method }, 'touch input failed'),
        );
      }
      const sensors = await SensorOverrides.enable(context, cdp, log);
      const capture = await AppCapture.install(context, cdp, log);
      await page.goto(o.url, { waitUntil: 'load', timeout: 20_000 });
      const size = (await page.evaluate('[innerWidth, innerHeight]')) as number[];
      if (size[0] !== width || size[1] !== height) {
        log.warn(
          { expected: [width, height], actual: size },
          'app window size differs from the screen profile',
        );
      }
      log.info(
        {
          display: xserver.display,
          x: xserver.kind,
          refreshHz: xserver.refreshHz,
          url: o.url,
          user: user?.name ?? os.userInfo().username,
          pid: xserver.pid,
          browserPgid,
        },
        'app runtime started',
      );
      return new ChromiumRuntime(
        o.screen,
        xserver,
        context,
        page,
        cdp,
        userDataDir,
        browserPgid,
        log,
        events,
        egress,
        o.url,
        touchChannel,
        cgroup,
        user,
        sensors,
        audio,
        capture,
      );
    } catch (err) {
      await context?.close().catch(() => {});
      killGroup(browserPgid);
      untrackGroup(browserPgid);
      await audio?.stop();
      await xserver.stop();
      await egress?.close();
      await removeProfileDir(userDataDir);
      cgroup?.close();
      releaseAppUser(user);
      throw err;
    }
  }

  /** The app browser's main process (it leads its process group), if found. */
  get pid(): number | undefined {
    return this.browserPgid;
  }

  get display(): string {
    return this.xserver.display;
  }

  get xauthority(): string {
    return this.xserver.authFile;
  }

  /** The browser's HOME (its profile), which the session's other processes for it share. */
  get home(): string {
    return this.userDataDir;
  }

  inject(event: InputEvent): number | undefined {
    return this.#closed ? undefined : this.#input.inject(event);
  }

  applySensor(reading: SensorReading): void {
    this.sensors.apply(reading); // closed when the runtime closes or dies
  }

  /** Inputs injected, moves coalesced and inputs shed (see InputQueue). */
  get inputCounts(): Readonly<InputQueue['counts']> {
    return this.#input.counts;
  }

  async appState(): Promise<unknown> {
    return this.page.evaluate(() => {
      const w = globalThis as unknown as { offloadApp?: { state(): unknown } };
      return w.offloadApp?.state() ?? null;
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.sensors.close();
    this.capture.close();
    this.#closing ??= (async () => {
      this.touch?.close();
      await this.context.close().catch(() => {});
      // Whatever of the browser is left (a crashed browser's zygote or renderers) goes too.
      killGroup(this.browserPgid);
      untrackGroup(this.browserPgid);
      await this.audio?.stop();
      await this.xserver.stop();
      await this.egress?.close();
      await removeProfileDir(this.userDataDir);
      // The video sender in it may still be exiting: the group goes once it is empty.
      this.cgroup?.close();
      releaseAppUser(this.user);
      this.#log.info('app runtime stopped');
    })();
    return this.#closing;
  }

  #died(reason: string): void {
    if (this.#closed) return;
    this.#log.error({ reason }, 'app runtime died');
    this.#closed = true;
    this.sensors.close();
    this.capture.close();
    this.events.safeEmit('died', reason);
  }
}
