/*
 * The SDK's public types, written out so its declarations stand alone (a host page's project
 * needs neither zod nor our protocol package to type-check against them). Each must stay
 * exactly the protocol's (checked at compile time in typeChecks.ts): the schemas in
 * @offload/protocol/embed remain the one source of truth.
 */

/** Where the player stands. */
export type EmbedState =
  | 'idle'
  | 'connecting'
  | 'joining'
  | 'streaming'
  | 'reconnecting'
  | 'closed'
  | 'failed';

/** A failure as the player reports it: a machine-readable code and a text for people. */
export interface EmbedError {
  code: string;
  message: string;
}

/** Who controls the session. */
export interface EmbedControl {
  /** This player's participant holds control: its input reaches the app. */
  inControl: boolean;
  /** It may take, request or be granted control. */
  canControl: boolean;
  controllerId: string | null;
  controllerName?: string | undefined;
}

/** The latency monitor's recent input-to-photon figures (ms). */
export interface EmbedLatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  /** The segment furthest over its budget allowance (null with no verdict yet). */
  burnsMost: string | null;
  /** The player's budget verdict at p95 (e.g. cloud phone on wired), null before samples. */
  budget: { id: string; pass: boolean } | null;
}

/** Stream stats, as the player's status bar shows them. */
export interface EmbedStats {
  fps: number | null;
  framesDecoded: number;
  bitrateKbps: number | null;
  packetsLost: number;
  codec: string | null;
  /** Size of the app's picture as decoded. */
  width: number | null;
  height: number | null;
  jitterBufferMs: number | null;
  rttMs: number | null;
}

/** The session the player joined: ids and the app's screen; null when not joined. */
export type SessionDetails = {
  sessionId: string;
  viewerId: string;
  screen: { width: number; height: number; touch: boolean };
} | null;
