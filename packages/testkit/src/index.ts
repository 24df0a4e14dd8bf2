/** Debian's Chromium unless OFFLOAD_CHROMIUM names another. */
export const CHROMIUM_PATH = process.env.OFFLOAD_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a viewer Chromium on our machines: off the network (it otherwise looks up Google
 * hosts at start-up), WebRTC allowed on loopback, video plays without a gesture.
 */
export const VIEWER_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  // 127.0.0.2: the harness's and the recovery test's emulated network edge (loopback too).
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE 127.0.0.2',
];

/**
 * With only loopback (a network namespace), Chromium gathers no ICE candidates unless media
 * permission is granted or mDNS hiding is off: give viewer contexts these permissions.
 */
export const VIEWER_PERMISSIONS = ['camera', 'microphone'];

/**
 * An init script (`page.addInitScript(markJoinToFirstFrame)`): records in
 * `window.__joinToFirstFrameMs` the time from the client entering "joining" to the first
 * decoded video frame.
 */
export function markJoinToFirstFrame(): void {
  let joinAt: number | undefined;
  const iv = setInterval(() => {
    if (joinAt === undefined && document.documentElement?.dataset.offloadState === 'joining')
      joinAt = performance.now();
    const v = document.querySelector('video');
    if (joinAt !== undefined && v && v.getVideoPlaybackQuality().totalVideoFrames > 0) {
      (window as unknown as { __joinToFirstFrameMs: number }).__joinToFirstFrameMs = Math.round(
        performance.now() - joinAt,
      );
      clearInterval(iv);
    }
  }, 2);
}

/** Reads what markJoinToFirstFrame recorded, once it has. */
export function joinToFirstFrameMs(): number | undefined {
  return (window as unknown as { __joinToFirstFrameMs?: number }).__joinToFirstFrameMs;
}

export { DEMO_CANVAS, DEMO_COUNTER, DEMO_COUNTER_PX, DEMO_SCREEN, DEMO_TEXT_FIELD } from './demo.js';
export { latencySamples, waitForStreaming } from './page.js';
export {
  appPointOnPage,
  clientNow,
  colorDistance,
  frameDetail,
  framesDecoded,
  metricValue,
  VIDEO,
  videoPixel,
  watchPixelChange,
} from './probes.js';
export { freePort, TestRedis } from './redis.js';
export { RTC_PORT_OFFSET, root, startServer, stopServer } from './server.js';
export { createSession } from './signaling.js';
export { TestSocket } from './TestSocket.js';
