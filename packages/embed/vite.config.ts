import { defineConfig } from 'vite';

// One ES module with zod/mini and the protocol's embedding schemas inside: a host page loads
// it from the Offload server (/sdk/offload-embed.js) or bundles it from here.
export default defineConfig({
  build: {
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'offload-embed.js' },
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    minify: true,
  },
});
