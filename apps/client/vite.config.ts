import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Offload server (apps/server) listens here in development; `pnpm dev` proxies to it so the
// page and the signaling socket share an origin, as they do in production.
const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
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
