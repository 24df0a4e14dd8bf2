import type {
  Budget,
  BudgetVerdict,
  ClockEstimate,
  HistogramBucket,
  LatencySample,
  Segment,
  Summary,
} from '@offload/latency';
import type { ScreenInfo } from '@offload/protocol';
import type { StreamErrorInfo } from '../core/ClientError';
import type { LatencyCounts } from '../core/latency/LatencyMonitor';
import type { StreamStats } from '../core/media/streamStats';
import type { ConnectionState, ControlInfo, SessionInfo } from '../core/types';
import type { BudgetChoice } from './budgetStorage';

/*
 * The store's shape: one interface per slice, and the store they make together. The slices'
 * code (connectionSlice.ts…) imports these types; nothing here imports a slice.
 */

/** The whole store: every slice, and a reset. */
export type OffloadStore = ConnectionSlice & SessionSlice & MediaSlice & LatencySlice & { reset(): void };

export interface ConnectionSlice {
  connection: {
    state: ConnectionState;
    /** Set in `failed`, and in `closed` when the server ended the session. */
    error: StreamErrorInfo | null;
  };
  setConnection(state: ConnectionState, error: StreamErrorInfo | null): void;
}

export interface SessionSlice {
  session: {
    sessionId: string | null;
    viewerId: string | null;
    /** The app's screen (size in CSS px, touch or mouse), known once joined. */
    screen: ScreenInfo | null;
  };
  setSession(info: SessionInfo | null): void;
  // auth and roles
  /** Who controls the session (null when not joined). */
  control: ControlInfo | null;
  /** The latest participant asking this controller for control, until answered or control moves. */
  controlRequest: { viewerId: string; name?: string } | null;
  setControl(info: ControlInfo | null): void;
  setControlRequest(from: { viewerId: string; name?: string } | null): void;
}

export interface MediaSlice {
  media: {
    /** The remote stream is ready to attach to the video element. */
    streamReady: boolean;
    /** The stream carries the app's sound (an audio track beside the video). */
    hasAudio: boolean;
    /** `video.play()` was refused: the user must tap to start playback. */
    autoplayBlocked: boolean;
    /** Latest stats (polled every second while streaming), or null. */
    stats: StreamStats | null;
    /** The media element is muted (it starts so: browsers autoplay muted media only). */
    muted: boolean;
    /** Low-power mode: the low simulcast layer, stats polled every 5 s (see core/lowPower.ts). */
    lowPower: boolean;
    /** What of this device the app uses now (its camera, its microphone), lent when it asked. */
    lent: ('audio' | 'video')[];
  };
  setStreamReady(ready: boolean, hasAudio?: boolean): void;
  setAutoplayBlocked(blocked: boolean): void;
  setStats(stats: StreamStats | null): void;
  setMuted(muted: boolean): void;
  setLowPower(lowPower: boolean): void;
  setLent(lent: ('audio' | 'video')[]): void;
}

export interface LatencySummary {
  total: Summary;
  residual: Summary;
  segments: Record<Segment, Summary>;
}

export interface LatencyState {
  /** False with `?latency=0`: no monitor runs. */
  enabled: boolean;
  /** Recent samples, oldest first; a new array on every update. */
  samples: readonly LatencySample[];
  summary: LatencySummary;
  /** Totals over LATENCY_BUCKETS_MS (plus overflow). */
  histogram: HistogramBucket[];
  clock: ClockEstimate | null;
  counts: LatencyCounts | null;
  /** Chosen app budget and network profile ids (persisted). */
  choice: BudgetChoice;
  budget: Budget;
  /** p95s against the budget; null until there is a sample. */
  verdict: BudgetVerdict | null;
  hudVisible: boolean;
}

export interface LatencySlice {
  latency: LatencyState;
  setLatencyEnabled(enabled: boolean): void;
  /** New samples: recomputes summaries, histogram and verdict. */
  setLatencySamples(samples: readonly LatencySample[]): void;
  /** Clock estimate and counters only (cheap; no percentiles). */
  setLatencyStatus(status: { clock: ClockEstimate | null; counts: LatencyCounts | null }): void;
  setBudgetChoice(choice: Partial<BudgetChoice>): void;
  setHudVisible(visible: boolean): void;
  toggleHud(): void;
  resetLatency(): void;
}
