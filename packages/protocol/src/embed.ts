import * as z from 'zod/mini';

/*
 * The embedding protocol: what a host page (through @offload/embed) and the player in its
 * iframe say to each other over `window.postMessage`. Every message carries `protocol` and
 * `v`; a side ignores messages of another protocol and answers a command of another version
 * with `incompatible-protocol`. Both sides check the other's origin before reading anything:
 * the host only listens to its player iframe's window at the server's origin, the player
 * only to its parent at the origin it was given (`?parent=`), which must be the origin that
 * actually frames it.
 *
 * Built on zod/mini so the SDK stays small (the host page loads no full zod).
 */

export const EMBED_PROTOCOL = 'offload-embed';
/** Bump on any change a peer of the previous version would misread. */
export const EMBED_PROTOCOL_VERSION = 1;

/** Longest text one `send-text` command may carry (as the text input event's). */
export const EMBED_MAX_TEXT_LENGTH = 1024;

const Envelope = { protocol: z.literal(EMBED_PROTOCOL), v: z.number() };
const CommandId = z.int().check(z.nonnegative());

/** What a host may ask the player to do. */
export const EmbedCommand = z.discriminatedUnion('type', [
  /** Join the session (the one in the player's URL, or `sessionId`), with an access token if given. */
  z.object({
    type: z.literal('connect'),
    sessionId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    token: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  }),
  /** Leave the session (the player shows nothing until the next `connect`). */
  z.object({ type: z.literal('disconnect') }),
  /** Take control while nobody holds it. */
  z.object({ type: z.literal('take-control') }),
  /** Ask the controller for control. */
  z.object({ type: z.literal('request-control') }),
  /** Give control up. */
  z.object({ type: z.literal('release-control') }),
  /** Mute or unmute the player's media element. */
  z.object({ type: z.literal('mute') }),
  z.object({ type: z.literal('unmute') }),
  /**
   * Cap the picture's quality: `low` receives the low simulcast layer only, `high` and `auto`
   * the best the network allows (auto is the default).
   */
  z.object({ type: z.literal('set-quality'), cap: z.enum(['auto', 'low', 'high']) }),
  /** Rotate the app's screen (needs a rotatable profile; none is today: `unsupported`). */
  z.object({ type: z.literal('rotate'), orientation: z.enum(['portrait', 'landscape']) }),
  /** Type text into the app's focused field (needs control). */
  z.object({
    type: z.literal('send-text'),
    text: z.string().check(z.minLength(1), z.maxLength(EMBED_MAX_TEXT_LENGTH)),
  }),
  /** Ask for a fresh keyframe (e.g. after the host showed the iframe again). */
  z.object({ type: z.literal('request-keyframe') }),
  /** The latest stream stats (answered in the result). */
  z.object({ type: z.literal('get-stats') }),
]);
export type EmbedCommand = z.infer<typeof EmbedCommand>;
export type EmbedCommandType = EmbedCommand['type'];

/** Host → player. */
export const EmbedHostMessage = z.object({
  ...Envelope,
  kind: z.literal('command'),
  id: CommandId,
  command: EmbedCommand,
});
export type EmbedHostMessage = z.infer<typeof EmbedHostMessage>;

/**
 * Codes of failed commands and of `error` events: the player's and the server's codes
 * (ClientError, OffloadError) plus the embedding's own.
 */
export const EMBED_OWN_ERROR_CODES = [
  /** The command is not valid (unknown type, bad field). */
  'bad-command',
  /** The command needs a joined session. */
  'not-connected',
  /** The player cannot do this (e.g. `rotate` on a profile that does not rotate). */
  'unsupported',
  /** The player did not load or answer in time (wrong server, the server does not allow this host's origin). */
  'player-unreachable',
  /** The player was destroyed before it answered. */
  'player-destroyed',
] as const;

const WireError = z.object({ code: z.string().check(z.maxLength(64)), message: z.string() });
export type EmbedError = z.infer<typeof WireError>;

