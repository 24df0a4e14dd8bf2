#!/usr/bin/env node
// Serves the embedding example (index.html) as "another site" would: its own origin, its own
// port. `node packages/embed/example/serve.mjs [port]` (default 8090), then open
// http://127.0.0.1:8090/?server=http://127.0.0.1:8080&session=<id> with the Offload server
// started as OFFLOAD_ALLOWED_ORIGINS=http://127.0.0.1:8090 ./offload start.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const PAGE = fileURLToPath(new URL('./index.html', import.meta.url));

/** Starts the example's host server on 127.0.0.1:port; resolves with it once listening. */
export async function startExampleHost(port = 8090, host = '127.0.0.1') {
  const page = await readFile(PAGE);
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/' && path !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('not found\n');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? 8090);
  await startExampleHost(port);
  console.log(`Embedding example on http://127.0.0.1:${port}/?server=http://127.0.0.1:8080&session=<id>`);
}
