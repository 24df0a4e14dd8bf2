/**
 * The app's sound, timed (figures, not assertions): a viewer taps the demo app's ♫, which
 * starts an 880 Hz tone and lights the button in the same handler; from the press's event time
 * in the viewer page, how long until the tone is in the player's audio track (its samples, as
 * the browser hands them to the page: MediaStreamTrackProcessor), and until the lit button is
 * in the picture (the same tap, read off the <video>), over BENCH_TAPS taps per round.
 * The sound's path: the app browser's Web Audio → its PulseAudio sink → the recorder (pulsesrc,
 * Opus) → the SFU → the viewer's jitter buffer and decoder. The output device's own latency
 * (the viewer's speakers) is not in it, nor is the display's in the picture's figure.
 * Writes bench-results/audio-latency.json.
 *   env: BENCH_ROUNDS=2, BENCH_TAPS=12, BENCH_PORT=8299
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { summarize } from '@offload/latency';
import {
  appPointOnPage,
  CHROMIUM_PATH,
  createSession,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
  watchPixelChange,
} from '@offload/testkit';
import { chromium, type Page } from 'playwright-core';

const PORT = Number(process.env.BENCH_PORT ?? 8299);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TAPS = Number(process.env.BENCH_TAPS ?? 12);
const base = `http://127.0.0.1:${PORT}`;
/** A sample louder than this is the tone (it plays at 0.4 of full scale; silence is 0). */
const HEARD = 0.05;

/** In the page: the audio track's loudness as it arrives, and when it first passed HEARD once armed. */
const EAR = `(() => {
  const ear = (window.__ear = { armed: false, heardAt: null, level: 0, blocks: 0, error: null });
  const sound = document.querySelector('[data-testid=sound]');
  const track = sound.srcObject?.getAudioTracks()[0];
  if (!track) { ear.error = 'no audio track'; return; }
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const now = performance.timeOrigin + performance.now();
      let peak = 0;
      try {
        const n = value.numberOfFrames;
        const buf = new Float32Array(n);
        value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
        for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(buf[i]));
      } catch (e) {
        ear.error = String(e);
      }
      value.close();
      ear.blocks++;
      ear.level = peak;
      if (ear.armed && ear.heardAt === null && peak > ${HEARD}) ear.heardAt = now;
    }
  })();
})()`;

interface Ear {
  armed: boolean;
  heardAt: number | null;
  level: number;
  blocks: number;
  error: string | null;
}
const ear = (page: Page) => page.evaluate(() => (window as unknown as { __ear: Ear }).__ear);

async function toneAt(sessionId: string): Promise<{ x: number; y: number }> {
  const r = await fetch(`${base}/debug/sessions/${sessionId}/app-state`);
  const s = (await r.json()) as { layout: { tone: { x: number; y: number } } };
  return s.layout.tone;
}

async function round(page: Page, sessionId: string): Promise<{ soundMs: number[]; pictureMs: number[] }> {
  const tone = await toneAt(sessionId);
  const at = await appPointOnPage(page, tone.x, tone.y);
  await page.mouse.move(at.x, at.y);
  await page.evaluate(EAR);
  const soundMs: number[] = [];
  const pictureMs: number[] = [];
  for (let i = 0; i < TAPS; i++) {
    // Silence first (the tone of the tap before has stopped).
    await page.waitForFunction(() => (window as unknown as { __ear: Ear }).__ear.level < 0.01, undefined, {
      timeout: 10_000,
    });
    await page.waitForTimeout(300);
    const pixel = await watchPixelChange(page, tone.x, tone.y, 60);
    // Armed, and the press's event time noted as the page gets it (a string: no bundler helpers in the page).
    await page.evaluate(`(() => {
      window.__ear.heardAt = null;
      window.__ear.armed = true;
      window.addEventListener('pointerdown', (ev) => { window.__press = performance.timeOrigin + ev.timeStamp; }, { capture: true, once: true });
    })()`);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction(
      () => (window as unknown as { __ear: Ear }).__ear.heardAt !== null,
      undefined,
      {
        timeout: 10_000,
      },
    );
    const seen = await pixel.seenAt();
    const press = (await page.evaluate(() => (window as unknown as { __press: number }).__press)) as number;
    const heard = (await ear(page)).heardAt!;
    soundMs.push(Math.round((heard - press) * 10) / 10);
    pictureMs.push(Math.round((seen - press) * 10) / 10);
    // The tone off again, and the button's light with it.
    await page.waitForTimeout(400);
    await page.evaluate(() => {
      (window as unknown as { __ear: Ear }).__ear.armed = false;
    });
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForTimeout(600);
  }
  return { soundMs, pictureMs };
}

