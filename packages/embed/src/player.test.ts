import { EMBED_PROTOCOL } from '@offload/protocol/embed';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OffloadEmbedError } from './errors.js';
import { type HostWindow, OffloadPlayer, type PlayerOptions, playerUrl } from './player.js';

const SERVER = 'https://offload.example.com';
const HOST_ORIGIN = 'https://shop.example';

/** A host window and a player frame that record what is posted, and let the test post back. */
function setUp(options: Partial<PlayerOptions> = {}) {
  let listener: ((e: MessageEvent) => void) | undefined;
  const host: HostWindow = {
    location: { origin: HOST_ORIGIN },
    addEventListener: (_t, l) => {
      listener = l;
    },
    removeEventListener: () => {
      listener = undefined;
    },
  };
  const sent: { message: Record<string, unknown>; origin: string }[] = [];
  const frameWindow = {
    postMessage: (message: unknown, origin: string) =>
      sent.push({ message: message as Record<string, unknown>, origin }),
  };
  const frame = { contentWindow: frameWindow };
  let destroyed = 0;
  const player = new OffloadPlayer(
    frame,
    { server: SERVER, session: 's1', ...options },
    host,
    () => destroyed++,
  );
  /** A message as if posted by `source` at `origin` (default: the player frame, at the server's origin). */
  const deliver = (data: Record<string, unknown>, from: { source?: unknown; origin?: string } = {}) =>
    listener?.({
      data: { protocol: EMBED_PROTOCOL, v: 1, ...data },
      origin: from.origin ?? 'https://offload.example.com',
      source: 'source' in from ? from.source : frameWindow,
    } as unknown as MessageEvent);
  const commands = () => sent.map((s) => s.message).filter((m) => m.kind === 'command');
  const answer = (ok: boolean, extra: Record<string, unknown> = {}) => {
    const last = commands().at(-1)!;
    deliver({ kind: 'result', id: last.id, ok, ...extra });
  };
  return {
    player,
    deliver,
    sent,
    commands,
    answer,
    destroyedCount: () => destroyed,
    hasListener: () => !!listener,
  };
}

afterEach(() => vi.useRealTimers());

describe('playerUrl', () => {
  it('asks for the player only, names the host, and never carries the token', () => {
    const url = playerUrl({ server: `${SERVER}/offload`, session: 'abc', token: 'secret' }, HOST_ORIGIN);
    expect(url.origin).toBe(SERVER);
    expect(url.pathname).toBe('/offload/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      session: 'abc',
      embed: '1',
      parent: HOST_ORIGIN,
      autoconnect: '0',
    });
    expect(url.href).not.toContain('secret');
    expect(
      playerUrl({ server: SERVER, session: 'a', latency: false }, HOST_ORIGIN).searchParams.get('latency'),
    ).toBe('0');
    expect(() => playerUrl({ server: 'offload.example.com', session: 'a' }, HOST_ORIGIN)).toThrow(
      /server's URL/,
    );
    expect(() => playerUrl({ server: 'ftp://x', session: 'a' }, HOST_ORIGIN)).toThrow(/http/);
  });
});

