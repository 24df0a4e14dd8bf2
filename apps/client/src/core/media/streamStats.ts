import { videoFrameSize } from '@offload/latency';

/** What the status bar shows about the video, computed from consecutive getStats() reports. */
export interface StreamStats {
  /** Frames per second decoded (from `framesPerSecond`, else the framesDecoded delta). */
  fps: number | null;
  framesDecoded: number;
  /** Received bitrate over the last interval, kbit/s. */
  bitrateKbps: number | null;
  packetsLost: number;
  /** e.g. "video/H264". */
  codec: string | null;
  /** Size of the app's picture as decoded (the marker strip below it left out). */
  width: number | null;
  height: number | null;
  /** Average time a frame waited in the jitter buffer over the last interval, ms. */
  jitterBufferMs: number | null;
  /** ICE round-trip time of the selected candidate pair, ms. */
  rttMs: number | null;
}

/** The cumulative counters kept between two polls. */
export interface StatsSample {
  timestamp: number;
  bytesReceived: number;
  framesDecoded: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
}

type Stat = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Reads the inbound video stream, its codec and the selected candidate pair out of a
 * receiver's RTCStatsReport (anything iterable over stat objects works, for tests).
 */
export function computeStats(
  report: Iterable<unknown>,
  prev: StatsSample | null,
  /** The session's app screen: decoded frames hold it and the marker strip below it. */
  screen?: { width: number; height: number } | null,
): { stats: StreamStats; sample: StatsSample } | null {
  const byId = new Map<string, Stat>();
  for (const s of report) {
    const stat = s as Stat;
    if (stat && typeof stat.id === 'string') byId.set(stat.id, stat);
  }
  const inbound = [...byId.values()].find(
    (s) => s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video',
  );
  if (!inbound) return null;

  const sample: StatsSample = {
    timestamp: num(inbound.timestamp) ?? 0,
    bytesReceived: num(inbound.bytesReceived) ?? 0,
    framesDecoded: num(inbound.framesDecoded) ?? 0,
    jitterBufferDelay: num(inbound.jitterBufferDelay) ?? 0,
    jitterBufferEmittedCount: num(inbound.jitterBufferEmittedCount) ?? 0,
  };
  const dtMs = prev ? sample.timestamp - prev.timestamp : 0;
  const codecStat = typeof inbound.codecId === 'string' ? byId.get(inbound.codecId) : undefined;

  let fps = num(inbound.framesPerSecond) ?? null;
  if (fps === null && prev && dtMs > 0) fps = ((sample.framesDecoded - prev.framesDecoded) * 1000) / dtMs;

  let bitrateKbps: number | null = null;
  if (prev && dtMs > 0) bitrateKbps = ((sample.bytesReceived - prev.bytesReceived) * 8) / dtMs;

  // Per interval when possible: the lifetime average hides a buffer that just grew.
  const emitted = sample.jitterBufferEmittedCount - (prev?.jitterBufferEmittedCount ?? 0);
  const delay = sample.jitterBufferDelay - (prev?.jitterBufferDelay ?? 0);
  const jitterBufferMs = emitted > 0 ? (delay / emitted) * 1000 : null;

  return {
    sample,
    stats: {
      fps: fps === null ? null : Math.round(fps),
      framesDecoded: sample.framesDecoded,
      bitrateKbps: bitrateKbps === null ? null : Math.round(bitrateKbps),
      packetsLost: num(inbound.packetsLost) ?? 0,
      codec: typeof codecStat?.mimeType === 'string' ? codecStat.mimeType : null,
      width: num(inbound.frameWidth) ?? null,
      height: pictureHeight(num(inbound.frameHeight), screen),
      jitterBufferMs: jitterBufferMs === null ? null : Math.round(jitterBufferMs * 10) / 10,
      rttMs: selectedRttMs(byId),
    },
  };
}

/** The app's part of a decoded frame's height: the frame is the app screen plus the strip, scaled alike. */
function pictureHeight(
  frameHeight: number | undefined,
  screen: { width: number; height: number } | null | undefined,
) {
  if (frameHeight === undefined) return null;
  if (!screen) return frameHeight;
  return Math.round((frameHeight * screen.height) / videoFrameSize(screen).height);
}

function selectedRttMs(byId: Map<string, Stat>): number | null {
  const stats = [...byId.values()];
  const transport = stats.find(
    (s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string',
  );
  const pair =
    (transport ? byId.get(transport.selectedCandidatePairId as string) : undefined) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const rtt = num(pair?.currentRoundTripTime);
  return rtt === undefined ? null : Math.round(rtt * 1000 * 10) / 10;
}
