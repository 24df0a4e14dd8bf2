import type { ChildProcess } from 'node:child_process';
import { createSession, DEMO_COUNTER, RTC_PORT_OFFSET, startServer, stopServer } from '@offload/testkit';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { NO_IMPAIRMENTS } from '../../apps/harness/src/relay/impairments.js';
import { UdpRelay } from '../../apps/harness/src/relay/UdpRelay.js';
import {
  appPointOnPage,
  appState,
  colorDistance,
  frameDetail,
  framesDecoded,
  latencySamples,
  sharedServerIdle,
  videoPixel,
  waitForStreaming,
} from '../lib/video.js';

/** A server of its own: two workers, one viewer per router. */
const PORT = Number(process.env.OFFLOAD_E2E_FANOUT_PORT ?? 8193);
const RTC_PORT = PORT + RTC_PORT_OFFSET;
const base = `http://127.0.0.1:${PORT}`;
const RELAY_ADDRESS = '127.0.0.2';
// The demo app's counter button (its colour jumps with every tap), normalised to its screen.
const COUNTER = DEMO_COUNTER;
/**
 * Below the top layer's bitrate on the demo app (~1000 kbit/s measured), well above the low
 * one's (~210) and the server's estimate floor for a viewer (300 with the defaults). At 320 the
 * low layer's keyframes overflowed the link: the loss cut mediasoup's estimate under the low
 * layer's bitrate, and it sent no layer at all for 45 s (CI and a local run saw it).
 */
const CAP_KBPS = 500;

interface ViewerInfo {
  id: string;
  routerId: string;
  input: { dataChannel: number };
  transports: { direction: string; tuple: { remotePort: number } | null }[];
  consumers: { currentLayers: { spatialLayer: number } | null }[];
}
interface Info {
  viewers: ViewerInfo[];
  routers: { routerId: string; workerIndex: number; piped: boolean; viewers: number }[];
  video: { codec: string; layers: { width: number; height: number; keyframesRequested: number }[] }[];
}

async function info(page: Page, sessionId: string): Promise<Info> {
  const r = await page.request.get(`/debug/sessions/${sessionId}`);
  expect(r.ok()).toBe(true);
  return r.json();
}

const videoSize = (page: Page) =>
  page
    .getByTestId('video')
    .evaluate((v) => `${(v as HTMLVideoElement).videoWidth}x${(v as HTMLVideoElement).videoHeight}`);

/**
 * A viewer page. `viaRelay`: its ICE candidates are rewritten (in its signaling, on the way
 * in) to the relay's address, UDP only, so its media and data channels cross the relay while
 * other viewers talk to the server directly, untouched by the relay's own scheduling.
 */
async function viewer(
  browser: Browser,
  path: string,
  viaRelay = false,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  if (viaRelay) {
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        const msg = JSON.parse(String(m));
        const data = msg.type === 'response' && msg.ok ? msg.data : undefined;
        if (Array.isArray(data?.iceCandidates)) {
          data.iceCandidates = data.iceCandidates
            .filter((c: { protocol: string }) => c.protocol === 'udp')
            .map((c: Record<string, unknown>) => ({ ...c, ip: RELAY_ADDRESS, address: RELAY_ADDRESS }));
        }
        ws.send(JSON.stringify(msg));
      });
    });
  }
  await page.goto(path);
  return { context, page };
}

/**
 * Fan-out and simulcast, for real: two Chromium viewers of one session, the second placed on
 * a router on the other worker (OFFLOAD_VIEWERS_PER_ROUTER=1) that the video is piped to.
 * The second viewer's WebRTC goes through a user-space relay, so its downlink can be capped
 * while the first viewer's stays free.
 */
