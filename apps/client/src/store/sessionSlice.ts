import type { ScreenInfo } from '@offload/protocol';
import type { StateCreator } from 'zustand/vanilla';
import type { SessionInfo } from '../core/StreamClient';
import type { OffloadStore } from './store';

export interface SessionSlice {
  session: {
    sessionId: string | null;
    viewerId: string | null;
    /** The app's screen (size in CSS px, touch or mouse), known once joined. */
    screen: ScreenInfo | null;
  };
  setSession(info: SessionInfo | null): void;
}

export const initialSession: SessionSlice['session'] = { sessionId: null, viewerId: null, screen: null };

export const createSessionSlice: StateCreator<OffloadStore, [], [], SessionSlice> = (set) => ({
  session: initialSession,
  setSession: (info) => set({ session: info ? { ...info } : initialSession }),
});
