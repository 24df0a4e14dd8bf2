import { defineConfig } from 'vitest/config';

// Integration tests (*.int.test.ts): against real mediasoup workers, X servers, Chromium and
// GStreamer, most through a real server (src/test/startTestServer.ts). They need time and the
// machine's cores, so files run one by one. `pnpm test:integration` runs them alone.
export default defineConfig({
  test: {
    name: 'server-integration',
    environment: 'node',
    include: ['src/**/*.int.test.ts'],
    setupFiles: ['./src/test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
