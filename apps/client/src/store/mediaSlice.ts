import type { StateCreator } from 'zustand/vanilla';
import type { StreamStats } from '../core/media/streamStats';
import type { OffloadStore } from './store';

export interface MediaSlice {
  media: {
    /** The remote stream is ready to attach to the video element. */
    streamReady: boolean;
    /** `video.play()` was refused: the user must tap to start playback. */
    autoplayBlocked: boolean;
    /** Latest stats (polled every second while streaming), or null. */
    stats: StreamStats | null;
  };
  setStreamReady(ready: boolean): void;
  setAutoplayBlocked(blocked: boolean): void;
  setStats(stats: StreamStats | null): void;
}

export const initialMedia: MediaSlice['media'] = { streamReady: false, autoplayBlocked: false, stats: null };

export const createMediaSlice: StateCreator<OffloadStore, [], [], MediaSlice> = (set) => ({
  media: initialMedia,
  setStreamReady: (streamReady) =>
    set((s) => ({ media: { ...s.media, streamReady, stats: streamReady ? s.media.stats : null } })),
  setAutoplayBlocked: (autoplayBlocked) => set((s) => ({ media: { ...s.media, autoplayBlocked } })),
  setStats: (stats) => set((s) => ({ media: { ...s.media, stats } })),
});
