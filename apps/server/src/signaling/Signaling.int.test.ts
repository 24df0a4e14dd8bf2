import { MAX_SIGNALING_MESSAGE_BYTES, PROTOCOL_VERSION } from '@offload/protocol';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

/**
 * Signaling against a real server (real mediasoup worker, real app runtime): the happy path
 * and every kind of bad input; after each, the server keeps serving its other clients.
 */
describe('signaling', () => {
  let server: Offload;
  let sessionId: string;
  let owner: TestSocket;

  beforeAll(async () => {
    server = await startTestServer({
      OFFLOAD_MAX_SESSIONS: '1',
      OFFLOAD_INPUT_RATE: '200',
      OFFLOAD_CODECS: 'h264,vp8',
      OFFLOAD_RESUME_GRACE_S: '1',
    });
    owner = await TestSocket.hello(server.port);
    sessionId = await owner.createSession();
  });

  afterAll(async () => {
    owner?.close();
    await server?.close();
  });

  const hello = () => TestSocket.hello(server.port);

  it('joins a session and hands out what a WebRTC client needs', async () => {
    const s = await TestSocket.open(server.port);
    // hello already tells every router's RTP capabilities (a client loads its Device early)…
    const greeting = await s.request('hello', { protocolVersion: PROTOCOL_VERSION });
    expect(greeting.ok).toBe(true);
    const early = greeting.ok && (greeting.data as { routerRtpCapabilities?: unknown }).routerRtpCapabilities;
    const join = await s.request('session/join', { sessionId });
    expect(join.ok).toBe(true);
    if (!join.ok) return;
    const data = join.data as { screen: unknown; routerRtpCapabilities: { codecs: { mimeType: string }[] } };
    expect(data.screen).toEqual({ width: 720, height: 1280, touch: true });
    expect(data.routerRtpCapabilities.codecs.map((c) => c.mimeType)).toContain('video/H264');
    // …and they are the session router's, to the byte.
    expect(JSON.stringify(early)).toBe(JSON.stringify(data.routerRtpCapabilities));
    const t = await s.request('transport/create', { direction: 'recv' });
    expect(t.ok && (t.data as { iceCandidates: { port: number }[] }).iceCandidates[0]!.port).toBe(
      server.config.rtc.port,
    );
    expect(server.sessions.get(sessionId).viewers.size).toBe(1);
    s.close();
    // The viewer goes once its socket has been gone for the resume grace period (1 s here).
    await expect.poll(() => server.sessions.get(sessionId).viewers.size, { timeout: 5000 }).toBe(0);
  });

  it('requires hello first, and refuses another protocol version', async () => {
    const s = await TestSocket.open(server.port);
    const early = await s.request('session/join', { sessionId });
    expect(early.ok || early.error.code).toBe('not-ready');
    const wrong = await s.request('hello', { protocolVersion: PROTOCOL_VERSION + 1 });
    expect(wrong.ok || wrong.error.code).toBe('incompatible-protocol');
    s.close();
  });

  it('answers each kind of malformed message with a typed error', async () => {
    const s = await hello();
    s.send('{"type": "hello", ');
    await s.waitFor((m) => m.type === 'error' && m.error.code === 'bad-json');
    s.send('[1,2,3]');
    s.send(Buffer.from([1, 2, 3]));
    await s.waitFor((m) => m.type === 'error' && m.error.message.includes('Binary'));

    const unknown = await s.request('session/teleport');
    expect(unknown.ok || unknown.error.code).toBe('unknown-type');
    const missing = await s.request('session/join');
    expect(missing.ok || [missing.error.code, missing.error.message]).toEqual([
      'invalid-message',
      expect.stringContaining('sessionId'),
    ]);
    const wrongType = await s.request('transport/create', { direction: 7 });
    expect(wrongType.ok || wrongType.error.code).toBe('invalid-message');
    // Too large to parse, but the id up front is still found, so the reply names the request.
    const big = await s.request('hello', {
      protocolVersion: 1,
      client: 'x'.repeat(MAX_SIGNALING_MESSAGE_BYTES),
    });
    expect(big.ok || big.error.code).toBe('too-large');
    s.close();
  });

  it('refuses requests and input for a session the client is not in', async () => {
    const s = await hello();
    const consume = await s.request('media/consume', { rtpCapabilities: {} });
    expect(consume.ok || consume.error.code).toBe('not-joined');
    s.send(JSON.stringify({ type: 'input', event: { type: 'text', seq: 1, ts: 1, text: 'sneaky' } }));
    await s.waitFor((m) => m.type === 'error' && m.error.code === 'not-joined');
    const gone = await s.request('session/join', { sessionId: 'no-such-session' });
    expect(gone.ok || gone.error.code).toBe('session-not-found');
    s.close();
    expect((await server.sessions.get(sessionId).runtime.appState()) as { text: string }).toMatchObject({
      text: '',
    });
  });

  it('rejects bad media parameters without harm', async () => {
    const s = await hello();
    await s.request('session/join', { sessionId });
    const noRecv = await s.request('media/consume', { rtpCapabilities: { codecs: [] } });
    expect(noRecv.ok || noRecv.error.code).toBe('cannot-consume');
    const t = await s.request('transport/create', { direction: 'recv' });
    const transportId = t.ok ? (t.data as { transportId: string }).transportId : '';
    const badDtls = await s.request('transport/connect', {
      transportId,
      dtlsParameters: { fingerprints: 'nope' },
    });
    expect(badDtls.ok || badDtls.error.code).toBe('invalid-message');
    const noTransport = await s.request('transport/connect', { transportId: 'nope', dtlsParameters: {} });
    expect(noTransport.ok || noTransport.error.code).toBe('transport-not-found');
    const badResume = await s.request('media/resume', { consumerId: 'nope' });
    expect(badResume.ok || badResume.error.code).toBe('consumer-not-found');
    const badPause = await s.request('media/pause', { consumerId: 'nope' });
    expect(badPause.ok || badPause.error.code).toBe('consumer-not-found');
    s.close();
  });

  it('pauses and resumes a viewer’s own sound (a muted player), and no one else’s', async () => {
    const session = server.sessions.get(sessionId);
    const join = async () => {
      const s = await hello();
      await s.request('session/join', { sessionId });
      await s.request('transport/create', { direction: 'recv' });
      const r = await s.request('media/consume', { rtpCapabilities: session.router.rtpCapabilities });
      if (!r.ok) throw new Error(r.error.message);
      const consumers = (r.data as { consumers: { consumerId: string; kind: string }[] }).consumers;
      return { s, audio: consumers.find((c) => c.kind === 'audio')!.consumerId };
    };
    const a = await join();
    const b = await join();
    const consumerOf = (id: string) =>
      [...session.viewers.values()].flatMap((v) => [...v.consumers.values()]).find((c) => c.id === id)!;
    expect((await a.s.request('media/resume', { consumerId: a.audio })).ok).toBe(true);
    expect(consumerOf(a.audio).paused).toBe(false);
    expect((await a.s.request('media/pause', { consumerId: a.audio })).ok).toBe(true);
    expect(consumerOf(a.audio).paused).toBe(true);
    const others = await b.s.request('media/resume', { consumerId: a.audio });
    expect(others.ok || others.error.code).toBe('consumer-not-found');
    expect(consumerOf(a.audio).paused).toBe(true);
    a.s.close();
    b.s.close();
  });

  it('gives each client the first codec it can decode, starting a VP8 encoder only when one needs it', async () => {
    const session = server.sessions.get(sessionId);
    expect((await session.videoSources()).map((v) => v.codec)).toEqual(['h264']);
    const caps = session.router.rtpCapabilities;
    const only = (mime: string) => ({
      ...caps,
      codecs: caps.codecs!.filter(
        (c) => c.mimeType === mime || (c.mimeType === 'video/rtx' && c.parameters?.apt !== undefined),
      ),
    });
    const consume = async (rtpCapabilities: unknown) => {
      const s = await hello();
      await s.request('session/join', { sessionId });
      await s.request('transport/create', { direction: 'recv' });
      const r = await s.request('media/consume', { rtpCapabilities });
      s.close();
      if (!r.ok) throw new Error(r.error.message);
      return (r.data as { consumers: { rtpParameters: { codecs: { mimeType: string }[] } }[] }).consumers[0]!;
    };
    expect((await consume(caps)).rtpParameters.codecs[0]!.mimeType).toBe('video/H264');
    expect((await consume(only('video/VP8'))).rtpParameters.codecs[0]!.mimeType).toBe('video/VP8');
    const sources = await session.videoSources();
    expect(sources.map((v) => v.codec).sort()).toEqual(['h264', 'vp8']);
    await expect
      .poll(() => sources.find((v) => v.codec === 'vp8')!.stats.frames, { timeout: 5000 })
      .toBeGreaterThan(5);
  });

  it('takes latency reports from joined clients into /metrics, and refuses bad ones', async () => {
    const segments = {
      uplink: 1,
      inject: 20,
      renderCapture: 50,
      encode: 5,
      network: 2,
      jitterBuffer: 3,
      decode: 2,
      render: 8,
    };
    const sample = { seq: 1, kind: 'touch:start', total: 91, segments, residual: 0, syncError: 0.4 };
    const s = await hello();
    s.send(JSON.stringify({ type: 'latency/report', samples: [sample] }));
    await s.waitFor((m) => m.type === 'error' && m.error.code === 'not-joined');
    await s.request('session/join', { sessionId });
    s.send(JSON.stringify({ type: 'latency/report', samples: [{ ...sample, total: -5 }] }));
    await s.waitFor((m) => m.type === 'error' && m.error.message.includes('latency/report'));
    // An older client sends no frameGap; a newer one on a busy page reports one.
    s.send(
      JSON.stringify({
        type: 'latency/report',
        samples: [sample, { ...sample, seq: 2, total: 120, frameGap: 33.3 }],
      }),
    );
    const metrics = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    await expect.poll(metrics).toMatch(/^offload_latency_samples_total 2$/m);
    const text = await metrics();
    expect(text).toMatch(/^offload_input_to_photon_ms_count\{kind="touch"\} 2$/m);
    expect(text).toMatch(/^offload_latency_samples_frame_gap_total 1$/m);
    expect(text).toMatch(/^offload_input_to_photon_ms_bucket\{le="100",kind="touch"\} 1$/m);
    expect(text).toMatch(/^offload_input_segment_ms_count\{segment="renderCapture"\} 2$/m);
    expect(text).toMatch(/^offload_sessions 1$/m);
    expect(text).toMatch(/^offload_worker_cpu_seconds\{worker="0"\} [0-9.]+$/m);
    s.close();
  });

  it('says "at capacity" past the session limit', async () => {
    const s = await hello();
    const r = await s.request('session/create');
    expect(r.ok || r.error.code).toBe('at-capacity');
    s.close();
  });

  it('injects input sent over the WebSocket fallback, and rate-limits a flood', async () => {
    // Only the participant in control is injected: the first to join while nobody holds it.
    // Earlier tests' clients must be gone (their sockets close asynchronously).
    await expect.poll(() => server.sessions.get(sessionId).viewers.size).toBe(0);
    const s = await hello();
    const join = await s.request('session/join', { sessionId });
    expect(join.ok && (join.data as { role: string }).role).toBe('controller');
    // Focus the text field (tap it), then type.
    const tap = (action: string, touches: unknown[]) =>
      JSON.stringify({ type: 'input', event: { type: 'touch', seq: 1, ts: 1, action, touches } });
    s.send(tap('start', [{ id: 1, x: 0.5, y: 0.4 }]));
    s.send(tap('end', []));
    const runtime = server.sessions.get(sessionId).runtime;
    // The tap focuses the field a moment after touchend (Chromium's tap gesture), as on a phone.
    await expect.poll(async () => ((await runtime.appState()) as { focused: string }).focused).toBe('text');
    s.send(JSON.stringify({ type: 'input', event: { type: 'text', seq: 2, ts: 1, text: 'héllo 你好' } }));
    await expect.poll(async () => ((await runtime.appState()) as { text: string }).text).toBe('héllo 你好');

    for (let i = 0; i < 2000; i++) {
      s.send(
        JSON.stringify({
          type: 'input',
          event: { type: 'pointer', seq: i, ts: 1, action: 'move', x: 0.5, y: 0.9 },
        }),
      );
    }
    await s.waitFor((m) => m.type === 'error' && m.error.code === 'rate-limited');
    // Still serving: this client (once its signaling allowance, 200/s with a burst of 400, has
    // refilled: the flood used it up), and a new one.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await s.request('transport/create', { direction: 'send' })).ok).toBe(true);
    const other = await hello();
    expect((await other.request('session/join', { sessionId })).ok).toBe(true);
    other.close();
    s.close();
    expect(server.sessions.get(sessionId).closed).toBe(false);
  });
});
