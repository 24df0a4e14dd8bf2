import net from 'node:net';
import { TestSocket } from '@offload/testkit/socket';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../auth/tokens.js';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

/**
 * The front door against raw HTTP/1.1 over a plain TCP socket: request lines, targets,
 * headers and upgrades no browser would send (the kind that once took the whole server down:
 * `GET //[ HTTP/1.1` made `new URL()` throw in the request and upgrade listeners). Every one
 * gets an answer below 500 (malformed ones a 4xx with a typed error) or a closed socket, and
 * the server goes on: /healthz answers, a signaling client can still say hello.
 *
 * Reproduce a failure with FUZZ_SEED=<seed printed below>; FUZZ_RUNS sets the request count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SECRET = 'raw-http-test-secret-0123456789abcdef';
const API_KEY = 'raw-http-test-api-key';

interface Reply {
  /** The status of the first response, undefined when the socket closed without one. */
  status: number | undefined;
  /** Neither a response nor a close within 6 s: the request hangs. */
  timedOut: boolean;
  head: string;
  body: string;
}

/** Sends bytes on a fresh TCP connection and reads the first response's head (and body, if short). */
function raw(port: number, request: string | Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    let timedOut = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1];
      let body = end < 0 ? '' : text.slice(end + 4);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = dechunk(body);
      resolve({ status: status ? Number(status) : undefined, timedOut, head, body });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, 6000);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      // The first response is whole: by its length, its last chunk, or (else) when the socket closes.
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
      if (length !== undefined && buf.length >= end + 4 + Number(length)) finish();
      if (/\r\ntransfer-encoding: *chunked/i.test(text.slice(0, end)) && text.endsWith('\r\n0\r\n\r\n'))
        finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(request);
    // A request that is not whole (a body shorter than its Content-Length) would wait for more:
    // half-close after a second without an answer, so it ends there. A request whose handler
    // never answers still hangs (the server keeps the socket while a response is pending).
    setTimeout(() => socket.end(), 1000).unref();
  });
}

/** The payload of a chunked body. */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

