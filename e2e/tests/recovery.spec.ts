import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_IMPAIRMENTS, UdpRelay } from '@offload/harness/relay';
import { DEMO_COUNTER, RTC_PORT_OFFSET, startServer, stopServer } from '@offload/testkit';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { TcpProxy } from '../lib/TcpProxy.js';
import { appPointOnPage, frameDetail, sessionIdOf, waitForStreaming } from '../lib/video.js';

/**
 * Faults, for real, while a real browser watches: the client's network drops for 10 s, the
 * session's mediasoup worker is SIGKILLed, the app's Chromium is SIGKILLed, the server is
 * restarted in place. Each time the player must get its picture back by itself — no reload.
 * Its own server (not the suite's): the client reaches it through a TCP proxy (signaling,
 * page) and a UDP relay (media) on 127.0.0.2, so the test can cut the network.
 */
const PORT = 8291;
const RTC_PORT = PORT + RTC_PORT_OFFSET;
const EDGE = '127.0.0.2';
// The demo app's counter button (its colour jumps with every tap), normalised to its screen.
const COUNTER = DEMO_COUNTER;

test.describe
  .serial('recovery from faults', () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offload-e2e-state-'));
    const env = {
      OFFLOAD_RTC_ANNOUNCED_ADDRESS: EDGE,
      OFFLOAD_WORKERS: '1',
      OFFLOAD_DEBUG: '1',
      OFFLOAD_STATE_DIR: stateDir,
      // Pictures after a fault can only come from keyframe requests.
      OFFLOAD_KEYFRAME_INTERVAL_S: '120',
    };
    let server: ChildProcess;
    let relay: UdpRelay;
    let proxy: TcpProxy;
    let context: BrowserContext;
    let page: Page;
    let sessionId: string;
    const figures: Record<string, number> = {};

    const debug = async (p = '') =>
      (await fetch(`http://127.0.0.1:${PORT}/debug/sessions/${sessionId}${p}`)).json() as Promise<{
        state: string;
        worker: { pid: number };
        runtime: { pid: number };
        viewers: { id: string }[];
        count: number;
      }>;

    /**
     * Time (epoch ms) of the first frame the player presents after `since` — with `renewed`,
     * the first from a new stream (a media restart gives the player new consumers, so new
     * tracks; frames of the old one, already in flight when a process is killed, still arrive
     * for a moment, and the new stream may follow them with no visible stall); without, simply
     * the first (no frame can cross a cut network).
     */
    const pictureBackAfter = async (since: number, renewed = true): Promise<number> => {
      const handle = await page.waitForFunction(
        ([since, renewed]) => {
          const w = window as unknown as { __frameTimes: number[]; __frameTracks: string[] };
          const times = w.__frameTimes;
          let before: string | undefined;
          for (let i = 0; i < times.length; i++) {
            if (times[i]! <= since) before = w.__frameTracks[i];
            else if (!renewed || (before !== undefined && w.__frameTracks[i] !== before)) return times[i];
          }
          return false;
        },
        [since, renewed] as const,
        { timeout: 60_000, polling: 100 },
      );
      return (await handle.jsonValue()) as number;
    };

    const tapCounter = async () => {
      const at = await appPointOnPage(page, COUNTER.x, COUNTER.y);
      await page.mouse.click(at.x, at.y);
    };

    const expectLivePicture = async () => {
      await expect(page.locator('html')).toHaveAttribute('data-offload-state', 'streaming', {
        timeout: 30_000,
      });
      await expect.poll(() => frameDetail(page)).toBeGreaterThan(15);
      // Still the page we opened: nothing reloaded it.
      expect(
        await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
      ).toBe(true);
    };

    test.beforeAll(async ({ browser }) => {
      server = await startServer(PORT, env);
      relay = await UdpRelay.start({
        listen: { address: EDGE, port: RTC_PORT },
        target: { address: '127.0.0.1', port: RTC_PORT },
        upstreamAddress: '127.0.0.3',
      });
      proxy = await TcpProxy.start({ host: EDGE, port: PORT }, { host: '127.0.0.1', port: PORT });
      context = await browser.newContext();
      page = await context.newPage();
      // The player's own warnings (what it recovered from) go to the test log.
      page.on('console', (m) => m.text().startsWith('[offload]') && console.log('[page]', m.text()));
      await page.goto(`http://${EDGE}:${PORT}/`);
      await page.getByTestId('start-demo').click();
      await waitForStreaming(page);
      sessionId = sessionIdOf(page);
      // Frame presentation times, from requestVideoFrameCallback, re-armed if the stream is replaced.
      await page.evaluate(() => {
        const w = window as unknown as {
          __frameTimes: number[];
          __frameTracks: string[];
          __sameDocument: boolean;
        };
        w.__frameTimes = [];
        w.__frameTracks = [];
        w.__sameDocument = true;
        const v = document.querySelector('[data-testid="video"]') as HTMLVideoElement;
        let gen = 0;
        let lastFire = performance.now();
        const arm = (g: number) =>
          v.requestVideoFrameCallback(() => {
            if (g !== gen) return;
            lastFire = performance.now();
            w.__frameTimes.push(performance.timeOrigin + lastFire);
            w.__frameTracks.push((v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? '');
            if (w.__frameTimes.length > 5000) {
              w.__frameTimes.shift();
              w.__frameTracks.shift();
            }
            arm(g);
          });
        arm(gen);
        setInterval(() => {
          if (performance.now() - lastFire > 250) arm(++gen);
        }, 250);
      });
    });

    test.afterAll(async () => {
      await context?.close();
      proxy?.close();
      relay?.close();
      if (server) await stopServer(server);
      fs.rmSync(stateDir, { recursive: true, force: true });
      console.log(`recovery figures (ms): ${JSON.stringify(figures)}`);
      fs.mkdirSync('test-results', { recursive: true });
      fs.writeFileSync('test-results/recovery.json', JSON.stringify(figures, null, 2));
    });

    test('the network drops for 10 s: the player resumes its place and restarts ICE', async () => {
      const viewerId = (await debug()).viewers[0]!.id;
      const cutAt = Date.now();
      relay.setImpairments({ ...NO_IMPAIRMENTS, lossPct: 100 }, { ...NO_IMPAIRMENTS, lossPct: 100 });
      proxy.cut();
      await expect(page.locator('html')).toHaveAttribute('data-offload-state', 'reconnecting');
      await page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - cutAt)));
      const restoredAt = Date.now();
      relay.setImpairments(NO_IMPAIRMENTS, NO_IMPAIRMENTS);
      proxy.restore();

      const back = await pictureBackAfter(restoredAt, false);
      figures.networkCutRestoredToPicture = Math.round(back - restoredAt);
      await expectLivePicture();
      // The server kept its place: same viewer, same transports (ICE restarted), no new viewer.
      expect((await debug()).viewers.map((v) => v.id)).toEqual([viewerId]);
      expect(
        await page.evaluate(
          () =>
            (window as unknown as { __offload: { client: { resumes: number } } }).__offload.client.resumes,
        ),
      ).toBeGreaterThanOrEqual(1);
      const before = ((await debug('/app-state')) as unknown as { count: number }).count;
      await tapCounter();
      await expect
        .poll(async () => ((await debug('/app-state')) as unknown as { count: number }).count)
        .toBe(before + 1);
    });

    test('the mediasoup worker is SIGKILLed: the session moves to a new worker, the app keeps running', async () => {
      const before = await debug();
      const count = ((await debug('/app-state')) as unknown as { count: number }).count;
      const killedAt = Date.now();
      process.kill(before.worker.pid, 'SIGKILL');
      const back = await pictureBackAfter(killedAt);
      figures.workerKillToPicture = Math.round(back - killedAt);
      await expectLivePicture();
      const after = await debug();
      expect(after.worker.pid).not.toBe(before.worker.pid);
      // Only the media path was rebuilt: the app, and what the user did in it, survived.
      expect(after.runtime.pid).toBe(before.runtime.pid);
      expect(((await debug('/app-state')) as unknown as { count: number }).count).toBe(count);
    });

    test("the app's Chromium is SIGKILLed: a fresh app is started in the same session", async () => {
      const before = await debug();
      const killedAt = Date.now();
      process.kill(before.runtime.pid, 'SIGKILL');
      const back = await pictureBackAfter(killedAt);
      figures.appKillToPicture = Math.round(back - killedAt);
      await expectLivePicture();
      expect((await debug()).runtime.pid).not.toBe(before.runtime.pid);
      expect(sessionIdOf(page)).toBe(sessionId);
      await tapCounter();
      await expect
        .poll(async () => ((await debug('/app-state')) as unknown as { count: number }).count)
        .toBe(1);
    });

    test('the server restarts in place (SIGTERM, then a new process): the player comes back by itself', async () => {
      const stoppedAt = Date.now();
      server.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => server.once('exit', (c) => r(c)));
      expect(code).toBe(0); // drained gracefully
      const drainedAt = Date.now();
      server = await startServer(PORT, env);
      const startedAt = Date.now();
      // Once the old process has exited no frame can come but the new server's.
      const back = await pictureBackAfter(drainedAt);
      figures.serverDrain = drainedAt - stoppedAt;
      figures.serverStart = startedAt - drainedAt;
      figures.serverUpToPicture = Math.round(back - startedAt);
      await expectLivePicture();
      expect(sessionIdOf(page)).toBe(sessionId);
      expect((await debug()).state).toBe('running');
    });
  });
