import { CHROMIUM_PATH, RTC_PORT_OFFSET, VIEWER_CHROMIUM_ARGS, VIEWER_PERMISSIONS } from '@offload/testkit';
import { defineConfig } from '@playwright/test';

/** Port of the server the tests start (loopback only). */
export const PORT = Number(process.env.OFFLOAD_E2E_PORT ?? 8191);
/** Port of the embedding example's host page (another origin; embed.spec.ts starts it). */
export const EMBED_HOST_PORT = PORT + 9;

export default defineConfig({
  testDir: './tests',
  // Sessions are real Chromium + encoder processes on a 2-core machine: one test file at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    permissions: VIEWER_PERMISSIONS,
    launchOptions: { executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS },
    // Kept for failed tests, without the screencast: taking screenshots of every frame starved
    // the viewer page (the latency spec saw frames go by without a callback on most taps).
    trace: { mode: 'retain-on-failure', screenshots: false },
  },
  webServer: {
    command: 'pnpm --filter @offload/server start',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: process.env.E2E_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: 'pipe',
    env: {
      OFFLOAD_PORT: String(PORT),
      OFFLOAD_RTC_PORT: String(PORT + RTC_PORT_OFFSET),
      OFFLOAD_DEBUG: '1',
      // The embedding example's page may frame the player (embed.spec.ts); no other origin may.
      OFFLOAD_ALLOWED_ORIGINS: `http://127.0.0.1:${EMBED_HOST_PORT}`,
      // Long enough that a late viewer's picture can only come from its keyframe request.
      OFFLOAD_KEYFRAME_INTERVAL_S: '120',
      OFFLOAD_MAX_SESSIONS: '4',
      // A spec's sessions end within ~10 s of its last viewer leaving (openDemo waits for that).
      OFFLOAD_RESUME_GRACE_S: '5',
      OFFLOAD_SESSION_IDLE_TIMEOUT_S: '5',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    },
  },
});
