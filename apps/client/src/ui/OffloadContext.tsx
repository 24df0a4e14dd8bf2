import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { StreamClient } from '../core/StreamClient';
import type { OffloadStore } from '../store/store';

interface OffloadContextValue {
  client: StreamClient;
  store: StoreApi<OffloadStore>;
}

const OffloadContext = createContext<OffloadContextValue | null>(null);

export function OffloadProvider({ client, store, children }: OffloadContextValue & { children: ReactNode }) {
  return <OffloadContext.Provider value={{ client, store }}>{children}</OffloadContext.Provider>;
}

function useOffloadContext(): OffloadContextValue {
  const value = useContext(OffloadContext);
  if (!value) throw new Error('Offload components must be rendered inside <OffloadProvider>');
  return value;
}

/** The StreamClient, to call its methods (never to read state: use useOffload). */
export function useClient(): StreamClient {
  return useOffloadContext().client;
}

/** The store API itself, for imperative reads in event handlers. */
export function useStoreApi(): StoreApi<OffloadStore> {
  return useOffloadContext().store;
}

/** Reads a slice of the store and re-renders when it changes. */
export function useOffload<T>(selector: (s: OffloadStore) => T): T {
  return useStore(useOffloadContext().store, selector);
}
