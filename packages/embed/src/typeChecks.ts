import type * as protocol from '@offload/protocol/embed';
import type * as sdk from './types.js';

/*
 * The SDK's written-out public types are the protocol's, both ways: `tsc -b` fails here when
 * a schema in @offload/protocol/embed changes and types.ts does not follow. Not part of the
 * SDK's API (nothing imports this file).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type SessionEvent = Extract<protocol.EmbedEvent, { type: 'session' }>['session'];

export type ProtocolChecks = [
  Assert<Same<sdk.EmbedState, protocol.EmbedState>>,
  Assert<Same<sdk.EmbedError, protocol.EmbedError>>,
  Assert<Same<sdk.EmbedControl, protocol.EmbedControl>>,
  Assert<Same<sdk.EmbedLatencySummary, protocol.EmbedLatencySummary>>,
  Assert<Same<sdk.EmbedStats, protocol.EmbedStats>>,
  Assert<Same<sdk.SessionDetails, SessionEvent>>,
];
