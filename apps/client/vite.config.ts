import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };
import { preactAlias } from './preactAlias';

// The Offload server (apps/server) listens here in development; `pnpm dev` proxies to it so the
// page and the signaling socket share an origin, as they do in production.
const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  // React's API on Preact's runtime (see preactAlias.ts).
  resolve: { alias: preactAlias },
  // JSX compiles to Preact's automatic runtime (no React plugin: its fast refresh needs React).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The player's version, told to embedding hosts in its `ready` message.
  define: { __OFFLOAD_VERSION__: JSON.stringify(pkg.version) },
  // One chunk for what playing needs (Preact, mediasoup-client, zod): splitting it would only
  // add round trips before the first frame. The HUD, the start page and the embedding bridge
  // are chunks of their own, loaded when used.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 800 },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/ws': { target: SERVER, ws: true },
      '/demo': SERVER,
      '/healthz': SERVER,
      '/api': SERVER,
    },
  },
});