const UPGRADE =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** Requests that each must get a 4xx, and the error code its body must carry (when it is ours). */
const MALFORMED: [name: string, request: string, code?: string][] = [
  [
    'a path that new URL() reads as a broken host',
    'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'bad-request',
  ],
  ['the same as a WebSocket upgrade', `GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`, 'bad-request'],
  ['a broken absolute-form target', 'GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'bad-request'],
  [
    'a broken absolute-form upgrade',
    `GET http://[/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`,
    'bad-request',
  ],
  ['an asterisk target', 'GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'bad-request'],
  ['an asterisk upgrade', `GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`, 'bad-request'],
  ['an upgrade on another path', `GET //[/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`],
  ['a broken percent-escape into the demo app', 'GET /demo/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
  [
    'a broken token on the auth check',
    'GET /api/auth-check?token=%zz%ff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'unauthorized',
  ],
  [
    'a broken token on the upgrade',
    `GET /ws?token=%zz%ff&token HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`,
    'unauthorized',
  ],
  ['an upgrade without a token', `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`, 'unauthorized'],
  [
    'an upgrade from a broken Origin',
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://[\r\n${UPGRADE}\r\n`,
    'not-allowed',
  ],
  [
    'an upgrade with a broken WebSocket key',
    'GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !\r\nSec-WebSocket-Version: 99\r\n\r\n',
  ],
  [
    'a session request whose Host is no host name',
    `POST /api/sessions HTTP/1.1\r\nHost: [\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    'not-allowed',
  ],
  // DNS rebinding: a page whose name was made to resolve to this server.
  [
    'a request under a name this server does not answer to',
    'GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n',
    'not-allowed',
  ],
  [
    'an upgrade under such a name, from a page of that name',
    `GET /ws HTTP/1.1\r\nHost: evil.example:8080\r\nOrigin: http://evil.example:8080\r\n${UPGRADE}\r\n`,
    'not-allowed',
  ],
  [
    'the debug listing without the API key',
    'GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'unauthorized',
  ],
  [
    'a debug endpoint with a wrong API key',
    'GET /debug/sessions/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n\r\n',
    'unauthorized',
  ],
  [
    'a session request with a body that is not JSON',
    `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Length: 3\r\n\r\n{{{`,
    'bad-json',
  ],
  ['an unknown HTTP version', 'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n', 'bad-request'],
  ['a control character in the target', 'GET /\u0001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'bad-request'],
  ['no request line at all', '\r\n\r\n\u0016\u0003\u0001\u0000\u00a5\u0001\r\n\r\n', 'bad-request'],
  [
    'both Content-Length and Transfer-Encoding',
    'POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'bad-request',
  ],
  ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n', 'bad-request'],
  [
    'headers far too large',
    `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    'too-large',
  ],
  ['a target far too long', `GET /${'a'.repeat(40_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 'too-large'],
];

describe('the front door under raw HTTP', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_AUTH_SECRET: SECRET, OFFLOAD_API_KEY: API_KEY });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** The server still serves: /healthz over HTTP, and hello over a token-carrying WebSocket. */
  async function stillServes(): Promise<void> {
    const health = await raw(
      server.port,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(health.status).toBe(200);
    const token = await signToken(SECRET, { role: 'controller' }, 60);
    const s = await TestSocket.hello(server.port, { token });
    s.close();
  }

  it.each(MALFORMED)('answers %s with a 4xx and goes on', async (_name, request, code) => {
    const reply = await raw(server.port, request);
    expect(reply.status, reply.head).toBeGreaterThanOrEqual(400);
    expect(reply.status, reply.head).toBeLessThan(500);
    if (code) expect(JSON.parse(reply.body).error.code, reply.head + reply.body).toBe(code);
    // Nothing refused started anything (a session request with a bad Host once started an app first).
    expect(server.sessions.sessions.size).toBe(0);
    await stillServes();
  });

  it('answers the debug endpoints to a holder of the API key', async () => {
    const list = await raw(
      server.port,
      `GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\n\r\n`,
    );
    expect(list.status, list.head).toBe(200);
    const one = await raw(
      server.port,
      `GET /debug/sessions/none HTTP/1.1\r\nHost: localhost:${server.port}\r\nAuthorization: Bearer ${API_KEY}\r\n\r\n`,
    );
    expect(one.status, one.head).toBe(404);
  });

  it('serves nothing outside its folders, whatever the escapes', async () => {
    for (const target of [
      '/%zz%ff/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2fetc/passwd',
      '/demo/..%2f..%2f..%2f..%2fetc/passwd',
      '/demo/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/demo/..\\..\\..\\etc\\passwd',
    ]) {
      const reply = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(reply.status, target).toBeLessThan(500);
      expect(reply.body, target).not.toContain('root:');
    }
    await stillServes();
  });

  it(`survives ${RUNS} generated requests (seed ${SEED})`, async () => {
    const piece = fc.constantFrom(
      '/',
      '//',
      '[',
      ']',
      '%',
      '%zz',
      '%E0%A4%A',
      '%2f',
      '?',
      '#',
      '@',
      ':',
      '\\',
      '..',
      'ws',
      'demo',
      'api',
      'sessions',
      'auth-check',
      'healthz',
      'metrics',
      'debug',
      'token=',
      '&',
      '\u00e9',
      '\u4f60',
      ' ',
      '\t',
    );
    const target = fc
      .tuple(
        fc.constantFrom('', '/', '//', 'http://', 'http://[', '*', 'https://x'),
        fc.array(piece, { maxLength: 12 }),
      )
      .map(([head, parts]) => head + parts.join(''));
    const header = fc.oneof(
      fc.constant(UPGRADE),
      fc.constantFrom(
        'Host: 127.0.0.1\r\n',
        'Host: [\r\n',
        'Host: \r\n',
        'Host: a b\r\n',
        'Host: 127.0.0.1\r\nHost: y\r\n',
        'Host: evil.example\r\n',
      ),
      fc.constantFrom('Origin: http://[\r\n', 'Origin: null\r\n', 'Origin: http://x\r\n'),
      fc.constantFrom('Content-Length: 5\r\n', 'Content-Length: -1\r\n', 'Transfer-Encoding: chunked\r\n'),
      fc.constantFrom('Authorization: Bearer nope\r\n', 'Authorization: \r\n', 'Connection: Upgrade\r\n'),
      fc.string({ maxLength: 30 }).map((s) => `X-${s}: ${s}\r\n`),
    );
    const request = fc
      .record({
        method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'BREW', 'G\u00c9T', ''),
        target,
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''),
        headers: fc.array(header, { maxLength: 5 }),
        body: fc.constantFrom('', '{}', 'hello', '0\r\n\r\n'),
      })
      .map((r) => `${r.method} ${r.target} ${r.version}\r\n${r.headers.join('')}\r\n${r.body}`);
    const statuses = new Map<number | string, number>();
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const reply = await raw(server.port, Buffer.from(req, 'utf8'));
        const key = reply.status ?? 'closed';
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        expect(reply.timedOut, `${JSON.stringify(req)} got no answer and no close`).toBe(false);
        // No 5xx: nothing a request says is the server's fault.
        expect(
          reply.status === undefined || reply.status < 500,
          `${JSON.stringify(req)} → ${reply.head}`,
        ).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`raw HTTP fuzz (seed ${SEED}): ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Most requests were answered, not just dropped.
    expect([...statuses].filter(([k]) => k !== 'closed').reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(
      RUNS / 2,
    );
    await stillServes();
  }, 120_000);
});
