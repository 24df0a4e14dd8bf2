import { defineConfig } from 'vitest/config';

// The SDK's logic against fake windows (Node has EventTarget and MessageEvent); a real
// cross-origin embedding is driven by e2e/tests/embed.spec.ts.
export default defineConfig({ test: { name: 'embed', environment: 'node' } });
