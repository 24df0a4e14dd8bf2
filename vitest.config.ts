import { defineConfig } from 'vitest/config';

// Unit and integration tests sit next to the code (Foo.test.ts). e2e/ has its own runner.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/server', 'apps/client', 'apps/harness'],
  },
});
