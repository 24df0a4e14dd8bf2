import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamClient } from '../core/StreamClient';
import { bindClientToStore } from './bindClient';
import { createOffloadStore } from './store';

/** The parts of a StreamClient the binding reads, with a way to emit its events. */
function fakeClient() {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const client = {
    state: 'idle',
    error: null,
    session: null,
    role: null,
    tracks: [],
    sound: [] as boolean[],
    setSound(on: boolean) {
      this.sound.push(on);
    },
    getVideoStats: async () => null,
    on(event: string, cb: (...args: unknown[]) => void) {
      handlers.set(event, cb);
      return () => handlers.delete(event);
    },
  };
  const emit = (event: string, ...args: unknown[]) => handlers.get(event)?.(...args);
  return { client: client as unknown as StreamClient, emit, sound: client.sound };
}

const track = (kind: string) => ({ kind }) as MediaStreamTrack;

describe('bindClientToStore: sound', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('knows when the stream carries sound, and keeps it muted where the page had no gesture', () => {
    vi.stubGlobal('navigator', { userActivation: { hasBeenActive: false } });
    const store = createOffloadStore();
    const { client, emit } = fakeClient();
    bindClientToStore(client, store);
    emit('tracks', [track('video')]);
    expect(store.getState().media).toMatchObject({ streamReady: true, hasAudio: false, muted: true });
    emit('tracks', [track('video'), track('audio')]);
    expect(store.getState().media).toMatchObject({ hasAudio: true, muted: true });
    emit('tracks', []);
    expect(store.getState().media).toMatchObject({ streamReady: false, hasAudio: false });
  });

  it('turns the sound on at once where the user already interacted with the page', () => {
    vi.stubGlobal('navigator', { userActivation: { hasBeenActive: true } });
    const store = createOffloadStore();
    const { client, emit } = fakeClient();
    bindClientToStore(client, store);
    emit('tracks', [track('video'), track('audio')]);
    expect(store.getState().media).toMatchObject({ hasAudio: true, muted: false });
    // Muted by the user (or the host), it stays so when the tracks come again (a resume).
    store.getState().setMuted(true);
    emit('tracks', []);
    emit('tracks', [track('video'), track('audio')]);
    expect(store.getState().media.muted).toBe(true);
  });

  it('tells the client whether the viewer listens: the server sends the sound only then', () => {
    vi.stubGlobal('navigator', { userActivation: { hasBeenActive: false } });
    const store = createOffloadStore();
    const { client, emit, sound } = fakeClient();
    const binding = bindClientToStore(client, store);
    emit('tracks', [track('video'), track('audio')]);
    expect(sound).toEqual([false]);
    store.getState().setMuted(false);
    store.getState().setMuted(true);
    expect(sound).toEqual([false, true, false]);
    binding.unbind();
    store.getState().setMuted(false);
    expect(sound).toEqual([false, true, false]);
  });
});