export const EmbedState = z.enum([
  'idle',
  'connecting',
  'joining',
  'streaming',
  'reconnecting',
  'closed',
  'failed',
]);
export type EmbedState = z.infer<typeof EmbedState>;

const Ms = z.nullable(z.number());

/** A summary of the latency monitor's recent samples (ms). */
export const EmbedLatencySummary = z.object({
  /** Samples in the window these figures cover. */
  count: z.number(),
  p50: Ms,
  p95: Ms,
  /** The segment furthest over its budget allowance (null with no verdict yet). */
  burnsMost: z.nullable(z.string()),
  /** The player's budget verdict at p95 (e.g. cloud phone on wired), null before samples. */
  budget: z.nullable(z.object({ id: z.string(), pass: z.boolean() })),
});
export type EmbedLatencySummary = z.infer<typeof EmbedLatencySummary>;

export const EmbedStats = z.object({
  fps: Ms,
  framesDecoded: z.number(),
  bitrateKbps: Ms,
  packetsLost: z.number(),
  codec: z.nullable(z.string()),
  width: Ms,
  height: Ms,
  jitterBufferMs: Ms,
  rttMs: Ms,
});
export type EmbedStats = z.infer<typeof EmbedStats>;

export const EmbedControl = z.object({
  inControl: z.boolean(),
  canControl: z.boolean(),
  controllerId: z.nullable(z.string()),
  controllerName: z.optional(z.string()),
});
export type EmbedControl = z.infer<typeof EmbedControl>;

/** What the player tells its host, as it happens. */
export const EmbedEvent = z.discriminatedUnion('type', [
  /** The connection state changed; `error` set in `failed` (and in `closed` when the session ended). */
  z.object({ type: z.literal('state'), state: EmbedState, error: z.nullable(WireError) }),
  /** Joined (session id, own viewer id, app screen) or left (null). */
  z.object({
    type: z.literal('session'),
    session: z.nullable(
      z.object({
        sessionId: z.string(),
        viewerId: z.string(),
        screen: z.object({ width: z.number(), height: z.number(), touch: z.boolean() }),
      }),
    ),
  }),
  /** Who controls the session changed (null: not joined). */
  z.object({ type: z.literal('control'), control: z.nullable(EmbedControl) }),
  /** To the controller: a participant asks for control. */
  z.object({
    type: z.literal('control-requested'),
    from: z.object({ viewerId: z.string(), name: z.optional(z.string()) }),
  }),
  /** Something failed that the host may want to show (also sent with `state: failed`). */
  z.object({ type: z.literal('error'), error: WireError }),
  /** The latency monitor's summary, at most once a second while samples come in. */
  z.object({ type: z.literal('latency'), latency: EmbedLatencySummary }),
  /** Stream stats, once a second while streaming. */
  z.object({ type: z.literal('stats'), stats: EmbedStats }),
  /** The media element was muted or unmuted. */
  z.object({ type: z.literal('muted'), muted: z.boolean() }),
]);
export type EmbedEvent = z.infer<typeof EmbedEvent>;
export type EmbedEventType = EmbedEvent['type'];

/** Player → host. */
export const EmbedPlayerMessage = z.discriminatedUnion('kind', [
  /** The player has loaded and listens for commands. */
  z.object({ ...Envelope, kind: z.literal('ready'), playerVersion: z.string() }),
  z.object({ ...Envelope, kind: z.literal('event'), event: EmbedEvent }),
  z.object({
    ...Envelope,
    kind: z.literal('result'),
    id: CommandId,
    ok: z.boolean(),
    data: z.optional(z.unknown()),
    error: z.optional(WireError),
  }),
]);
export type EmbedPlayerMessage = z.infer<typeof EmbedPlayerMessage>;

/** True for anything that claims to be an embedding message (of any version). */
export function isEmbedMessage(data: unknown): data is { protocol: typeof EMBED_PROTOCOL; v: unknown } {
  return (
    typeof data === 'object' && data !== null && (data as { protocol?: unknown }).protocol === EMBED_PROTOCOL
  );
}

export { parseEmbedOrigin } from './embedOrigin.js';
