import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { name: 'harness', environment: 'node', testTimeout: 60_000 } });
