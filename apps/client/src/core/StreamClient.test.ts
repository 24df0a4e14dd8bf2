import { PROTOCOL_VERSION } from '@offload/protocol';
import { Device } from 'mediasoup-client';
import { FakeHandler } from 'mediasoup-client/lib/handlers/FakeHandler';
import * as fakeParameters from 'mediasoup-client/lib/test/fakeParameters';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientError } from './ClientError';
import { StreamClient } from './StreamClient';
import type { SocketHandlers } from './signaling/SignalingClient';
import type { ConnectionState } from './types';

type Msg = Record<string, unknown> & { type: string; id?: number };
type Handler = (msg: Msg) => unknown;

/**
 * A scripted signaling server: answers each request from `handlers` (a thrown
 * `{code, message}` becomes an error reply). The media side is mediasoup-client's own
 * FakeHandler, so the real Device/Transport/Consumer code runs.
 */
class FakeServer {
  received: Msg[] = [];
  handlers?: SocketHandlers;
  open = true;
  /** What session/resume answers: false = the server kept our transports. */
  resumeFresh = false;
  sockets = 0;
  /** The URL each socket was opened to. */
  urls: string[] = [];
  readonly answers: Record<string, Handler> = {
    hello: () => ({ protocolVersion: PROTOCOL_VERSION, serverVersion: 'test' }),
    'session/create': () => ({ sessionId: 'sess-1' }),
    'session/join': (m) => ({
      sessionId: m.sessionId,
      viewerId: 'viewer-1',
      routerRtpCapabilities: fakeParameters.generateRouterRtpCapabilities(),
      screen: { width: 390, height: 844, touch: true },
      resumeToken: 'token-1',
    }),
    'session/resume': (m) => ({
      sessionId: m.sessionId,
      viewerId: 'viewer-1',
      routerRtpCapabilities: fakeParameters.generateRouterRtpCapabilities(),
      screen: { width: 390, height: 844, touch: true },
      resumeToken: `token-${this.received.filter((r) => r.type === 'session/resume').length + 1}`,
      fresh: this.resumeFresh,
    }),
    'transport/restart-ice': () => ({
      iceParameters: fakeParameters.generateTransportRemoteParameters().iceParameters,
    }),
    'transport/create': () => {
      const p = fakeParameters.generateTransportRemoteParameters();
      return {
        transportId: p.id,
        iceParameters: p.iceParameters,
        iceCandidates: p.iceCandidates,
        dtlsParameters: p.dtlsParameters,
        sctpParameters: p.sctpParameters,
      };
    },
    'transport/connect': () => ({}),
    'media/consume': () => {
      const c = fakeParameters.generateConsumerRemoteParameters({ codecMimeType: 'video/VP8' });
      return {
        consumers: [
          { consumerId: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters },
        ],
      };
    },
    'media/resume': () => ({}),
    'media/keyframe': () => ({}),
    'data/produce': () => ({ dataProducerId: fakeParameters.generateDataProducerRemoteParameters().id }),
    'session/leave': () => ({}),
    'data/consume': () => {
      const d = fakeParameters.generateDataConsumerRemoteParameters();
      return {
        dataConsumerId: d.id,
        dataProducerId: d.dataProducerId,
        sctpStreamParameters: d.sctpStreamParameters,
        label: 'control',
        protocol: '',
      };
    },
  };

  factory = (url: string, handlers: SocketHandlers) => {
    this.urls.push(url);
    this.handlers = handlers;
    this.sockets++;
    queueMicrotask(() => (this.open ? handlers.onOpen() : handlers.onClose({ code: 1006, reason: '' })));
    return {
      send: (text: string) => {
        const msg = JSON.parse(text) as Msg;
        this.received.push(msg);
        if (msg.id === undefined) return;
        const answer = this.answers[msg.type];
        queueMicrotask(() => {
          try {
            const data = answer!(msg);
            this.push({ type: 'response', id: msg.id, ok: true, data });
          } catch (error) {
            this.push({ type: 'response', id: msg.id, ok: false, error });
          }
        });
      },
      close: () => {},
    };
  };

