import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, moduleLogger } from '../logger.js';
import type { UrlPolicy } from './urlPolicy.js';

/**
 * The app browser's only way out: an HTTP proxy on loopback (Chromium runs with
 * --proxy-server pointing here and no bypass, loopback included) that asks the UrlPolicy
 * about every request — navigations, redirects (each hop is a new request), subresources,
 * fetch/XHR, iframes, workers, WebSockets (tunnelled with CONNECT) — and connects to exactly
 * the addresses the policy checked, so a second DNS answer cannot point elsewhere.
 * Denied requests get 403 and never leave this process.
 */
export class EgressProxy {
  readonly server: http.Server;
  readonly #policy: UrlPolicy;
  readonly #log: Logger;
  readonly #sockets = new Set<Duplex>();
  /** Requests let through and refused, for tests and debugging. */
  readonly counts = { allowed: 0, denied: 0 };
  /** Hosts refused so far (each is logged at info once). */
  readonly #deniedHosts = new Set<string>();
  #onDenied: ((url: string, reason: string) => void) | undefined;

  private constructor(policy: UrlPolicy, log: Logger) {
    this.#policy = policy;
    this.#log = log;
    this.server = http.createServer((req, res) => void this.#forward(req, res));
    this.server.on(
      'connect',
      (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.#tunnel(req, socket, head),
    );
    this.server.on('connection', (s: net.Socket) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
  }

  static async start(
    policy: UrlPolicy,
    o: { logBindings?: Record<string, unknown>; onDenied?: (url: string, reason: string) => void } = {},
  ): Promise<EgressProxy> {
    const p = new EgressProxy(policy, moduleLogger('egress-proxy', o.logBindings));
    p.#onDenied = o.onDenied;
    await new Promise<void>((resolve, reject) => {
      p.server.once('error', reject);
      p.server.listen(0, '127.0.0.1', () => resolve());
    });
    return p;
  }

  /** For Chromium's --proxy-server. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  #denied(url: string, reason: string): void {
    this.counts.denied++;
    // The first refusal of each host at info; repeats at debug: what is left of Chromium's own
    // background requests (its account list, an on-demand component check) would otherwise
    // fill the log for as long as the app runs.
    const host = hostOf(url);
    const first = !this.#deniedHosts.has(host);
    if (first && this.#deniedHosts.size < 256) this.#deniedHosts.add(host);
    this.#log[first ? 'info' : 'debug'](
      { url: withoutQuery(url), reason },
      first
        ? 'app request blocked by the URL policy (repeats for this host are logged at debug)'
        : 'app request blocked by the URL policy',
    );
    this.#onDenied?.(url, reason);
  }

  /** Plain http: the request line carries the absolute URL. */
  async #forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '';
    const d = await this.#policy.check(raw);
    if (!d.allowed || d.url.protocol !== 'http:') {
      this.#denied(raw, d.allowed ? 'only absolute http URLs go through this proxy' : d.reason);
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`Blocked by the Offload URL policy: ${d.allowed ? 'not an http URL' : d.reason}\n`);
      return;
    }
    this.counts.allowed++;
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request({
      host: d.addresses[0],
      port: Number(d.url.port || 80),
      method: req.method,
      path: d.url.pathname + d.url.search,
      headers: { ...headers, host: d.url.host },
      agent: false,
    });
    upstream.on('response', (r) => {
      res.writeHead(r.statusCode ?? 502, r.rawHeaders);
      r.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`Upstream failed: ${err.message}\n`);
    });
    req.pipe(upstream);
  }

  /** https and WebSockets: CONNECT host:port, checked as an https origin. */
  async #tunnel(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const target = req.url ?? '';
    const d = /^[^/?#@]+:\d+$/.test(target) ? await this.#policy.check(`https://${target}/`) : undefined;
    if (!d?.allowed) {
      this.#denied(`CONNECT ${target}`, d ? (d as { reason: string }).reason : 'bad CONNECT target');
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.counts.allowed++;
    const upstream = net.connect(Number(d.url.port || 443), d.addresses[0]!);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.once('connect', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
  }
}

/**
 * A URL as it may go in a log: no query or fragment (they carry tokens, search terms and other
 * personal data of whoever uses the app), no user info, at most 200 characters.
 */
/** The host a request goes to (a CONNECT target, with or without its verb, is host:port). */
export function hostOf(url: string): string {
  const target = url.replace(/^CONNECT /, '');
  const bare = target.split(/[/?#]/)[0] ?? target;
  if (!target.includes('://')) return bare;
  try {
    return new URL(target).host;
  } catch {
    return bare;
  }
}

export function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    if (/^(https?|wss?):$/.test(u.protocol)) return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
  } catch {
    // not an absolute URL (a CONNECT target is host:port)
  }
  return (url.split(/[?#]/)[0] ?? '').replace(/^[^/]*@/, '').slice(0, 200);
}
