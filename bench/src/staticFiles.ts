import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * Serves the files of `dir` on 127.0.0.1:`port` (`/` is index.html), for the benches' pages:
 * the demo app for both stacks of vs-vnc, an earlier client build for client-cost. A path that
 * names no file gets `fallback` (a single-page app's index.html) or, without one, a 404.
 */
export async function serveFiles(
  dir: string,
  port: number,
  o: { fallback?: string } = {},
): Promise<http.Server> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+/, '') || 'index.html';
    let file = path.join(root, path.normalize(name));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      if (!o.fallback) return void res.writeHead(404).end();
      file = path.join(root, o.fallback);
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}
