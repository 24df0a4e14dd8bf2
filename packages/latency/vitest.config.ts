import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { name: 'latency', environment: 'node' } });
