import type { ScreenInfo } from '@offload/protocol';
import type { StateCreator } from 'zustand/vanilla';
import type { ControlInfo, SessionInfo } from '../core/StreamClient';
import type { OffloadStore } from './store';

export interface SessionSlice {
  session: {
    sessionId: string | null;
    viewerId: string | null;
    /** The app's screen (size in CSS px, touch or mouse), known once joined. */
    screen: ScreenInfo | null;
  };
  setSession(info: SessionInfo | null): void;
  // auth and roles
  /** Who controls the session (null when not joined). */
  control: ControlInfo | null;
  /** The latest participant asking this controller for control, until answered or control moves. */
  controlRequest: { viewerId: string; name?: string } | null;
  setControl(info: ControlInfo | null): void;
  setControlRequest(from: { viewerId: string; name?: string } | null): void;
}

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