const viewer = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
const all = { soundMs: [] as number[], pictureMs: [] as number[] };
/** The audio receiver's jitter buffer over each round: its mean delay and target, and the share of samples concealed. */
const jitterBuffers: { delayMs: number; targetMs: number; concealed: number }[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    const server = await startServer(PORT, { OFFLOAD_DEBUG: '1' });
    const context = await viewer.newContext({
      viewport: { width: 800, height: 1400 },
      permissions: VIEWER_PERMISSIONS,
    });
    try {
      const sessionId = await createSession(PORT);
      const page = await context.newPage();
      // tsx names functions with a `__name` helper that the page does not have (watchPixelChange's).
      await page.addInitScript('window.__name ??= (f) => f');
      // The player's peer connections, to read the audio receiver's jitter buffer.
      await page.addInitScript(`(() => {
        const Native = window.RTCPeerConnection;
        window.__pcs = [];
        window.RTCPeerConnection = class extends Native {
          constructor(...a) { super(...a); window.__pcs.push(this); }
        };
      })()`);
      await page.goto(`${base}/?session=${sessionId}`);
      await waitForStreaming(page);
      const take = page.getByTestId('control-take');
      if (await take.isVisible()) await take.click();
      // Sound on, as someone listening has it (a player opened without a gesture starts muted,
      // and a muted player does not play the sound at all).
      const sound = page.getByTestId('sound-toggle');
      if ((await sound.getAttribute('aria-pressed')) !== 'true') await sound.click();
      await page.waitForFunction(
        () => !!(document.querySelector('[data-testid=sound]') as HTMLAudioElement).srcObject,
      );
      await page.waitForTimeout(1000);
      const { soundMs, pictureMs } = await round(page, sessionId);
      const e = await ear(page);
      if (e.error) console.log(`round ${r + 1}: the ear said ${e.error}`);
      const jb = (await page.evaluate(`(async () => {
        for (const pc of window.__pcs) for (const r of pc.getReceivers()) {
          if (r.track.kind !== 'audio') continue;
          for (const s of (await r.getStats()).values()) {
            if (s.type !== 'inbound-rtp') continue;
            const n = s.jitterBufferEmittedCount || 1;
            return { delayMs: (1000 * s.jitterBufferDelay) / n, targetMs: (1000 * s.jitterBufferTargetDelay) / n,
                     concealed: s.concealedSamples / Math.max(1, s.totalSamplesReceived) };
          }
        }
        return null;
      })()`)) as { delayMs: number; targetMs: number; concealed: number } | null;
      if (jb) jitterBuffers.push(jb);
      all.soundMs.push(...soundMs);
      all.pictureMs.push(...pictureMs);
      console.log(
        `round ${r + 1}: click → sound p50 ${summarize(soundMs).p50} ms, click → picture p50 ${summarize(pictureMs).p50} ms`,
      );
    } finally {
      await context.close();
      await stopServer(server);
    }
  }
} finally {
  await viewer.close();
}

const sound = summarize(all.soundMs);
const picture = summarize(all.pictureMs);
const out = {
  at: new Date().toISOString(),
  rounds: ROUNDS,
  tapsPerRound: TAPS,
  clickToSoundMs: sound,
  clickToPictureMs: picture,
  soundMinusPictureMs: summarize(all.soundMs.map((s, i) => s - all.pictureMs[i]!)),
  audioJitterBuffer: jitterBuffers,
  raw: all,
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/audio-latency.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `click → sound p50 ${sound.p50} / p95 ${sound.p95} ms; click → picture (same taps) p50 ${picture.p50} / p95 ${picture.p95} ms`,
);
for (const [i, jb] of jitterBuffers.entries())
  console.log(
    `round ${i + 1}: audio jitter buffer mean ${Math.round(jb.delayMs)} ms (target ${Math.round(jb.targetMs)} ms), ${(jb.concealed * 100).toFixed(1)} % of samples concealed`,
  );
