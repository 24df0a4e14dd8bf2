import { defineConfig } from 'vitest/config';

// Unit tests: pure code, no worker, X server or browser (those are *.int.test.ts, see
// vitest.int.config.ts). Fast, and run in parallel.
export default defineConfig({
  test: {
    name: 'server',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.int.test.ts'],
    setupFiles: ['./src/test/setup.ts'],
  },
});
