import { createStore, type StoreApi } from 'zustand/vanilla';
import { browserStorage, type KeyValueStorage } from './budgetStorage';
import { type ConnectionSlice, createConnectionSlice, initialConnection } from './connectionSlice';
import { createLatencySlice, type LatencySlice } from './latencySlice';
import { createMediaSlice, initialMedia, type MediaSlice } from './mediaSlice';
import { createSessionSlice, initialSession, type SessionSlice } from './sessionSlice';

export type OffloadStore = ConnectionSlice & SessionSlice & MediaSlice & LatencySlice & { reset(): void };

export interface OffloadStoreOptions {
  /** Where the latency budget choice is kept. Default: localStorage when available. */
  storage?: KeyValueStorage | null;
}

/** A fresh store (vanilla: the core binds to it without React; the UI reads it with hooks). */
export function createOffloadStore({
  storage = browserStorage(),
}: OffloadStoreOptions = {}): StoreApi<OffloadStore> {
  return createStore<OffloadStore>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createSessionSlice(...a),
    ...createMediaSlice(...a),
    ...createLatencySlice(storage)(...a),
    reset: () => {
      a[0]({
        connection: initialConnection,
        session: initialSession,
        media: initialMedia,
        control: null,
        controlRequest: null,
      });
      a[1]().resetLatency();
    },
  }));
}
