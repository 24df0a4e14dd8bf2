import { INPUT_CHANNEL_RELIABLE } from '@offload/protocol';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { VIEWER_LIMITS } from './Viewer.js';

/**
 * What one participant can make the server hold is bounded: transports (a new one replaces the
 * oldest of its direction), consumers, input channels and report channels (typed refusals).
 */
describe('per-viewer limits', () => {
  let server: Offload;
  let s: TestSocket;
  let sessionId: string;
  let caps: unknown;

  beforeAll(async () => {
    server = await startTestServer();
    s = await TestSocket.hello(server.port);
    sessionId = await s.createSession();
    const join = await s.request('session/join', { sessionId });
    caps = join.ok ? (join.data as { routerRtpCapabilities: unknown }).routerRtpCapabilities : {};
  }, 60_000);

  afterAll(async () => {
    s?.close();
    await server?.close();
  });

  const viewer = () => [...server.sessions.get(sessionId).viewers.values()][0]!;
  const create = async (direction: 'send' | 'recv') => {
    const r = await s.request('transport/create', { direction });
    expect(r.ok).toBe(true);
    return (r as { data: { transportId: string } }).data.transportId;
  };

  it('keeps at most two transports each way: a newer one replaces the oldest', async () => {
    const recv = [await create('recv'), await create('recv'), await create('recv')];
    const send = [await create('send'), await create('send'), await create('send'), await create('send')];
    expect([...viewer().transports.keys()].sort()).toEqual([...recv.slice(1), ...send.slice(2)].sort());
    const r = await s.request('transport/restart-ice', { transportId: recv[0]! });
    expect(!r.ok && r.error.code).toBe('transport-not-found');
  });

  it('refuses consumers past the limit with a typed error, all of a request or none', async () => {
    const codes: string[] = [];
    for (let i = 0; i < VIEWER_LIMITS.consumers / 2 + 3; i++) {
      const r = await s.request('media/consume', { rtpCapabilities: caps });
      codes.push(r.ok ? 'ok' : r.error.code);
      // Each request gets the video and the app's sound.
      if (r.ok)
        expect((r.data as { consumers: { kind: string }[] }).consumers.map((c) => c.kind)).toEqual([
          'video',
          'audio',
        ]);
    }
    expect(codes).toEqual([
      ...Array(VIEWER_LIMITS.consumers / 2).fill('ok'),
      'not-allowed',
      'not-allowed',
      'not-allowed',
    ]);
    expect(viewer().consumers.size).toBe(VIEWER_LIMITS.consumers);
  });

  it('refuses input and report channels past their limits', async () => {
    const sendId = [...viewer().transports.values()].filter((t) => t.appData.direction === 'send').at(-1)!.id;
    const produced: string[] = [];
    for (let i = 0; i < VIEWER_LIMITS.dataProducers + 2; i++) {
      const r = await s.request('data/produce', {
        transportId: sendId,
        sctpStreamParameters: { streamId: i, ordered: true },
        label: INPUT_CHANNEL_RELIABLE,
        protocol: '',
      });
      produced.push(r.ok ? 'ok' : r.error.code);
    }
    expect(produced).toEqual([
      ...Array(VIEWER_LIMITS.dataProducers).fill('ok'),
      'not-allowed',
      'not-allowed',
    ]);
    const control: string[] = [];
    for (let i = 0; i < VIEWER_LIMITS.reportConsumers + 2; i++) {
      const r = await s.request('data/consume', {});
      control.push(r.ok ? 'ok' : r.error.code);
    }
    expect(control).toEqual([
      ...Array(VIEWER_LIMITS.reportConsumers).fill('ok'),
      'not-allowed',
      'not-allowed',
    ]);
    // The session goes on.
    expect(server.sessions.get(sessionId).state).toBe('running');
  });
});
