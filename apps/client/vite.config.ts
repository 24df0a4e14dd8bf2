import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// The Offload server (apps/server) listens here in development; `pnpm dev` proxies to it so the
// page and the signaling socket share an origin, as they do in production.
const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // The player's version, told to embedding hosts in its `ready` message.
  define: { __OFFLOAD_VERSION__: JSON.stringify(pkg.version) },
  // One ~160 kB (gzip) chunk: React, mediasoup-client and zod are all needed before the first
  // frame, so splitting would only add round trips.
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
