import { z } from 'zod';

/**
 * The device's camera and microphone, lent to the app. The app's page asks (its
 * `getUserMedia`); the server asks the **controller's** client only (`capture/request`); that
 * client asks its own browser (the device's permission prompt appears now, not before), then
 * produces each track on its send transport (`capture/produce`) or says why it cannot
 * (`capture/end`). The server hands the tracks to the app; `capture/stop` tells the client to
 * stop its capture (the app stopped its tracks, control moved, the app asked again).
 */

/** Which media an app's request wants. */
export const CAPTURE_KINDS = ['audio', 'video'] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

/** Why a client's capture ended or never began; each maps to the DOMException the app sees. */
export const CAPTURE_END_REASONS = [
  /** The device's user (or its browser) refused: NotAllowedError. */
  'denied',
  /** No such device on the device: NotFoundError. */
  'no-device',
  /** The device is there but could not start (busy, hardware error): NotReadableError. */
  'failed',
  /** The capture ran and stopped on the device (unplugged, revoked, the user stopped it). */
  'ended',
] as const;
export type CaptureEndReason = (typeof CAPTURE_END_REASONS)[number];

/**
 * Limits of what a device lends: the client asks its browser for no more, and the server
 * scales and paces what it hands the app to these, whatever arrives.
 */
export const CAPTURE_LIMITS = {
  /** Largest picture (px). */
  maxWidth: 640,
  maxHeight: 480,
  /** Frames a second. */
  maxFps: 30,
  /** Bitrate cap of the camera's encoding (bit/s). */
  videoMaxBitrate: 1_000_000,
  /** How long the controller's client may take to answer a request, prompt included (ms). */
  answerTimeoutMs: 30_000,
  /** Requests of one app a second (a page calling getUserMedia in a loop); bursts of 3. */
  requestsPerSecond: 1,
} as const;

const Id = z.string().min(1).max(64);

/** Server → the controller's client: the app asks for its camera and/or microphone. */
export const CaptureRequestMessage = z.object({
  type: z.literal('capture/request'),
  requestId: Id,
  audio: z.boolean(),
  video: z.boolean(),
});
export type CaptureRequestMessage = z.infer<typeof CaptureRequestMessage>;

/** Server → client: stop the capture of `requestId` (close its producers, release the device). */
export const CaptureStopMessage = z.object({
  type: z.literal('capture/stop'),
  requestId: Id,
});
export type CaptureStopMessage = z.infer<typeof CaptureStopMessage>;

/** `capture/produce` payload: one track of a request, produced on the client's send transport. */
export const CaptureProducePayload = {
  requestId: Id,
  transportId: Id,
  kind: z.enum(CAPTURE_KINDS),
  /** mediasoup's RtpSendParameters (validated by mediasoup, and by the server's limits). */
  rtpParameters: z.record(z.string(), z.unknown()),
};

/** `capture/end` payload: the client cannot (or no longer does) capture for `requestId`. */
export const CaptureEndPayload = {
  requestId: Id,
  reason: z.enum(CAPTURE_END_REASONS),
};
