import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server',
    environment: 'node',
    setupFiles: ['./src/test/setup.ts'],
    // Integration tests start real workers, Xvfb and Chromium: give them time, run files one by one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
