import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// The Offload server (apps/server) listens here in development; `pnpm dev` proxies to it so the
// page and the signaling socket share an origin, as they do in production.
const SERVER = 'http://127.0.0.1:8080';

// The UI is written against React's API and typed with @types/react, and runs on Preact's
// compatibility layer (preact/compat): the same hooks, lazy/Suspense and createRoot for a
// tenth of react-dom's bytes (~4 kB gzipped against ~60), which cheap devices pay on every
// load. Every import of react / react-dom (zustand's included) resolves to it, in dev too.
const preact = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-(dev-)?runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];

export default defineConfig({
  resolve: { alias: preact },
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
