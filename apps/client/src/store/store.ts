import { createStore, type StoreApi } from 'zustand/vanilla';
import { browserStorage, type KeyValueStorage } from './budgetStorage';
import { createConnectionSlice, initialConnection } from './connectionSlice';
import { createLatencySlice } from './latencySlice';
import { createMediaSlice, initialMedia } from './mediaSlice';
import { createSessionSlice, initialSession } from './sessionSlice';
import type { OffloadStore } from './types';

export type { OffloadStore } from './types';

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
