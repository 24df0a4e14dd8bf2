import type { InputEventInit } from '@offload/protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * An input event as capture builds it: the protocol's `InputEventInit` before the sender
 * stamps `seq` and `ts` (stamped at send time so coalesced moves carry the time they left).
 */
export type InputDraft = DistributiveOmit<InputEventInit, 'seq' | 'ts'>;
