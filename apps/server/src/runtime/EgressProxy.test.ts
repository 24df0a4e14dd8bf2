import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressProxy, hostOf, withoutQuery } from './EgressProxy.js';
import { UrlPolicy } from './urlPolicy.js';

/** A tiny server that records every request it sees. */
async function recorder(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, seen, port: (server.address() as AddressInfo).port };
}

/** An absolute-URI GET through the proxy, as a browser configured with --proxy-server sends it. */
function viaProxy(
  proxy: EgressProxy,
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const p = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: p.hostname, port: p.port, path: url, headers: { host: new URL(url).host } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connect(proxy: EgressProxy, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(new URL(proxy.url).port), '127.0.0.1');
    s.on('error', reject);
    s.once('data', (d) => {
      resolve(d.toString().split('\r\n')[0]!);
      s.destroy();
    });
    s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
  });
}

describe('EgressProxy', () => {
  let allowed: Awaited<ReturnType<typeof recorder>>;
  let internal: Awaited<ReturnType<typeof recorder>>;
  let proxy: EgressProxy;
  const denied: string[] = [];

  beforeAll(async () => {
    internal = await recorder((_req, res) => res.end('secret'));
    allowed = await recorder((req, res) => {
      if (req.url === '/app/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/metadata` });
        res.end();
      } else res.end('hello');
    });
    // Like the demo app: one loopback prefix is trusted, every other private address is not.
    const policy = new UrlPolicy({ alwaysAllowed: [`http://127.0.0.1:${allowed.port}/app/`] });
    proxy = await EgressProxy.start(policy, { onDenied: (url) => denied.push(url) });
  });

  afterAll(async () => {
    await proxy?.close();
    allowed?.server.close();
    internal?.server.close();
  });

  it('forwards allowed requests', async () => {
    const r = await viaProxy(proxy, `http://127.0.0.1:${allowed.port}/app/index.html`);
    expect([r.status, r.body]).toEqual([200, 'hello']);
    expect(allowed.seen).toEqual(['/app/index.html']);
  });

  it('refuses loopback addresses outside the trusted prefix, without touching them', async () => {
    for (const url of [
      `http://127.0.0.1:${internal.port}/`,
      `http://localhost:${internal.port}/`,
      `http://[::ffff:127.0.0.1]:${internal.port}/`,
      `http://127.0.0.1:${allowed.port}/other`,
    ]) {
      expect((await viaProxy(proxy, url)).status, url).toBe(403);
    }
    expect(internal.seen).toEqual([]);
    expect(allowed.seen).not.toContain('/other');
    expect(denied.length).toBeGreaterThanOrEqual(4);
  });

  it('checks every redirect hop: the next hop is a new request through the proxy', async () => {
    // The allowed page answers with a redirect, passed on as is; the browser's next request
    // (to the internal server) comes to the proxy again and is refused.
    const first = await viaProxy(proxy, `http://127.0.0.1:${allowed.port}/app/redirect`);
    expect(first.status).toBe(302);
    const next = await viaProxy(proxy, first.headers.location!);
    expect(next.status).toBe(403);
    expect(internal.seen).toEqual([]);
    // A path that climbs out of the trusted prefix is normalised first, then refused.
    expect((await viaProxy(proxy, `http://127.0.0.1:${allowed.port}/app/../secret`)).status).toBe(403);
  });

  it('refuses CONNECT tunnels (https, WebSockets) to private addresses', async () => {
    expect(await connect(proxy, `127.0.0.1:${internal.port}`)).toBe('HTTP/1.1 403 Forbidden');
    expect(await connect(proxy, '169.254.169.254:443')).toBe('HTTP/1.1 403 Forbidden');
    expect(await connect(proxy, 'example.com')).toBe('HTTP/1.1 403 Forbidden');
    expect(internal.seen).toEqual([]);
  });

  it('tunnels CONNECT to an allowed origin', async () => {
    const p = await EgressProxy.start(
      new UrlPolicy({ alwaysAllowed: [`https://127.0.0.1:${allowed.port}/`] }),
    );
    try {
      expect(await connect(p, `127.0.0.1:${allowed.port}`)).toBe('HTTP/1.1 200 Connection Established');
    } finally {
      await p.close();
    }
  });
});

describe('withoutQuery', () => {
  it('logs a blocked URL without its query, fragment or user info', () => {
    expect(withoutQuery('https://user:pw@example.com/search?q=secret&token=abc#frag')).toBe(
      'https://example.com/search',
    );
    expect(withoutQuery('example.com:443')).toBe('example.com:443');
    expect(withoutQuery('not a url?token=abc')).toBe('not a url');
    expect(withoutQuery(`https://example.com/${'a'.repeat(500)}`)).toHaveLength(200);
  });
});

describe('hostOf', () => {
  it('names the host a refused request went to, so repeats are logged once', () => {
    expect(hostOf('http://update.googleapis.com/service/update2/json?x=1')).toBe('update.googleapis.com');
    expect(hostOf('accounts.google.com:443')).toBe('accounts.google.com:443');
    expect(hostOf('CONNECT accounts.google.com:443')).toBe('accounts.google.com:443');
    expect(hostOf('ws://127.0.0.1:8080/x')).toBe('127.0.0.1:8080');
  });
});
