import { describe, expect, it } from 'vitest';
import { createOffloadStore } from './store';

describe('offload store', () => {
  it('starts idle and resets', () => {
    const store = createOffloadStore();
    const s = store.getState();
    expect(s.connection).toEqual({ state: 'idle', error: null });
    s.setConnection('failed', { code: 'server-unreachable', message: 'x' });
    s.setSession({ sessionId: 'a', viewerId: 'v', screen: { width: 1, height: 2, touch: false } });
    s.setStreamReady(true);
    s.setAutoplayBlocked(true);
    expect(store.getState().session.sessionId).toBe('a');
    expect(store.getState().media).toMatchObject({ streamReady: true, autoplayBlocked: true });
    store.getState().reset();
    expect(store.getState().connection.state).toBe('idle');
    expect(store.getState().session.screen).toBeNull();
    expect(store.getState().media).toEqual({
      streamReady: false,
      hasAudio: false,
      autoplayBlocked: false,
      stats: null,
      muted: true,
      lowPower: false,
      lent: [],
    });
  });

  it('replaces slice objects instead of mutating them', () => {
    const store = createOffloadStore();
    const before = store.getState().media;
    store.getState().setAutoplayBlocked(true);
    expect(store.getState().media).not.toBe(before);
    expect(before.autoplayBlocked).toBe(false);
  });

  it('drops stats when the stream stops', () => {
    const store = createOffloadStore();
    const s = store.getState();
    s.setStreamReady(true);
    s.setStats({
      fps: 60,
      framesDecoded: 1,
      bitrateKbps: 1,
      packetsLost: 0,
      codec: 'video/H264',
      width: 1,
      height: 1,
      jitterBufferMs: 0,
      rttMs: 1,
    });
    s.setStreamReady(false);
    expect(store.getState().media.stats).toBeNull();
  });
});
