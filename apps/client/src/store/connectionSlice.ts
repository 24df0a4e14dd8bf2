import type { StateCreator } from 'zustand/vanilla';
import type { ConnectionSlice, OffloadStore } from './types';

export const initialConnection: ConnectionSlice['connection'] = { state: 'idle', error: null };

export const createConnectionSlice: StateCreator<OffloadStore, [], [], ConnectionSlice> = (set) => ({
  connection: initialConnection,
  setConnection: (state, error) => set({ connection: { state, error } }),
});
