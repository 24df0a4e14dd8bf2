import { MAX_SIGNALING_MESSAGE_BYTES } from '@offload/protocol';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import type { ChromiumRuntime } from '../runtime/ChromiumRuntime.js';
import { startTestServer } from '../test/startTestServer.js';

type CaptureRequest = { type: 'capture/request'; requestId: string; audio: boolean; video: boolean };
const isRequest = (m: { type: string }): m is CaptureRequest => m.type === 'capture/request';

/** What a browser's mediasoup-client would send for a microphone (mediasoup checks it; no RTP needs to flow). */
const opus = (ssrc: number) => ({
  mid: '0',
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      parameters: {},
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: 'device', reducedSize: true },
});

/**
 * The device's camera and microphone, through a real server and the app's real Chromium: the
 * app page's getUserMedia (the shim) asks; only the controller's socket hears it; a watcher's
 * produce and end are refused; bad values get typed errors; the controller's refusal rejects the
 * app's call with the right DOMException; a produced track starts the app's; control moving
 * ends it and tells the client to stop.
 */
describe('camera and microphone into the app', () => {
  let server: Offload;
  let sessionId: string;
  let a: TestSocket;
  let b: TestSocket;
  let page: ChromiumRuntime['page'];

  /** Calls getUserMedia in the app page (no DOM types here: the page runs this text); `result(i)` reads how call `i` ended. */
  const ask = (i: number, constraints: { audio?: boolean; video?: boolean }) =>
    page.evaluate(`(() => {
      const w = window;
      w.gum ??= {};
      w.gum[${i}] = 'pending';
      navigator.mediaDevices.getUserMedia(${JSON.stringify(constraints)}).then(
        (s) => {
          w.gum[${i}] = 'ok:' + s.getTracks().map((t) => t.kind);
          for (const t of s.getTracks()) t.addEventListener('ended', () => (w.gum[${i}] += ':ended'));
        },
        (e) => (w.gum[${i}] = e.name),
      );
    })()`);
  const result = (i: number) => page.evaluate(`window.gum[${i}]`) as Promise<string>;

  beforeAll(async () => {
    server = await startTestServer();
    a = await TestSocket.hello(server.port);
    sessionId = await a.createSession();
    expect((await a.request('session/join', { sessionId })).ok).toBe(true);
    b = await TestSocket.hello(server.port);
    expect((await b.request('session/join', { sessionId })).ok).toBe(true);
    page = (server.sessions.get(sessionId).runtime as ChromiumRuntime).page;
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    await server?.close();
  });

  it('asks the controller only; refuses a watcher, bad values, and rejects the app on a refusal', async () => {
    await ask(1, { video: true, audio: true });
    const req = await a.waitFor(isRequest);
    expect(req).toMatchObject({ audio: true, video: true });
    const bSend = await b.request('transport/create', { direction: 'send' });
    const bTransport = (bSend as { data: { transportId: string } }).data.transportId;
    // The watcher never hears of it, and may not produce or end it.
    expect(b.messages.some(isRequest)).toBe(false);
    const produce = { requestId: req.requestId, kind: 'audio', rtpParameters: opus(1111) };
    const byB = await b.request('capture/produce', { ...produce, transportId: bTransport });
    expect(byB).toMatchObject({ ok: false, error: { code: 'not-controller' } });
    expect(await b.request('capture/end', { requestId: req.requestId, reason: 'denied' })).toMatchObject({
      ok: false,
      error: { code: 'not-controller' },
    });
    expect(server.sessions.get(sessionId).viewers.get((await viewerIdOf(b))!)!.producers.size).toBe(0);

    // Bad values from the controller: typed errors, nothing produced.
    const aSend = await a.request('transport/create', { direction: 'send' });
    const transportId = (aSend as { data: { transportId: string } }).data.transportId;
    const bad = [
      [{ ...produce, transportId, kind: 'screen' }, 'invalid-message'],
      [{ ...produce, transportId, requestId: 'nope' }, 'not-allowed'],
      [{ ...produce, transportId: bTransport }, 'transport-not-found'],
      [
        { ...produce, transportId, rtpParameters: { ...opus(2), encodings: [{ ssrc: 2 }, { ssrc: 3 }] } },
        'invalid-message',
      ],
      [{ ...produce, transportId, rtpParameters: { codecs: 'opus' } }, 'invalid-message'],
    ] as const;
    for (const [payload, code] of bad)
      expect(await a.request('capture/produce', payload)).toMatchObject({ ok: false, error: { code } });
    a.send(
      JSON.stringify({
        type: 'capture/produce',
        id: 'big',
        ...produce,
        transportId,
        pad: 'x'.repeat(MAX_SIGNALING_MESSAGE_BYTES),
      }),
    );
    await a.waitFor((m) => m.type === 'response' && m.id === 'big' && !m.ok && m.error.code === 'too-large');
    expect(await a.request('capture/end', { requestId: req.requestId, reason: 'sleepy' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-message' },
    });
    expect(await result(1)).toBe('pending');

    // The device's user says no: the app's call rejects with NotAllowedError.
    expect((await a.request('capture/end', { requestId: req.requestId, reason: 'denied' })).ok).toBe(true);
    await expect.poll(() => result(1)).toBe('NotAllowedError');
  });

  it('starts the app’s track once the controller produces it, and ends it when control moves', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // the request limit's bucket refills
    await ask(2, { audio: true });
    const req = await a.waitFor((m): m is CaptureRequest => isRequest(m) && m.audio && !m.video);
    const aSend = await a.request('transport/create', { direction: 'send' });
    const transportId = (aSend as { data: { transportId: string } }).data.transportId;
    // The app asked for sound only: no camera.
    const video = await a.request('capture/produce', {
      requestId: req.requestId,
      transportId,
      kind: 'video',
      rtpParameters: opus(5),
    });
    expect(video).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const ok = await a.request('capture/produce', {
      requestId: req.requestId,
      transportId,
      kind: 'audio',
      rtpParameters: opus(4444),
    });
    expect(ok.ok).toBe(true);
    await expect.poll(() => result(2)).toBe('ok:audio');

    // Control moves: the app's track ends, the old controller is told to stop, its producer closes.
    expect((await a.request('control/release')).ok).toBe(true);
    await a.waitFor((m) => m.type === 'capture/stop' && m.requestId === req.requestId);
    await expect.poll(() => result(2)).toBe('ok:audio:ended');
    expect(b.messages.some((m) => m.type === 'capture/stop')).toBe(false);
    const describe = (await server.sessions.get(sessionId).describe()) as {
      capture: unknown;
      viewers: { producers: unknown[] }[];
    };
    expect(describe.capture).toBeNull();
    expect(describe.viewers.every((v) => v.producers.length === 0)).toBe(true);

    // Nobody in control now: the app is refused at once, and nobody is asked.
    const asked = a.messages.filter(isRequest).length;
    await ask(3, { video: true });
    await expect.poll(() => result(3)).toBe('NotAllowedError');
    expect(a.messages.filter(isRequest).length).toBe(asked);
    expect(b.messages.some(isRequest)).toBe(false);
  });

  it('refuses an app that asks in a loop', async () => {
    expect((await b.request('control/take')).ok).toBe(true);
    for (let i = 10; i < 16; i++) await ask(i, { audio: true });
    // At most a burst of 3 reaches the device; the rest are refused in the page at once.
    await expect
      .poll(
        async () =>
          (await Promise.all([10, 11, 12, 13, 14, 15].map(result))).filter((r) => r === 'NotAllowedError')
            .length,
      )
      .toBeGreaterThanOrEqual(3);
    expect(b.messages.filter(isRequest).length).toBeLessThanOrEqual(3);
    // The page goes away (a reload) while it waits: the capture ends, the device is told to stop.
    const last = b.messages.filter(isRequest).at(-1)!;
    await page.reload();
    // (Well before the 30 s answer time, after which it would end anyway.)
    await b.waitFor((m) => m.type === 'capture/stop' && m.requestId === last.requestId, 10_000);
    expect(((await server.sessions.get(sessionId).describe()) as { capture: unknown }).capture).toBeNull();
  });
});

async function viewerIdOf(s: TestSocket): Promise<string | undefined> {
  const joined = s.messages.find(
    (m) => m.type === 'response' && m.ok && (m.data as { viewerId?: string })?.viewerId,
  );
  return (joined as { data: { viewerId: string } } | undefined)?.data.viewerId;
}
