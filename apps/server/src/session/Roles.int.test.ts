import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import type { ChromiumRuntime } from '../runtime/ChromiumRuntime.js';
import { startTestServer } from '../test/startTestServer.js';

type JoinData = { viewerId: string; role: string; canControl: boolean; controllerId: string | null };

const tap = (s: TestSocket, seq: number) => {
  const send = (n: number, action: string, touches: unknown[]) =>
    s.send(JSON.stringify({ type: 'input', event: { type: 'touch', seq: n, ts: 1, action, touches } }));
  send(seq, 'start', [{ id: 1, x: 0.5, y: 0.25 }]);
  send(seq + 1, 'end', []);
};

/** Open mode (no secret): roles still apply, everyone is eligible for control. And the app browser's egress guard. */
describe('roles in open mode, and the app browser behind the URL policy', () => {
  let server: Offload;
  let sessionId: string;
  let a: TestSocket;
  let aId: string;

  const count = async () =>
    ((await server.sessions.get(sessionId).runtime.appState()) as { count: number }).count;

  beforeAll(async () => {
    server = await startTestServer();
    a = await TestSocket.hello(server.port);
    sessionId = await a.createSession();
    const j = (await a.request('session/join', { sessionId })) as { ok: true; data: JoinData };
    aId = j.data.viewerId;
    expect(j.data).toMatchObject({ role: 'controller', canControl: true, controllerId: aId });
  });

  afterAll(async () => {
    a?.close();
    await server?.close();
  });

  it('makes later joiners viewers; a request and a grant hand control over', async () => {
    const b = await TestSocket.hello(server.port);
    const j = (await b.request('session/join', { sessionId })) as { ok: true; data: JoinData };
    const bId = j.data.viewerId;
    expect(j.data).toMatchObject({ role: 'viewer', canControl: true, controllerId: aId });
    const before = await count();
    tap(b, 1);
    await b.waitFor((m) => m.type === 'error' && m.error.code === 'not-controller');
    expect((await b.request('control/request')).ok).toBe(true);
    await a.waitFor((m) => m.type === 'control/requested' && m.viewerId === bId);
    expect((await a.request('control/grant', { viewerId: bId })).ok).toBe(true);
    await b.waitFor((m) => m.type === 'control/changed' && m.controllerId === bId);
    tap(b, 3);
    await expect.poll(count).toBe(before + 1);
    // Released, control is free for anyone eligible to take.
    expect((await b.request('control/release')).ok).toBe(true);
    await a.waitFor((m) => m.type === 'control/changed' && m.controllerId === null);
    expect((await a.request('control/take')).ok).toBe(true);
    await b.waitFor((m) => m.type === 'control/changed' && m.controllerId === aId);
    expect(((await server.sessions.get(sessionId).describe()) as { controllerId: string }).controllerId).toBe(
      aId,
    );
    b.close();
  });

  it('keeps the app browser from reaching loopback services other than the demo app', async () => {
    // A service on the host's loopback, as a cloud metadata or admin endpoint would be.
    const seen: string[] = [];
    const internal = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('access-control-allow-origin', '*');
      res.end('secret');
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', () => r()));
    const target = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
    try {
      const runtime = server.sessions.get(sessionId).runtime as ChromiumRuntime;
      // The demo itself came through the proxy: the browser does use it.
      expect(runtime.egress!.counts.allowed).toBeGreaterThan(0);
      const deniedBefore = runtime.egress!.counts.denied;
      // Page scripts as text: this file is compiled without the DOM's types.
      const fetched = (await runtime.page.evaluate(`(async (u) => {
        const r = await Promise.allSettled([
          fetch(u + '/fetch').then((x) => x.text()),
          fetch(u + '/no-cors', { mode: 'no-cors' }).then((x) => x.type),
          fetch('http://localhost:' + new URL(u).port + '/localhost').then((x) => x.text()),
          new Promise((resolve, reject) => {
            const x = new XMLHttpRequest();
            x.open('GET', u + '/xhr');
            x.onload = () => resolve(x.responseText);
            x.onerror = () => reject(new Error('xhr failed'));
            x.send();
          }),
          new Promise((resolve, reject) => {
            const ws = new WebSocket(u.replace('http', 'ws') + '/ws');
            ws.onopen = () => resolve('open');
            ws.onerror = () => reject(new Error('ws failed'));
          }),
        ]);
        return r.map((x) => (x.status === 'fulfilled' ? x.value : 'failed'));
      })(${JSON.stringify(target)})`)) as string[];
      // An opaque no-cors response carries nothing the page can read; the request was refused all the same.
      expect(fetched.filter((x) => x === 'secret')).toEqual([]);
      await runtime.page.evaluate(`(async (u) => {
        const frame = document.createElement('iframe');
        frame.src = u + '/iframe';
        const img = new Image();
        img.src = u + '/img';
        document.body.append(frame, img);
        await new Promise((r) => setTimeout(r, 500));
        frame.remove();
        img.remove();
      })(${JSON.stringify(target)})`);
      // And a top-level navigation (a link, location.href = …) ends on the proxy's refusal.
      const nav = await runtime.page.goto(`${target}/navigate`).catch(() => null);
      expect(nav?.status() ?? 403).toBe(403);
      expect(seen).toEqual([]);
      expect(runtime.egress!.counts.denied).toBeGreaterThanOrEqual(deniedBefore + 7);
    } finally {
      internal.close();
    }
  });
});
