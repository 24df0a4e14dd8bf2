import type { types } from 'mediasoup';

export type VideoCodecName = 'h264' | 'vp8';

/**
 * What the router offers. H.264 constrained baseline level 3.1 covers 720x1280@30 (3600
 * macroblocks), decodes in hardware almost everywhere and costs 4–6 ms per 720p frame with
 * x264 ultrafast; VP8 is there for clients without H.264.
 */
/** What the router and its consumers negotiate: retransmission, keyframe requests, congestion control. */
const VIDEO_RTCP_FEEDBACK: types.RtcpFeedback[] = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
  { type: 'transport-cc' },
];

export const ROUTER_CODECS: Record<VideoCodecName, types.RtpCodecCapability> = {
  h264: {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
    rtcpFeedback: VIDEO_RTCP_FEEDBACK,
  },
  vp8: {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    rtcpFeedback: VIDEO_RTCP_FEEDBACK,
  },
};

/** The app's sound: Opus, 48 kHz stereo (what WebRTC clients all decode). */
export const OPUS: types.RtpCodecCapability = {
  kind: 'audio',
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
  rtcpFeedback: [{ type: 'transport-cc' }],
};

/** Every codec a session's routers offer: the video codecs asked for, then Opus. */
export function routerMediaCodecs(codecs: readonly VideoCodecName[]): types.RtpCodecCapability[] {
  return [...codecs.map((c) => ROUTER_CODECS[c]), OPUS];
}

/** RTP parameters of our audio sender (rtpopuspay): what its Producer is told to expect. */
export function audioRtpParameters(ssrc: number): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: OPUS.mimeType,
        payloadType: 111,
        clockRate: OPUS.clockRate,
        channels: 2,
        // The sender keeps the stream going with DTX off, one packet per 10 ms frame.
        parameters: { useinbandfec: 1 },
        rtcpFeedback: [],
      },
    ],
    encodings: [{ ssrc }],
  };
}

/**
 * The RTP playout-delay header extension (one-byte form) our sender writes on every packet,
 * by default with min = max = 0: Chrome then renders each frame as soon as it is decoded
 * instead of holding it in a jitter buffer (on loopback its buffer held frames 16–24 ms).
 * mediasoup forwards it to every consumer whose device supports it (from 3.14.8 on).
 */
export const PLAYOUT_DELAY = {
  uri: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  id: 6,
} as const;

/**
 * RTP parameters our GStreamer sender uses for a codec: what the Producer is told to expect.
 * One encoding per simulcast layer, lowest first, told apart by SSRC (a PlainTransport has
 * no RID/MID header extensions from our sender, and needs none).
 */
export function senderRtpParameters(
  codec: VideoCodecName,
  encodings: { ssrc: number; maxBitrate?: number }[],
  /** Whether the sender writes the playout-delay extension (default yes). */
  o: { playoutDelay?: boolean } = {},
): types.RtpParameters {
  if (encodings.length === 0) throw new TypeError('at least one encoding');
  const payloadType = codec === 'h264' ? 102 : 101;
  const c = ROUTER_CODECS[codec];
  return {
    codecs: [
      {
        mimeType: c.mimeType,
        payloadType,
        clockRate: c.clockRate,
        parameters: c.parameters ?? {},
        // The sender answers keyframe requests (rtpbin → force-key-unit) but not NACK.
        rtcpFeedback: [
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    encodings,
    headerExtensions: o.playoutDelay === false ? [] : [{ uri: PLAYOUT_DELAY.uri, id: PLAYOUT_DELAY.id }],
  };
}

/**
 * The RTP capabilities of a router with these codecs, read off a router made for the purpose
 * (and closed): every session's router has the same, so `hello` can tell them before any
 * session exists.
 */
export async function routerCapabilities(
  worker: types.Worker,
  codecs: readonly VideoCodecName[],
): Promise<types.RtpCapabilities> {
  const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs(codecs) });
  try {
    return router.rtpCapabilities;
  } finally {
    router.close();
  }
}
