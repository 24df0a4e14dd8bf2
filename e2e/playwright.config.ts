import { defineConfig } from '@playwright/test';

/** Port of the server the tests start (loopback only). */
export const PORT = Number(process.env.OFFLOAD_E2E_PORT ?? 8191);

/** Debian's Chromium, kept off the network (see ENVIRONMENT.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

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
    // With only loopback (a network namespace), Chromium gathers no ICE candidates unless
    // media permission is granted or mDNS hiding is off.
    permissions: ['camera', 'microphone'],
    launchOptions: {
      executablePath: process.env.OFFLOAD_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'pnpm --filter @offload/server start',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      OFFLOAD_PORT: String(PORT),
      OFFLOAD_RTC_PORT: String(PORT + 30000),
      OFFLOAD_DEBUG: '1',
      // Long enough that a late viewer's picture can only come from its keyframe request.
      OFFLOAD_KEYFRAME_INTERVAL_S: '120',
      OFFLOAD_MAX_SESSIONS: '4',
      LOG_LEVEL: 'warn',
    },
  },
});
