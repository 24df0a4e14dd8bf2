import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { LatencyMonitor } from '../core/latency/LatencyMonitor';
import type { StreamClient } from '../core/StreamClient';
import type { OffloadStore } from '../store/store';

interface OffloadContextValue {
  client: StreamClient;
  store: StoreApi<OffloadStore>;
  /** Null with `?latency=0`. */
  monitor?: LatencyMonitor | null;
}

const OffloadContext = createContext<OffloadContextValue | null>(null);

export function OffloadProvider({
  client,
  store,
  monitor = null,
  children,
}: OffloadContextValue & { children: ReactNode }) {
  const value = useMemo(() => ({ client, store, monitor }), [client, store, monitor]);
  return <OffloadContext.Provider value={value}>{children}</OffloadContext.Provider>;
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

/** The latency monitor, to attach the video to it; null when it is off. */
export function useLatencyMonitor(): LatencyMonitor | null {
  return useOffloadContext().monitor ?? null;
}

/** The store API itself, for imperative reads in event handlers. */
export function useStoreApi(): StoreApi<OffloadStore> {
  return useOffloadContext().store;
}

/** Reads a slice of the store and re-renders when it changes. */
export function useOffload<T>(selector: (s: OffloadStore) => T): T {
  return useStore(useOffloadContext().store, selector);
}