test.describe
  .serial('fan-out and simulcast', () => {
    let server: ChildProcess;
    const relays: UdpRelay[] = [];
    let a: { context: BrowserContext; page: Page };
    let b: { context: BrowserContext; page: Page };
    let sessionId: string;

    test.beforeAll(async () => {
      // Not beside another spec's session on the shared server: two apps at once on 2 cores
      // starve the bandwidth estimates this spec watches.
      await sharedServerIdle();
      server = await startServer(PORT, {
        OFFLOAD_WORKERS: '2',
        OFFLOAD_VIEWERS_PER_ROUTER: '1',
        OFFLOAD_DEBUG: '1',
        OFFLOAD_SESSION_IDLE_TIMEOUT_S: '30',
        LOG_LEVEL: process.env.DIAG ? 'info' : 'warn',
      });
      // Worker i's WebRtcServer listens on RTC_PORT + i: one relay each.
      for (const port of [RTC_PORT, RTC_PORT + 1]) {
        relays.push(
          await UdpRelay.start({
            listen: { address: RELAY_ADDRESS, port },
            target: { address: '127.0.0.1', port },
            upstreamAddress: '127.0.0.3',
          }),
        );
      }
    });

    test.afterAll(async () => {
      await a?.context.close();
      await b?.context.close();
      for (const r of relays) r.close();
      if (server) await stopServer(server);
    });

    test('a second viewer goes on a router on the other worker: picture, input and timings all work', async ({
      browser,
    }) => {
      sessionId = await createSession(PORT);
      a = await viewer(browser, `/?session=${sessionId}`);
      await waitForStreaming(a.page);
      b = await viewer(browser, `/?session=${sessionId}`, true);
      await waitForStreaming(b.page);

      const s = await info(a.page, sessionId);
      expect(s.routers).toHaveLength(2);
      expect(new Set(s.routers.map((r) => r.workerIndex)).size).toBe(2);
      const [va, vb] = s.viewers;
      const routerOf = (v: ViewerInfo) => s.routers.find((r) => r.routerId === v.routerId)!;
      expect(routerOf(va!).piped).toBe(false);
      expect(routerOf(vb!).piped).toBe(true);

      // The piped viewer has a real, live picture of the same app.
      await expect.poll(() => frameDetail(b.page)).toBeGreaterThan(15);
      const frames = await framesDecoded(b.page);
      await expect.poll(() => framesDecoded(b.page)).toBeGreaterThan(frames + 20);

      // Only the participant in control is injected: the first viewer hands over (through the UI).
      await a.page.getByTestId('control-release').click();
      await b.page.getByTestId('control-take').click();
      await expect(b.page.getByTestId('control-status')).toHaveText('You have control');
      // Its tap reaches the app (input data channel consumed on its router's DirectTransport)…
      const before = await videoPixel(a.page, COUNTER.x, COUNTER.y);
      const at = await appPointOnPage(b.page, COUNTER.x, COUNTER.y);
      await b.page.mouse.click(at.x, at.y);
      await expect.poll(async () => (await appState(b.page, sessionId)).count).toBe(1);
      // …both viewers see the result…
      await expect
        .poll(async () => colorDistance(await videoPixel(a.page, COUNTER.x, COUNTER.y), before))
        .toBeGreaterThan(60);
      await expect
        .poll(async () =>
          colorDistance(
            await videoPixel(b.page, COUNTER.x, COUNTER.y),
            await videoPixel(a.page, COUNTER.x, COUNTER.y),
          ),
        )
        .toBeLessThan(30);
      const vb2 = (await info(a.page, sessionId)).viewers.find((v) => v.id === vb!.id)!;
      expect(vb2.input.dataChannel).toBeGreaterThanOrEqual(1);
      // …and the server's timings for it come back on its control channel (server segments present).
      await expect
        .poll(
          async () =>
            (await latencySamples(b.page)).filter((x) => (x.segments.renderCapture ?? 0) > 0).length,
        )
        .toBeGreaterThanOrEqual(1);
    });

    test('simulcast: the viewer behind a capped link drops to the low layer, the other keeps the full one', async () => {
      // Three waits on bandwidth estimation (each up to 30–45 s on a saturated box).
      test.setTimeout(180_000);
      const s = await info(a.page, sessionId);
      // Encoded frames: the app screen and the marker strip below it (16 px at full size).
      expect(s.video[0]!.layers.map((l) => `${l.width}x${l.height}`)).toEqual(['360x648', '720x1296']);
      const layers = async () =>
        (await info(a.page, sessionId)).viewers.map(
          (v) => v.consumers[0]?.currentLayers?.spatialLayer ?? null,
        );
      const sizes = async () => [await videoSize(a.page), await videoSize(b.page)];
      let diag: NodeJS.Timeout | undefined;
      if (process.env.DIAG) {
        diag = setInterval(async () => {
          console.log(JSON.stringify(await layers()), await b.page.getByTestId('stats').textContent());
        }, 1000);
      }
      try {
        // Unimpaired, both get the full layer (once mediasoup's estimates have grown past it: as
        // long as the waits below on a saturated box; 30 s once ran out in CI).
        await expect.poll(layers, { timeout: 45_000 }).toEqual([1, 1]);
        await expect.poll(sizes).toEqual(['720x1296', '720x1296']);

        const vb = (await info(a.page, sessionId)).viewers[1]!;
        const recvPort = vb.transports.find((t) => t.direction === 'recv')!.tuple!.remotePort;
        const capped = { ...NO_IMPAIRMENTS, rateKbps: CAP_KBPS };
        const relay = relays.find((r) => r.setFlowImpairments(recvPort, NO_IMPAIRMENTS, capped));
        expect(relay, 'the relay carrying the second viewer').toBeDefined();
        const cappedAt = Date.now();
        // mediasoup's estimate for B's link falls under the top layer's bitrate: B gets layer 0
        // (mediasoup asks that layer's encoder for a keyframe and switches on it); A keeps layer 1.
        // Server side and decoded sizes at once: on a saturated box A's own estimate can dip and
        // send A down for a while too (CI once saw [1, 0] on the server, then A at 360x640);
        // mediasoup probes A back up 10 s later. What must happen is a moment where they differ.
        await expect
          .poll(async () => ({ layers: await layers(), sizes: await sizes() }), { timeout: 45_000 })
          .toEqual({ layers: [1, 0], sizes: ['720x1296', '360x648'] });
        const downAfter = Date.now() - cappedAt;
        // Still a live picture, and the status bar shows the layer's size.
        await expect.poll(() => frameDetail(b.page)).toBeGreaterThan(15);
        await expect(b.page.getByTestId('stats')).toContainText('360×640');

        // Cap lifted: the estimate recovers and mediasoup moves B back up to the full layer
        // (it waits 10 s after a bandwidth downgrade before trying a higher layer). Asserted
        // server-side only: on a loaded box B may flap between layers afterwards.
        const liftedAt = Date.now();
        relay!.setFlowImpairments(recvPort, NO_IMPAIRMENTS, NO_IMPAIRMENTS);
        await expect.poll(layers, { timeout: 40_000 }).toEqual([1, 1]);
        const upAfter = Date.now() - liftedAt;
        const keyframes = (await info(a.page, sessionId)).video[0]!.layers.map((l) => l.keyframesRequested);
        console.log(
          `layer switch: down to 360x640 ${downAfter} ms after the ${CAP_KBPS} kbit/s cap, back to layer 1 ${upAfter} ms after lifting it; keyframe requests per layer ${keyframes}`,
        );
      } finally {
        clearInterval(diag);
      }
    });
  });
