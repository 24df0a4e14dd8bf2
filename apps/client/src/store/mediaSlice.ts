import type { StateCreator } from 'zustand/vanilla';
import type { MediaSlice, OffloadStore } from './types';

export const initialMedia: MediaSlice['media'] = {
  streamReady: false,
  hasAudio: false,
  autoplayBlocked: false,
  stats: null,
  muted: true,
  lowPower: false,
  lent: [],
};

export const createMediaSlice: StateCreator<OffloadStore, [], [], MediaSlice> = (set) => ({
  media: initialMedia,
  setStreamReady: (streamReady, hasAudio = false) =>
    set((s) => ({
      media: { ...s.media, streamReady, hasAudio, stats: streamReady ? s.media.stats : null },
    })),
  setAutoplayBlocked: (autoplayBlocked) => set((s) => ({ media: { ...s.media, autoplayBlocked } })),
  setStats: (stats) => set((s) => ({ media: { ...s.media, stats } })),
  setMuted: (muted) => set((s) => ({ media: { ...s.media, muted } })),
  setLowPower: (lowPower) => set((s) => ({ media: { ...s.media, lowPower } })),
  setLent: (lent) => set((s) => ({ media: { ...s.media, lent } })),
});