describe('OffloadPlayer', () => {
  it('queues commands until ready, then connects on its own with the token', async () => {
    const t = setUp({ token: 'tok' });
    const take = t.player.takeControl();
    expect(t.sent).toHaveLength(0);
    const ready = vi.fn();
    t.player.on('ready', ready);
    t.deliver({ kind: 'ready', playerVersion: '0.1.0' });
    expect(ready).toHaveBeenCalledWith({ playerVersion: '0.1.0' });
    const [first, second] = t.commands();
    expect(first).toMatchObject({ kind: 'command', command: { type: 'take-control' } });
    expect(second).toMatchObject({ kind: 'command', command: { type: 'connect', token: 'tok' } });
    // Posted to the server's origin only.
    expect(new Set(t.sent.map((s) => s.origin))).toEqual(new Set([SERVER]));
    t.deliver({ kind: 'result', id: first!.id, ok: true });
    await expect(take).resolves.toBeNull();
  });

  it('does not connect by itself with autoConnect: false', () => {
    const t = setUp({ autoConnect: false });
    t.deliver({ kind: 'ready', playerVersion: '0.1.0' });
    expect(t.commands()).toHaveLength(0);
  });

  it('rejects a failed command with its typed code', async () => {
    const t = setUp({ autoConnect: false });
    t.deliver({ kind: 'ready', playerVersion: '0.1.0' });
    const p = t.player.sendText('hello');
    t.answer(false, { error: { code: 'not-controller', message: 'take control first' } });
    await expect(p).rejects.toMatchObject({ name: 'OffloadEmbedError', code: 'not-controller' });
  });

  it('keeps state from events and passes them on', () => {
    const t = setUp({ autoConnect: false });
    const states: unknown[] = [];
    const errors: OffloadEmbedError[] = [];
    t.player.on('state', (s, e) => states.push([s, e]));
    t.player.on('error', (e) => errors.push(e));
    t.deliver({ kind: 'event', event: { type: 'state', state: 'streaming', error: null } });
    t.deliver({
      kind: 'event',
      event: { type: 'control', control: { inControl: true, canControl: true, controllerId: 'v1' } },
    });
    t.deliver({
      kind: 'event',
      event: { type: 'error', error: { code: 'session-closed', message: 'ended' } },
    });
    t.deliver({ kind: 'event', event: { type: 'muted', muted: false } });
    expect(t.player.state).toBe('streaming');
    expect(t.player.control?.inControl).toBe(true);
    expect(t.player.muted).toBe(false);
    expect(states).toEqual([['streaming', null]]);
    expect(errors.map((e) => e.code)).toEqual(['session-closed']);
  });

  it('hears only its own frame at the server origin, and ignores anything malformed', () => {
    const t = setUp({ autoConnect: false });
    const states: unknown[] = [];
    t.player.on('state', (s) => states.push(s));
    const streaming = { kind: 'event', event: { type: 'state', state: 'streaming', error: null } };
    t.deliver(streaming, { origin: 'https://evil.example' });
    t.deliver(streaming, { source: {} });
    t.deliver(streaming, { source: null });
    t.deliver({ kind: 'event', event: { type: 'state', state: 'pwned', error: null } });
    t.deliver({ kind: 'ready' }); // no version: invalid
    expect(states).toEqual([]);
    expect(t.player.ready).toBe(false);
    t.deliver(streaming);
    expect(states).toEqual(['streaming']);
  });

  it('fails everything pending when another protocol version answers', async () => {
    const t = setUp({ autoConnect: false });
    const p = t.player.getStats();
    const errors: string[] = [];
    t.player.on('error', (e) => errors.push(e.code));
    t.deliver({ v: 2, kind: 'ready', playerVersion: '9' });
    await expect(p).rejects.toMatchObject({ code: 'incompatible-protocol' });
    expect(errors).toEqual(['incompatible-protocol']);
  });

  it('says player-unreachable when the player never loads (e.g. its server refuses this origin)', async () => {
    vi.useFakeTimers();
    const t = setUp({ readyTimeoutMs: 1000 });
    const errors: OffloadEmbedError[] = [];
    t.player.on('error', (e) => errors.push(e));
    const ready = t.player.whenReady();
    const cmd = t.player.takeControl();
    vi.advanceTimersByTime(1001);
    await expect(ready).rejects.toMatchObject({ code: 'player-unreachable' });
    await expect(cmd).rejects.toMatchObject({ code: 'player-unreachable' });
    expect(errors[0]?.message).toContain('OFFLOAD_ALLOWED_ORIGINS');
    expect(errors[0]?.message).toContain(HOST_ORIGIN);
  });

  it('times a command out when the player does not answer', async () => {
    vi.useFakeTimers();
    const t = setUp({ autoConnect: false, commandTimeoutMs: 500 });
    t.deliver({ kind: 'ready', playerVersion: '0.1.0' });
    const p = t.player.requestKeyFrame();
    vi.advanceTimersByTime(501);
    await expect(p).rejects.toMatchObject({ code: 'request-timeout' });
  });

  it('destroy() rejects what is pending, stops listening and removes the frame', async () => {
    const t = setUp({ autoConnect: false });
    const p = t.player.getStats();
    t.player.destroy();
    t.player.destroy();
    await expect(p).rejects.toMatchObject({ code: 'player-destroyed' });
    await expect(t.player.mute()).rejects.toMatchObject({ code: 'player-destroyed' });
    expect(t.hasListener()).toBe(false);
    expect(t.destroyedCount()).toBe(1);
  });
});
