import { defineConfig } from 'vitest/config';

// Unit tests cover pure logic only (no jsdom here): DOM-bound code is exercised by e2e/.
export default defineConfig({ test: { name: 'client', environment: 'node', include: ['src/**/*.test.ts'] } });
