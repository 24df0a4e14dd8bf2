import { SEGMENTS, type Segment } from '@offload/protocol';

/**
 * The path of one input, cut into segments that partition input-to-photon: each ends where
 * the next begins, so they add up to the total by construction. Where a cut falls between
 * two clocks (client ↔ server), its position is only known to within the clock-sync error.
 */
export { SEGMENTS, type Segment };

export const SEGMENT_INFO: Record<Segment, { label: string; description: string }> = {
  uplink: {
    label: 'Uplink',
    description: 'client sends the input → server receives it (data channel through the SFU)',
  },
  inject: {
    label: 'Inject',
    description: 'server receives → the app dispatches its first DOM event (rate limit, CDP, browser input)',
  },
  renderCapture: {
    label: 'Render + capture',
    description: 'app handled the event → a captured frame shows it (app render, compositing, capture tick)',
  },
  encode: { label: 'Encode', description: 'frame captured → encoded (colour conversion, H.264/VP8)' },
  network: {
    label: 'Network',
    description:
      'encoded → client has the whole frame (packetize, to the SFU, forward, downlink, reassembly)',
  },
  jitterBuffer: { label: 'Jitter buffer', description: 'frame received → decoding starts' },
  decode: { label: 'Decode', description: 'decoding (requestVideoFrameCallback processingDuration)' },
  render: { label: 'Render', description: 'decoded → expected on screen (compositor, next vsync)' },
};

/** Server-side times of one input (server clock, epoch ms). */
export interface ServerInputTimes {
  receivedAt: number;
  appliedAt: number;
  capturedAt: number;
  encodedAt: number;
}

/** The presented frame that first showed the input's effect (client clock, epoch ms). */
export interface FrameTimes {
  receiveTime: number;
  presentationTime: number;
  expectedDisplayTime: number;
  /** Decode time (ms), if the browser reports it. */
  processingDuration?: number;
}

export interface LatencySample {
  seq: number;
  /** Input kind, e.g. "touch:start", "pointer:down", "key:down", "text". */
  kind: string;
  /** Client clock (epoch ms) when the input was sent. */
  sentAt: number;
  /** Input-to-photon (ms): sent → expected display time of the first frame showing its effect. */
  total: number;
  segments: Record<Segment, number>;
  /** total − Σ segments (ms). */
  residual: number;
  /** ± bound on where the client/server cuts (uplink/inject, encode/network) lie (ms). */
  syncError: number;
  /**
   * How much earlier the effect may have reached the screen (ms): 0 when the frame presented
   * just before this one is known not to show it; otherwise the time back to the latest frame
   * (or the send) known not to show it. Frames in that gap were presented without the page
   * reading them, which happens when the client's main thread is starved (a busy device):
   * photon time lies in [sentAt + total − frameGap, sentAt + total].
   */
  frameGap: number;
}

/**
 * Builds one sample. `offset` = server clock − client clock. The total needs no clock sync
 * (both ends are client times); only the uplink and network segments do.
 */
export function computeSample(
  input: { seq: number; kind: string; sentAt: number },
  server: ServerInputTimes,
  frame: FrameTimes,
  clock: { offset: number; errorBound: number },
  frameGap = 0,
): LatencySample {
  const toServer = (clientTime: number) => clientTime + clock.offset;
  const decode = frame.processingDuration ?? 0;
  const segments: Record<Segment, number> = {
    uplink: server.receivedAt - toServer(input.sentAt),
    inject: server.appliedAt - server.receivedAt,
    renderCapture: server.capturedAt - server.appliedAt,
    encode: server.encodedAt - server.capturedAt,
    network: toServer(frame.receiveTime) - server.encodedAt,
    jitterBuffer: frame.presentationTime - frame.receiveTime - decode,
    decode,
    render: frame.expectedDisplayTime - frame.presentationTime,
  };
  const total = frame.expectedDisplayTime - input.sentAt;
  const sum = Object.values(segments).reduce((a, b) => a + b, 0);
  return {
    seq: input.seq,
    kind: input.kind,
    sentAt: input.sentAt,
    total,
    segments,
    residual: total - sum,
    syncError: clock.errorBound,
    frameGap,
  };
}
