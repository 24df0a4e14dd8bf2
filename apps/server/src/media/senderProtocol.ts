import { z } from 'zod';

/**
 * The boundary between VideoSource and its sender process (sender/gst_sender.py), typed both
 * ways: one JSON object a line on the sender's stdout (events) and stdin (commands). What the
 * sender says is validated like everything else that enters the server; a line that does not
 * parse is logged and dropped, never half-read.
 */

const Count = z.number().int().nonnegative();
/** A time on the sender's monotonic clock (ms), converted with monotonicToServer. */
const MonotonicMs = z.number().finite().nonnegative();

const LayerStats = z.object({ frames: Count, bytes: Count, keyframesRequested: Count });

export const SenderEvent = z.discriminatedUnion('event', [
  /**
   * Started with --wait-connect: built, one frame through its encoders, waiting for `connect`
   * (see PreparedSender); RTP and RTCP will leave from these local ports.
   */
  z.object({ event: z.literal('prepared'), rtpPort: z.number().int(), rtcpPort: z.number().int() }),
  /** The pipeline plays: RTP and RTCP leave from these local ports. */
  z.object({ event: z.literal('ready'), rtpPort: z.number().int(), rtcpPort: z.number().int() }),
  /** Once a second: the top layer's frames, all layers' bytes and keyframe requests, per layer. */
  z.object({
    event: z.literal('stats'),
    frames: Count,
    bytes: Count,
    keyframesRequested: Count,
    layers: z.array(LayerStats),
    captured: Count.optional(),
  }),
  /** The first captured frame showing marker value `value`, and when it was encoded. */
  z.object({
    event: z.literal('marker'),
    value: z.number().int().nonnegative(),
    capturedAt: MonotonicMs,
    encodedAt: MonotonicMs,
  }),
  /** A keyframe request reached layer `layer`'s encoder. */
  z.object({ event: z.literal('keyframe'), layer: z.number().int().nonnegative() }),
  /** Something failed (before 'ready': the sender did not start). */
  z.object({ event: z.literal('error'), message: z.string() }),
]);
export type SenderEvent = z.infer<typeof SenderEvent>;
export type SenderStats = Extract<SenderEvent, { event: 'stats' }>;

const Port = z.number().int().min(1).max(65535);

export const SenderCommand = z.discriminatedUnion('cmd', [
  /** A prepared sender's destination (the PlainTransport's ports): it starts playing. */
  z.object({ cmd: z.literal('connect'), rtpPort: Port, rtcpPort: Port }),
  /** An input with this marker value was injected: capture every frame until one shows it. */
  z.object({ cmd: z.literal('expect'), marker: z.number().int().nonnegative() }),
  /** The lower layers (indices) some viewer receives; the others are encoded at a trickle. */
  z.object({ cmd: z.literal('layers'), active: z.array(z.number().int().nonnegative()) }),
  /** A keyframe on every layer now. */
  z.object({ cmd: z.literal('keyframe') }),
  /** The top layer's bitrate (kbit/s). */
  z.object({ cmd: z.literal('bitrate'), kbps: z.number().positive() }),
]);
export type SenderCommand = z.infer<typeof SenderCommand>;

/** One line of the sender's stdout as an event, or an error saying why it is not one. */
export function parseSenderLine(
  line: string,
): { ok: true; event: SenderEvent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = SenderEvent.safeParse(json);
  return r.success
    ? { ok: true, event: r.data }
    : { ok: false, error: r.error.issues[0]?.message ?? 'invalid' };
}

/** One command as the line the sender reads (validated: a bad command is a bug here, so it throws). */
export function senderCommandLine(c: SenderCommand): string {
  return `${JSON.stringify(SenderCommand.parse(c))}\n`;
}
