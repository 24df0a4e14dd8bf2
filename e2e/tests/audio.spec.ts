import { expect, type Page, test } from '@playwright/test';
import { appPointOnPage, appState, openDemo, sessionIdOf, sessionInfo, takeControl } from '../lib/video.js';

type Point = { x: number; y: number };

/**
 * Listens to the player's own audio track with a Web Audio analyser (the track its sound
 * element plays, as received over WebRTC) and returns its loudest frequency (Hz) and that
 * bin's level (dBFS) over the last analysis window.
 */
async function listen(page: Page): Promise<{ peakHz: number; peakDb: number }> {
  return page.evaluate(() => {
    type Ear = { analyser: AnalyserNode; rate: number };
    const w = window as unknown as { __ear?: Ear };
    if (!w.__ear) {
      const sound = document.querySelector<HTMLAudioElement>('[data-testid=sound]')!;
      const track = (sound.srcObject as MediaStream | null)?.getAudioTracks()[0];
      if (!track) throw new Error('the player has no audio track');
      const ctx = new AudioContext();
      const analyser = new AnalyserNode(ctx, { fftSize: 4096, smoothingTimeConstant: 0 });
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      void ctx.resume();
      w.__ear = { analyser, rate: ctx.sampleRate };
    }
    const { analyser, rate } = w.__ear;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let peak = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[peak]!) peak = i;
    return { peakHz: (peak * rate) / analyser.fftSize, peakDb: bins[peak]! };
  });
}

/**
 * The app's sound reaches every viewer: the demo app plays an 880 Hz tone into its runtime's
 * PulseAudio sink, the server records it (Opus) and produces it beside the video, and the
 * player's audio track carries it — found by an analyser in the client browser. Before the
 * tap the track is silent; after a second tap, silent again. The player shows a sound switch.
 */
test('the app’s sound reaches the player: a tone of the app’s pitch, heard in the client', async ({
  browser,
}) => {
  const { context, page } = await openDemo(browser);
  try {
    const sessionId = sessionIdOf(page);
    await takeControl(page);
    await expect(page.getByTestId('sound-toggle')).toBeVisible();
    const { tone, layout } = (await appState(page, sessionId)) as unknown as {
      tone: { hz: number };
      layout: { tone: Point };
    };

    // Silence first: nothing plays in the app yet.
    await expect.poll(async () => (await listen(page)).peakDb, { timeout: 10_000 }).toBeLessThan(-90);

    const at = await appPointOnPage(page, layout.tone.x, layout.tone.y);
    await page.mouse.click(at.x, at.y);
    await expect
      .poll(
        async () =>
          ((await appState(page, sessionId)) as unknown as { tone: { playing: boolean } }).tone.playing,
      )
      .toBe(true);
    // The tone, at its pitch (one analyser bin is 11.7 Hz at 48 kHz), well above the silence.
    await expect
      .poll(
        async () => {
          const heard = await listen(page);
          return heard.peakDb > -50 && Math.abs(heard.peakHz - tone.hz) < 25;
        },
        { timeout: 15_000, message: 'the 880 Hz tone in the player’s audio track' },
      )
      .toBe(true);

    // Tapped again, the app stops it, and the track goes quiet.
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => (await listen(page)).peakDb, { timeout: 10_000 }).toBeLessThan(-90);

    // The sound's switch mutes and unmutes the player: muted, it does not play the sound at all.
    const toggle = page.getByTestId('sound-toggle');
    const playing = async () =>
      page.evaluate(() => {
        const sound = document.querySelector<HTMLAudioElement>('[data-testid=sound]')!;
        return !sound.paused && (sound.srcObject as MediaStream | null)?.getAudioTracks().length === 1;
      });
    // And the server sends a muted player no sound (its consumer paused: the sound's one is 'simple').
    const soundPaused = async () =>
      (await sessionInfo(page, sessionId)).viewers[0]!.consumers.find((c) => c.type === 'simple')!.paused;
    expect(await playing()).toBe(true);
    expect(await soundPaused()).toBe(false);
    await toggle.click();
    // The element follows the store after the player renders: waited for, not read at once.
    await expect.poll(playing).toBe(false);
    await expect.poll(soundPaused).toBe(true);
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect.poll(playing).toBe(true);
    await expect.poll(soundPaused).toBe(false);
  } finally {
    await context.close();
  }
});
