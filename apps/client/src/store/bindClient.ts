import type { StoreApi } from 'zustand/vanilla';
import { computeStats, type StatsSample, type StreamStats } from '../core/media/streamStats';
import type { StreamClient } from '../core/StreamClient';
import type { OffloadStore } from './store';

export interface BindOptions {
  /** Stats poll period in ms. Default 1000. */
  statsIntervalMs?: number;
}

export interface ClientBinding {
  /** Reads the receiver's stats now (not at the next poll), stores and returns them; null before any video. */
  refreshStats(): Promise<StreamStats | null>;
  unbind(): void;
}

/**
 * Mirrors a StreamClient into the store: state, session, stream readiness, and stats polled
 * while streaming; and the store's mute switch into the client (whether it receives the sound).
 */
export function bindClientToStore(
  client: StreamClient,
  store: StoreApi<OffloadStore>,
  { statsIntervalMs = 1000 }: BindOptions = {},
): ClientBinding {
  const s = () => store.getState();
  s().setConnection(client.state, client.error?.toInfo() ?? null);
  s().setSession(client.session);
  s().setControl(client.role);
  s().setStreamReady(client.tracks.length > 0);

  let soundDecided = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let sample: StatsSample | null = null;
  const poll = async () => {
    const report = await client.getVideoStats().catch(() => null);
    if (!report || timer === null) return;
    const result = computeStats(report.values(), sample, client.session?.screen);
    if (!result) return;
    sample = result.sample;
    s().setStats(result.stats);
  };
  const stopPolling = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    sample = null;
  };

  // The player unmuted is the viewer listening: only then does the server send the sound.
  client.setSound(!s().media.muted);
  const offs = [
    store.subscribe((now, before) => {
      if (now.media.muted !== before.media.muted) client.setSound(!now.media.muted);
    }),
    client.on('state', (state, error) => {
      s().setConnection(state, error?.toInfo() ?? null);
      if (state === 'streaming' && timer === null) {
        timer = setInterval(() => void poll(), statsIntervalMs);
        void poll();
      } else if (state !== 'streaming') stopPolling();
    }),
    client.on('session', (info) => s().setSession(info)),
    client.on('role', (info) => s().setControl(info)),
    client.on('control-requested', (from) => s().setControlRequest(from)),
    client.on('capture', (kinds) => s().setLent(kinds)),
    client.on('tracks', (tracks) => {
      const hasAudio = tracks.some((t) => t.kind === 'audio');
      // Sound on from the start where the browser allows it: the user already interacted with
      // this page (e.g. opened the session from the start page). Otherwise it starts muted,
      // and the player shows an Unmute button.
      // Decided once: what the user chose later holds across resumes.
      if (hasAudio && !soundDecided) {
        soundDecided = true;
        if (globalThis.navigator?.userActivation?.hasBeenActive) s().setMuted(false);
      }
      s().setStreamReady(tracks.length > 0, hasAudio);
      if (tracks.length === 0) s().setAutoplayBlocked(false);
    }),
  ];
  return {
    async refreshStats() {
      await poll();
      return s().media.stats;
    },
    unbind() {
      stopPolling();
      for (const off of offs) off();
    },
  };
}
