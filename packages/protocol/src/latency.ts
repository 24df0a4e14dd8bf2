import { z } from 'zod';

/**
 * Latency monitor messages. Clock-sync pings go up on the unreliable input channel (a lost
 * ping is simply not answered); pongs and per-input timings come down on the server's
 * report channel. Times are epoch milliseconds on the sender's clock.
 */

/** Segments of input-to-photon, in path order (see @offload/latency). */
export const SEGMENTS = [
  'uplink',
  'inject',
  'renderCapture',
  'encode',
  'network',
  'jitterBuffer',
  'decode',
  'render',
] as const;
export type Segment = (typeof SEGMENTS)[number];

const ms = z.number().finite();

export const Ping = z.object({ type: z.literal('ping'), id: z.number().int().nonnegative(), t0: ms });
export type Ping = z.infer<typeof Ping>;

export const Pong = z.object({
  type: z.literal('pong'),
  id: z.number().int().nonnegative(),
  t0: ms,
  t1: ms,
  t2: ms,
});
export type Pong = z.infer<typeof Pong>;

/** Sent once a captured frame showed the input's effect. */
export const InputTimingMessage = z.object({
  type: z.literal('input/timing'),
  /** The viewer's input seq. */
  seq: z.number().int().nonnegative(),
  /** The runtime's marker id for the input (its injection stamp in 4 ms units); the frame marker shows markId mod 65536. */
  markId: z.number().int().nonnegative(),
  receivedAt: ms,
  appliedAt: ms,
  capturedAt: ms,
  encodedAt: ms,
});
export type InputTimingMessage = z.infer<typeof InputTimingMessage>;

/** Server → client on the report channel. */
export const DownstreamMessage = z.discriminatedUnion('type', [Pong, InputTimingMessage]);
export type DownstreamMessage = z.infer<typeof DownstreamMessage>;

/** One input-to-photon sample as a client reports it (ms). */
export const LatencySampleWire = z.object({
  seq: z.number().int().nonnegative(),
  kind: z.string().max(32),
  total: ms.min(0).max(60_000),
  segments: z.object(Object.fromEntries(SEGMENTS.map((s) => [s, ms])) as Record<Segment, typeof ms>),
  residual: ms,
  syncError: ms.min(0),
  /** How much earlier the photon may have been (ms): frames went by unread on a busy client. */
  frameGap: ms.min(0).max(60_000).optional(),
});
export type LatencySampleWire = z.infer<typeof LatencySampleWire>;

/** Most samples in one latency/report. */
export const MAX_REPORTED_SAMPLES = 64;
