import { defineConfig } from 'vitest/config';

// Tests sit next to the code (Foo.test.ts). The server's integration tests (Foo.int.test.ts)
// are a project of their own, `server-integration`: `pnpm test:unit` leaves it out,
// `pnpm test:integration` runs only it. e2e/ has its own runner (Playwright).
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/server/vitest.config.ts',
      'apps/server/vitest.int.config.ts',
      'apps/client',
      'apps/harness',
    ],
  },
});
