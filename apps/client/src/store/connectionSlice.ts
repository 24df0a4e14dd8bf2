import type { StateCreator } from 'zustand/vanilla';
import type { StreamErrorInfo } from '../core/ClientError';
import type { ConnectionState } from '../core/StreamClient';
import type { OffloadStore } from './store';

export interface ConnectionSlice {
  connection: {
    state: ConnectionState;
    /** Set in `failed`, and in `closed` when the server ended the session. */
    error: StreamErrorInfo | null;
  };
  setConnection(state: ConnectionState, error: StreamErrorInfo | null): void;
}

export const initialConnection: ConnectionSlice['connection'] = { state: 'idle', error: null };

export const createConnectionSlice: StateCreator<OffloadStore, [], [], ConnectionSlice> = (set) => ({
  connection: initialConnection,
  setConnection: (state, error) => set({ connection: { state, error } }),
});