  push(msg: unknown) {
    this.handlers!.onMessage(JSON.stringify(msg));
  }

  types() {
    return this.received.map((m) => m.type);
  }
}

function setup(options: { reconnectForMs?: number } = {}) {
  const server = new FakeServer();
  let devices = 0;
  const client = new StreamClient({
    ...options,
    reconnectDelayMs: 1,
    url: 'ws://test/ws',
    socketFactory: server.factory,
    createDevice: () => {
      devices++;
      return new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
    },
  });
  const states: (ConnectionState | string)[] = [];
  client.on('state', (s, e) => states.push(e ? `${s}:${e.code}` : s));
  return { server, client, states, devicesMade: () => devices };
}

describe('StreamClient', () => {
  it('loads its Device from the capabilities told in hello, before the join; joins reuse it', async () => {
    const { server, client, devicesMade } = setup();
    server.answers.hello = () => ({
      protocolVersion: PROTOCOL_VERSION,
      serverVersion: 'test',
      routerRtpCapabilities: fakeParameters.generateRouterRtpCapabilities(),
    });
    await client.connect();
    await new Promise((r) => setTimeout(r, 0));
    expect(devicesMade()).toBe(1);
    await client.join('sess-1');
    await client.leave();
    await client.join('sess-1');
    expect(devicesMade()).toBe(1);
    // Other capabilities in a join (another server version behind the same URL): a new Device.
    server.answers['session/join'] = (m) => ({
      sessionId: m.sessionId,
      viewerId: 'viewer-1',
      routerRtpCapabilities: { ...fakeParameters.generateRouterRtpCapabilities(), headerExtensions: [] },
      screen: { width: 390, height: 844, touch: true },
      resumeToken: 'token-1',
    });
    await client.leave();
    await client.join('sess-1');
    expect(devicesMade()).toBe(2);
    expect(client.state).toBe('streaming');
  });

  it('joins: hello, join, recv transport, consume, resume, then the input transport', async () => {
    const { server, client, states } = setup();
    const tracks: MediaStreamTrack[][] = [];
    client.on('tracks', (t) => tracks.push(t));
    await client.join('sess-1');
    await new Promise((r) => setTimeout(r, 10));

    expect(states).toEqual(['connecting', 'joining', 'streaming']);
    expect(client.session).toEqual({
      sessionId: 'sess-1',
      viewerId: 'viewer-1',
      screen: { width: 390, height: 844, touch: true },
    });
    const t = server.types();
    expect(t.slice(0, 4)).toEqual(['hello', 'session/join', 'transport/create', 'media/consume']);
    expect(server.received[0]).toMatchObject({ protocolVersion: PROTOCOL_VERSION, client: 'offload-web' });
    expect(server.received.filter((m) => m.type === 'transport/create').map((m) => m.direction)).toEqual([
      'recv',
      'send',
    ]);
    // The consumer is resumed only after it exists locally; the input transport comes after.
    expect(t.indexOf('media/resume')).toBeGreaterThan(t.indexOf('media/consume'));
    expect(t.lastIndexOf('transport/create')).toBeGreaterThan(t.indexOf('media/resume'));
    expect(t).toContain('transport/connect');
    expect(tracks).toHaveLength(1);
    expect(tracks[0]![0]!.kind).toBe('video');
    client.close();
  });

  it('has the server send the sound only while the viewer listens: paused while muted, resumed when not', async () => {
    const { server, client } = setup();
    const ids: Record<string, string> = {};
    server.answers['media/consume'] = () => {
      const v = fakeParameters.generateConsumerRemoteParameters({ codecMimeType: 'video/VP8' });
      const a = fakeParameters.generateConsumerRemoteParameters({ codecMimeType: 'audio/opus' });
      ids.video = v.id ?? '';
      ids.audio = a.id ?? '';
      return {
        consumers: [v, a].map((c) => ({
          consumerId: c.id,
          producerId: c.producerId,
          kind: c.kind,
          rtpParameters: c.rtpParameters,
        })),
      };
    };
    server.answers['media/pause'] = () => ({});
    const sent = () =>
      server.received
        .filter((m) => m.type === 'media/resume' || m.type === 'media/pause')
        .map((m) => `${m.type} ${m.consumerId === ids.video ? 'video' : 'audio'}`);
    await client.join('sess-1');
    // Muted (the default): the picture is resumed, the sound stays paused on the server.
    expect(sent()).toEqual(['media/resume video']);
    expect(client.tracks.map((t) => t.kind)).toEqual(['video', 'audio']);
    client.setSound(true);
    client.setSound(false);
    await vi.waitFor(() =>
      expect(sent()).toEqual(['media/resume video', 'media/resume audio', 'media/pause audio']),
    );
    // Unmuted before a join: the sound is resumed with the picture.
    await client.leave();
    client.setSound(true);
    server.received = [];
    await client.join('sess-1');
    expect(sent()).toEqual(['media/resume video', 'media/resume audio']);
    client.close();
  });

  it('opens the input and sensors data producers with the protocol labels', async () => {
    const { server, client } = setup();
    await client.join('sess-1');
    await new Promise((r) => setTimeout(r, 10));
    const produce = server.received.filter((m) => m.type === 'data/produce');
    expect(produce.map((m) => m.label).sort()).toEqual(['input', 'input-fast', 'sensors']);
    const sendTransportConnect = server.received.filter((m) => m.type === 'transport/connect');
    expect(sendTransportConnect).toHaveLength(2);
    client.close();
  });

  it('sends input over the socket while the data channels are not open', async () => {
    const { server, client } = setup();
    expect(client.sendInput({ type: 'text', text: 'x' })).toBe(false);
    await client.join('sess-1');
    expect(client.sendInput({ type: 'text', text: 'héllo 你好' })).toBe(true);
    expect(client.sendInput({ type: 'pointer', action: 'move', x: 0.5, y: 0.5 })).toBe(true);
    const inputs = server.received.filter((m) => m.type === 'input');
    expect(inputs).toMatchObject([
      { event: { type: 'text', text: 'héllo 你好', seq: 0 } },
      { event: { type: 'pointer', action: 'move', seq: 1 } },
    ]);
    client.close();
  });

  it('createSession returns the new id', async () => {
    const { client } = setup();
    await expect(client.createSession()).resolves.toBe('sess-1');
    client.close();
  });

  describe('in a cluster', () => {
    it('joins a session created elsewhere on its node, with the token made for it', async () => {
      const { server, client } = setup();
      server.answers['session/create'] = () => ({
        sessionId: 'sess-b',
        hostUrl: 'http://node-b:8082/',
        hostToken: 'tok-b',
      });
      await expect(client.createSession()).resolves.toBe('sess-b');
      await client.join('sess-b');
      expect(server.urls).toEqual(['ws://test/ws', 'ws://node-b:8082/ws?token=tok-b']);
      expect(client.state).toBe('streaming');
      client.close();
    });

    it('follows session-elsewhere to the node named, once', async () => {
      const { server, client, states } = setup();
      let joins = 0;
      const join = server.answers['session/join']!;
      server.answers['session/join'] = (m) => {
        if (joins++ === 0)
          throw { code: 'session-elsewhere', message: 'elsewhere', hostUrl: 'http://node-b:8082/' };
        return join(m);
      };
      await client.join('sess-1');
      expect(server.urls).toEqual(['ws://test/ws', 'ws://node-b:8082/ws']);
      expect(client.state).toBe('streaming');
      // A link to a node this player may not take fails with a typed error, not a reconnect.
      await client.leave();
      server.answers['session/join'] = () => {
        throw { code: 'session-elsewhere', message: 'elsewhere', hostUrl: 'javascript:alert(1)' };
      };
      await expect(client.join('sess-2')).rejects.toMatchObject({ code: 'server-not-allowed' });
      expect(states.at(-1)).toBe('failed:server-not-allowed');
      client.close();
    });
  });

  it('fails with incompatible-protocol when hello is refused', async () => {
    const { server, client, states } = setup();
    server.answers.hello = () => {
      throw { code: 'incompatible-protocol', message: 'server speaks 2' };
    };
    await expect(client.join('sess-1')).rejects.toMatchObject({ code: 'incompatible-protocol' });
    expect(states).toEqual(['connecting', 'failed:incompatible-protocol']);
    expect(client.error?.userText).toMatch(/Reload/);
  });

  it('fails with cannot-consume when the codec is unsupported', async () => {
    const { server, client } = setup();
    server.answers['media/consume'] = () => {
      throw { code: 'cannot-consume', message: 'no common codec' };
    };
    await expect(client.join('sess-1')).rejects.toMatchObject({ code: 'cannot-consume' });
    expect(client.state).toBe('failed');
    expect(client.error?.userText).toMatch(/Codec unsupported/);
  });

  it('fails with session-not-found for a gone session', async () => {
    const { server, client } = setup();
    server.answers['session/join'] = () => {
      throw { code: 'session-not-found', message: 'gone' };
    };
    await expect(client.join('nope')).rejects.toMatchObject({ code: 'session-not-found' });
    expect(client.error?.code).toBe('session-not-found');
  });

  it('reports server-unreachable when the socket never opens', async () => {
    const { server, client, states } = setup();
    server.open = false;
    await expect(client.join('sess-1')).rejects.toMatchObject({ code: 'server-unreachable' });
    expect(states).toEqual(['connecting', 'failed:server-unreachable']);
  });

  it('closes with session-closed when the server ends the session', async () => {
    const { server, client, states } = setup();
    await client.join('sess-1');
    server.push({ type: 'session/closed', sessionId: 'sess-1', reason: 'app exited' });
    expect(states.at(-1)).toBe('closed:session-closed');
    expect(client.error?.userText).toBe('The session ended: app exited. Start a new demo session.');
    expect(client.tracks).toEqual([]);
  });

  it('resumes on a new socket when the socket drops mid-stream, keeping its transports and restarting ICE', async () => {
    const { server, client, states } = setup();
    await client.join('sess-1');
    await vi.waitFor(() => expect(server.types()).toContain('data/produce')); // the send transport is up
    const tracks = client.tracks;
    server.received.length = 0;
    server.handlers!.onClose({ code: 1006, reason: '' });
    expect(client.state).toBe('reconnecting');
    await vi.waitFor(() => expect(client.state).toBe('streaming'));
    expect(states.slice(-2)).toEqual(['reconnecting', 'streaming']);
    expect(server.sockets).toBe(2);
    expect(server.received.find((m) => m.type === 'session/resume')).toMatchObject({
      sessionId: 'sess-1',
      resumeToken: 'token-1',
    });
    // Both transports get new ICE credentials; nothing else is set up again.
    expect(server.types().filter((t) => t === 'transport/restart-ice')).toHaveLength(2);
    expect(server.types()).not.toContain('transport/create');
    expect(client.tracks).toBe(tracks);
    expect(client.resumes).toBe(1);
    client.close();
  });

  it('sets media up again when the server restarted the session (session/restarted), on the same socket', async () => {
    const { server, client } = setup();
    await client.join('sess-1');
    server.resumeFresh = true;
    server.received.length = 0;
    server.push({ type: 'session/restarted', sessionId: 'sess-1', reason: 'media worker stopped' });
    await vi.waitFor(() => expect(server.types()).toContain('media/resume'));
    await vi.waitFor(() => expect(client.state).toBe('streaming'));
    expect(server.sockets).toBe(1);
    expect(server.types().slice(0, 3)).toEqual(['session/resume', 'transport/create', 'media/consume']);
    expect(client.tracks).toHaveLength(1);
    // The next resume uses the token the last one handed out.
    server.handlers!.onClose({ code: 1006, reason: '' });
    await vi.waitFor(() =>
      expect(server.received.filter((m) => m.type === 'session/resume')).toHaveLength(2),
    );
    expect(server.received.filter((m) => m.type === 'session/resume')[1]).toMatchObject({
      resumeToken: 'token-2',
    });
    client.close();
  });

  it('keeps retrying while the server is unreachable, then fails (server-unreachable); join works again', async () => {
    const { server, client, states } = setup({ reconnectForMs: 50 });
    await client.join('sess-1');
    server.open = false;
    server.handlers!.onClose({ code: 1006, reason: '' });
    await vi.waitFor(() => expect(client.state).toBe('failed'));
    expect(server.sockets).toBeGreaterThan(2);
    expect(states.at(-1)).toBe('failed:server-unreachable');
    server.open = true;
    await client.join('sess-1');
    expect(client.state).toBe('streaming');
    client.close();
  });

  it('gives up at once when the server refuses the resume (e.g. the token is no longer valid)', async () => {
    const { server, client, states } = setup();
    await client.join('sess-1');
    server.answers['session/resume'] = () => {
      throw { code: 'not-allowed', message: 'Cannot resume: the resume token has expired; join again.' };
    };
    server.handlers!.onClose({ code: 1006, reason: '' });
    await vi.waitFor(() => expect(client.state).toBe('failed'));
    expect(states.at(-1)).toBe('failed:not-allowed');
    expect(server.types().filter((t) => t === 'session/resume')).toHaveLength(1);
    client.close();
  });

  it('leave() sends session/leave and closes', async () => {
    const { server, client } = setup();
    await client.join('sess-1');
    await client.leave();
    expect(server.types()).toContain('session/leave');
    expect(client.state).toBe('closed');
    expect(client.session).toBeNull();
    expect(client.sendInput({ type: 'text', text: 'x' })).toBe(false);
  });

  it('requestKeyFrame() asks for every video consumer', async () => {
    const { server, client } = setup();
    await client.join('sess-1');
    client.requestKeyFrame();
    expect(server.received.filter((m) => m.type === 'media/keyframe')).toHaveLength(1);
    client.close();
  });

  describe('latency plumbing', () => {
    type FakeChannel = {
      readyState?: string;
      send(data: string): void;
      emit(event: string, ...args: unknown[]): boolean;
    };
    const capture = (method: 'sendDataChannel' | 'receiveDataChannel') => {
      const channels: FakeChannel[] = [];
      const original = FakeHandler.prototype[method] as unknown as (
        ...a: unknown[]
      ) => Promise<{ dataChannel: FakeChannel }>;
      vi.spyOn(FakeHandler.prototype, method).mockImplementation(async function (
        this: unknown,
        ...a: unknown[]
      ) {
        const result = await original.apply(this, a);
        channels.push(result.dataChannel);
        return result as never;
      });
      return channels;
    };
    afterEach(() => vi.restoreAllMocks());

    it('consumes the report channel after the first frame and emits its validated messages', async () => {
      const reportChannels = capture('receiveDataChannel');
      const { server, client } = setup();
      const messages: unknown[] = [];
      const warnings: string[] = [];
      client.on('report', (m) => messages.push(m));
      client.on('warning', (e) => warnings.push(e.code));
      await client.join('sess-1');
      await new Promise((r) => setTimeout(r, 10));
      const t = server.types();
      expect(t.indexOf('data/consume')).toBeGreaterThan(t.indexOf('media/resume'));
      expect(reportChannels).toHaveLength(1);
      const pong = { type: 'pong', id: 1, t0: 1, t1: 2, t2: 3 };
      reportChannels[0]!.emit('message', { data: JSON.stringify(pong) });
      reportChannels[0]!.emit('message', { data: '{"type":"pong"}' });
      expect(messages).toEqual([pong]);
      expect(warnings).toEqual(['invalid-message']);
      client.close();
    });

    it('skips the report channel when asked to', async () => {
      const server = new FakeServer();
      const client = new StreamClient({
        url: 'ws://test/ws',
        socketFactory: server.factory,
        createDevice: () => new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) }),
        reportChannel: false,
      });
      await client.join('sess-1');
      await new Promise((r) => setTimeout(r, 10));
      expect(server.types()).not.toContain('data/consume');
      client.close();
    });

    it('pings only on the open unreliable channel, reports over the socket, and tells who sent what', async () => {
      const inputChannels = capture('sendDataChannel');
      const { server, client } = setup();
      const pingChannel: boolean[] = [];
      const sent: unknown[] = [];
      client.on('ping-channel', (open) => pingChannel.push(open));
      client.on('input-sent', (e) => sent.push(e));
      await client.join('sess-1');
      expect(client.sendPing({ type: 'ping', id: 0, t0: 1 })).toBe(false);
      await new Promise((r) => setTimeout(r, 10));
      expect(client.sendPing({ type: 'ping', id: 0, t0: 1 })).toBe(false); // not open yet
      expect(server.types()).not.toContain('ping');

      const fast = inputChannels.find((c) => (c as unknown as { label: string }).label === 'input-fast')!;
      const onFast: unknown[] = [];
      fast.send = (data: string) => onFast.push(data);
      fast.readyState = 'open';
      fast.emit('open');
      expect(pingChannel).toEqual([true]);
      expect(client.sendPing({ type: 'ping', id: 7, t0: 1 })).toBe(true);
      expect(onFast).toEqual([JSON.stringify({ type: 'ping', id: 7, t0: 1 })]);

      client.sendInput({ type: 'text', text: 'a' });
      expect(sent).toMatchObject([{ type: 'text', text: 'a', seq: 0 }]);
      expect(client.reportLatency([])).toBe(false);
      const sample = {
        seq: 0,
        kind: 'text',
        total: 10,
        segments: {
          uplink: 1,
          inject: 1,
          renderCapture: 1,
          encode: 1,
          network: 1,
          jitterBuffer: 1,
          decode: 1,
          render: 3,
        },
        residual: 0,
        syncError: 0.1,
        frameGap: 0,
      };
      expect(client.reportLatency([sample])).toBe(true);
      expect(server.received.find((m) => m.type === 'latency/report')).toEqual({
        type: 'latency/report',
        samples: [sample],
      });
      client.close();
      expect(pingChannel).toEqual([true, false]);
    });
  });

  describe('roles', () => {
    it('follows who has control, sends no input while watching, and moves control on request', async () => {
      const { server, client } = setup();
      server.answers['session/join'] = (m) => ({
        sessionId: m.sessionId,
        viewerId: 'me',
        routerRtpCapabilities: fakeParameters.generateRouterRtpCapabilities(),
        screen: { width: 390, height: 844, touch: true },
        role: 'viewer',
        canControl: true,
        controllerId: 'ann',
        controllerName: 'Ann',
        resumeToken: 'token-1',
      });
      server.answers['control/request'] = () => ({});
      const roles: unknown[] = [];
      client.on('role', (r) => roles.push(r));
      await client.join('sess-1');
      expect(client.role).toEqual({
        inControl: false,
        canControl: true,
        controllerId: 'ann',
        controllerName: 'Ann',
      });
      expect(client.sendInput({ type: 'text', text: 'x' })).toBe(false);
      expect(server.received.some((m) => m.type === 'input')).toBe(false);
      await client.requestControl();
      expect(server.types()).toContain('control/request');
      server.push({ type: 'control/changed', controllerId: 'me' });
      expect(client.role?.inControl).toBe(true);
      expect(client.sendInput({ type: 'text', text: 'x' })).toBe(true);
      // Requests reach only a controller.
      const asks: unknown[] = [];
      client.on('control-requested', (f) => asks.push(f));
      server.push({ type: 'control/requested', viewerId: 'bo', name: 'Bo' });
      expect(asks).toEqual([{ viewerId: 'bo', name: 'Bo' }]);
      expect(roles).toHaveLength(2);
      await client.leave();
      expect(client.role).toBeNull();
      client.close();
    });

    it("treats a server without roles as everyone's input counting", async () => {
      const { client } = setup();
      await client.join('sess-1');
      expect(client.role).toMatchObject({ inControl: true, canControl: true, controllerId: null });
      expect(client.sendInput({ type: 'text', text: 'x' })).toBe(true);
      client.close();
    });

    it('asks diagnose() why the socket would not open', async () => {
      const server = new FakeServer();
      server.open = false;
      const client = new StreamClient({
        url: 'ws://test/ws?token=t',
        socketFactory: server.factory,
        diagnose: async () => new ClientError('token-expired', 'expired'),
      });
      await expect(client.connect()).rejects.toMatchObject({ code: 'token-expired' });
      expect(client.state).toBe('failed');
      client.close();
    });
  });
});
