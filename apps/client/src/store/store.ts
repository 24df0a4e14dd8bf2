import { createStore, type StoreApi } from 'zustand/vanilla';
import { type ConnectionSlice, createConnectionSlice, initialConnection } from './connectionSlice';
import { createMediaSlice, initialMedia, type MediaSlice } from './mediaSlice';
import { createSessionSlice, initialSession, type SessionSlice } from './sessionSlice';

export type OffloadStore = ConnectionSlice & SessionSlice & MediaSlice & { reset(): void };

/** A fresh store (vanilla: the core binds to it without React; the UI reads it with hooks). */
export function createOffloadStore(): StoreApi<OffloadStore> {
  return createStore<OffloadStore>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createSessionSlice(...a),
    ...createMediaSlice(...a),
    reset: () => a[0]({ connection: initialConnection, session: initialSession, media: initialMedia }),
  }));
}
