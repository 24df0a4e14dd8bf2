import { EMBED_PROTOCOL } from '@offload/protocol/embed';
import { describe, expect, it, vi } from 'vitest';
import { ClientError } from '../core/ClientError';
import { createOffloadStore } from '../store/store';
import { EmbedBridge, type EmbedBridgeOptions } from './EmbedBridge';
import { embedParentOrigin } from './parentOrigin';

const PARENT = 'https://shop.example';

function setUp(overrides: Partial<EmbedBridgeOptions> = {}) {
  const posted: { message: Record<string, unknown>; origin: string }[] = [];
  const host = {
    postMessage: (message: unknown, origin: string) =>
      posted.push({ message: message as Record<string, unknown>, origin }),
  };
  let listener: ((e: MessageEvent) => void) | undefined;
  const self = {
    addEventListener: (_t: string, l: EventListener) => {
      listener = l as (e: MessageEvent) => void;
    },
    removeEventListener: () => {
      listener = undefined;
    },
  } as unknown as EmbedBridgeOptions['self'];
  const store = createOffloadStore({ storage: null });
  const client = {
    join: vi.fn(async () => {}),
    leave: vi.fn(async () => {}),
    takeControl: vi.fn(async () => {}),
    requestControl: vi.fn(async () => {}),
    releaseControl: vi.fn(async () => {}),
    sendInput: vi.fn(() => true),
    requestKeyFrame: vi.fn(),
    setQualityCap: vi.fn(async () => {}),
  };
  const tokens: string[] = [];
  const bridge = new EmbedBridge({
    host,
    self,
    parentOrigin: PARENT,
    client,
    store,
    sessionId: 'sess',
    setToken: (t) => {
      tokens.push(t);
      return true;
    },
    playerVersion: '0.1.0',
    refreshStats: async () => store.getState().media.stats,
    latencyIntervalMs: 0,
    ...overrides,
  });
  let nextId = 1;
  /** Posts a command as the parent would; resolves with the player's result. */
  const send = async (command: Record<string, unknown>, from: { origin?: string; source?: unknown } = {}) => {
    const id = nextId++;
    listener?.({
      data: { protocol: EMBED_PROTOCOL, v: 1, kind: 'command', id, command },
      origin: from.origin ?? PARENT,
      source: 'source' in from ? from.source : host,
    } as unknown as MessageEvent);
    await new Promise((r) => setTimeout(r, 0));
    return posted.map((p) => p.message).find((m) => m.kind === 'result' && m.id === id);
  };
  const events = (type?: string) =>
    posted
      .map((p) => p.message)
      .filter((m) => m.kind === 'event')
      .map((m) => m.event as Record<string, unknown>)
      .filter((e) => !type || e.type === type);
  return {
    bridge,
    store,
    client,
    posted,
    send,
    events,
    tokens,
    hasListener: () => !!listener,
    deliverRaw: (e: unknown) => listener?.(e as MessageEvent),
    fromParent: (data: unknown) =>
      listener?.({ data, origin: PARENT, source: host } as unknown as MessageEvent),
  };
}

const joinedAs = (store: ReturnType<typeof createOffloadStore>, inControl: boolean) => {
  store
    .getState()
    .setSession({ sessionId: 'sess', viewerId: 'v1', screen: { width: 390, height: 844, touch: true } });
  store.getState().setControl({ inControl, canControl: true, controllerId: inControl ? 'v1' : null });
};

