import type { StateCreator } from 'zustand/vanilla';
import type { OffloadStore, SessionSlice } from './types';

export const initialSession: SessionSlice['session'] = { sessionId: null, viewerId: null, screen: null };

export const createSessionSlice: StateCreator<OffloadStore, [], [], SessionSlice> = (set) => ({
  session: initialSession,
  setSession: (info) => set({ session: info ? { ...info } : initialSession }),
  control: null,
  controlRequest: null,
  // A request is moot once control moved (granted, or this participant lost it).
  setControl: (info) => set({ control: info ? { ...info } : null, controlRequest: null }),
  setControlRequest: (from) => set({ controlRequest: from }),
});
