import { defineConfig } from 'vitest/config';
import { preactAlias } from './preactAlias';

// Unit tests cover pure logic only (no jsdom here): DOM-bound code is exercised by e2e/.
export default defineConfig({
  resolve: { alias: preactAlias },
  test: { name: 'client', environment: 'node', include: ['src/**/*.test.ts'] },
});