describe('EmbedBridge', () => {
  it('says ready and where things stand, to the parent origin only', () => {
    const t = setUp();
    expect(t.posted[0]).toEqual({
      message: { protocol: EMBED_PROTOCOL, v: 1, kind: 'ready', playerVersion: '0.1.0' },
      origin: PARENT,
    });
    expect(t.events('state')).toEqual([{ type: 'state', state: 'idle', error: null }]);
    expect(new Set(t.posted.map((p) => p.origin))).toEqual(new Set([PARENT]));
  });

  it('connect hands over the token, then joins the URL session', async () => {
    const t = setUp();
    expect(await t.send({ type: 'connect', token: 'tok' })).toMatchObject({ ok: true });
    expect(t.tokens).toEqual(['tok']);
    expect(t.client.join).toHaveBeenCalledWith('sess');
  });

  it('refuses a new token once a socket is open, with a typed error', async () => {
    const t = setUp({ setToken: () => false });
    expect(await t.send({ type: 'connect', token: 'other' })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    expect(t.client.join).not.toHaveBeenCalled();
  });

  it('passes the client’s failure code back', async () => {
    const t = setUp();
    t.client.join.mockRejectedValueOnce(new ClientError('unauthorized', 'bad token'));
    expect(await t.send({ type: 'connect' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('send-text needs a session and control, then sends a text input', async () => {
    const t = setUp();
    expect(await t.send({ type: 'send-text', text: 'hi' })).toMatchObject({
      error: { code: 'not-connected' },
    });
    joinedAs(t.store, false);
    expect(await t.send({ type: 'send-text', text: 'hi' })).toMatchObject({
      error: { code: 'not-controller' },
    });
    joinedAs(t.store, true);
    expect(await t.send({ type: 'send-text', text: 'hi' })).toMatchObject({ ok: true });
    expect(t.client.sendInput).toHaveBeenCalledWith({ type: 'text', text: 'hi' });
  });

  it('runs control, quality, keyframe and mute commands; rotate is unsupported', async () => {
    const t = setUp();
    joinedAs(t.store, false);
    expect(await t.send({ type: 'take-control' })).toMatchObject({ ok: true });
    expect(t.client.takeControl).toHaveBeenCalled();
    expect(await t.send({ type: 'set-quality', cap: 'low' })).toMatchObject({ ok: true });
    expect(t.client.setQualityCap).toHaveBeenCalledWith('low');
    expect(await t.send({ type: 'request-keyframe' })).toMatchObject({ ok: true });
    expect(t.client.requestKeyFrame).toHaveBeenCalled();
    expect(await t.send({ type: 'unmute' })).toMatchObject({ ok: true });
    expect(t.store.getState().media.muted).toBe(false);
    expect(t.events('muted')).toEqual([{ type: 'muted', muted: false }]);
    expect(await t.send({ type: 'rotate', orientation: 'landscape' })).toMatchObject({
      error: { code: 'unsupported' },
    });
  });

  it('answers malformed commands with bad-command and other versions with incompatible-protocol', async () => {
    const t = setUp();
    expect(await t.send({ type: 'format-disk' })).toMatchObject({
      ok: false,
      error: { code: 'bad-command' },
    });
    expect(await t.send({ type: 'send-text', text: 'x'.repeat(5000) })).toMatchObject({
      error: { code: 'bad-command' },
    });
    t.fromParent({ protocol: EMBED_PROTOCOL, v: 7, kind: 'command', id: 99, command: { type: 'teleport' } });
    expect(t.posted.at(-1)?.message).toMatchObject({
      kind: 'result',
      id: 99,
      ok: false,
      error: { code: 'incompatible-protocol' },
    });
  });

  it('ignores other origins, other windows and other protocols', async () => {
    const t = setUp();
    expect(await t.send({ type: 'take-control' }, { origin: 'https://evil.example' })).toBeUndefined();
    expect(await t.send({ type: 'take-control' }, { source: {} })).toBeUndefined();
    t.deliverRaw({ data: { type: 'take-control' }, origin: PARENT, source: undefined });
    expect(t.client.takeControl).not.toHaveBeenCalled();
  });

  it('turns store changes into events: state + error, session, control, stats, latency', () => {
    const t = setUp();
    t.store.getState().setConnection('failed', { code: 'session-not-found', message: 'gone' });
    expect(t.events('state').at(-1)).toEqual({
      type: 'state',
      state: 'failed',
      error: { code: 'session-not-found', message: 'gone' },
    });
    expect(t.events('error')).toEqual([
      { type: 'error', error: { code: 'session-not-found', message: 'gone' } },
    ]);
    joinedAs(t.store, true);
    expect(t.events('session').at(-1)).toMatchObject({ session: { sessionId: 'sess', viewerId: 'v1' } });
    expect(t.events('control').at(-1)).toMatchObject({ control: { inControl: true } });
    t.store.getState().setStats({
      fps: 30,
      framesDecoded: 10,
      bitrateKbps: 900,
      packetsLost: 0,
      codec: 'video/H264',
      width: 390,
      height: 844,
      jitterBufferMs: 1,
      rttMs: 1,
    });
    expect(t.events('stats')).toHaveLength(1);
    t.bridge.close();
    t.store.getState().setConnection('streaming', null);
    expect(t.events('state').at(-1)).toMatchObject({ state: 'failed' });
    expect(t.hasListener()).toBe(false);
  });
});

describe('embedParentOrigin', () => {
  const parse = (v: string | null) => (v?.startsWith('https://') ? v : null);
  it('takes ?parent= when it is the origin that frames the page', () => {
    expect(embedParentOrigin(PARENT, [PARENT], parse)).toBe(PARENT);
    expect(embedParentOrigin(PARENT, undefined, parse)).toBe(PARENT);
    expect(embedParentOrigin(PARENT, ['https://evil.example'], parse)).toBeNull();
    expect(embedParentOrigin('nonsense', [PARENT], parse)).toBeNull();
    expect(embedParentOrigin(null, [PARENT], parse)).toBeNull();
  });
});
