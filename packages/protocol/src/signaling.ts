import { z } from 'zod';
import {
  CaptureEndPayload,
  CaptureProducePayload,
  CaptureRequestMessage,
  CaptureStopMessage,
} from './capture.js';
import { ERROR_CODES } from './errors.js';
import { InputEvent } from './input.js';
import { LatencySampleWire, MAX_REPORTED_SAMPLES } from './latency.js';

/**
 * Why a session ended: `closed` by its owner (the API, the last step of a test), `idle` (no
 * viewers for OFFLOAD_IDLE_TIMEOUT_S), `server-shutdown`, `restart-limit` (its media died
 * more often than the restart budget allows within a minute), `recovery-failed` (a rebuild of
 * its media failed).
 */
export const SESSION_END_CAUSES = [
  'closed',
  'idle',
  'server-shutdown',
  'restart-limit',
  'recovery-failed',
] as const;
export type SessionEndCause = (typeof SESSION_END_CAUSES)[number];

/**
 * Signaling over the WebSocket. A request carries an `id` and gets exactly one `response`
 * with the same id; everything else is a notification. mediasoup's own parameter objects
 * (RTP capabilities, DTLS/ICE/SCTP parameters) travel as opaque objects: the protocol stays
 * free of mediasoup types, and mediasoup validates them where they are used.
 */

const RequestId = z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]);
const Id = z.string().min(1).max(64);
const Opaque = z.record(z.string(), z.unknown());

/** A request's payload schema and the schema of its successful response's `data`. */
function req<T extends string, P extends z.ZodRawShape, R extends z.ZodTypeAny>(
  type: T,
  payload: P,
  response: R,
) {
  return {
    message: z.object({ type: z.literal(type), id: RequestId, ...payload }),
    response,
  };
}

/** A participant's current role: the controller's input is injected, a viewer only watches. */
export const ParticipantRole = z.enum(['controller', 'viewer']);
export type ParticipantRole = z.infer<typeof ParticipantRole>;
/** A participant's display name (the token's `sub`). */
const Name = z.string().max(128);

export const ScreenInfo = z.object({
  /** App screen size in CSS px (the video's resolution). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Whether the app takes touch input (phone/tablet profiles) rather than a mouse. */
  touch: z.boolean(),
});
export type ScreenInfo = z.infer<typeof ScreenInfo>;

export const ConsumerInfo = z.object({
  consumerId: Id,
  producerId: Id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: Opaque,
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;

/** What joining (or resuming) a session tells the client. */
export const JoinedData = z.object({
  sessionId: Id,
  viewerId: Id,
  routerRtpCapabilities: Opaque,
  screen: ScreenInfo,
  /**
   * Lets this client take its place again after its socket dropped or the session's media
   * restarted (`session/resume`). Signed by the server; valid for a limited time, renewed on
   * every resume.
   */
  resumeToken: z.string().min(1).max(4096),
  // auth and roles (defaults: what a server without roles means, everyone's input is injected)
  /** 'controller' if this participant's input is injected now, else 'viewer' (watch only). */
  role: ParticipantRole.default('controller'),
  /** Whether this participant may take, request or be granted control. */
  canControl: z.boolean().default(true),
  /** Who has control now (a viewerId), or null. */
  controllerId: Id.nullable().default(null),
  controllerName: Name.optional(),
});
export type JoinedData = z.infer<typeof JoinedData>;

export const Requests = {
  hello: req(
    'hello',
    { protocolVersion: z.number().int(), client: z.string().max(128).optional() },
    z.object({
      protocolVersion: z.number().int(),
      serverVersion: z.string(),
      /**
       * What every router of this server can do (the same for all: it follows from the codecs
       * configured). A client loads its mediasoup Device with it while its session is still
       * being created and joined, instead of after the join (Device.load probes the browser
       * with a throwaway peer connection: 50–180 ms). The join's own copy stays authoritative.
       */
      routerRtpCapabilities: Opaque.optional(),
    }),
  ),
  'session/create': req(
    'session/create',
    {
      profile: z.string().max(64).optional(),
      /** The page a cloud-browser session opens (http/https; checked against the server's URL policy). Default: the server's app. */
      url: z.string().max(2048).optional(),
    },
    z.object({
      sessionId: Id,
      /**
       * Set when the cluster placed the session on another node (this one had no room): that
       * node's public URL (http(s)://host[:port]/); join the session there.
       */
      hostUrl: z.string().max(2048).optional(),
      /** With access tokens: a token for that session on its node (the creator token is spent here). */
      hostToken: z.string().max(4096).optional(),
    }),
  ),
  'session/join': req('session/join', { sessionId: Id }, JoinedData),
  'session/leave': req('session/leave', {}, z.object({})),
  'transport/create': req(
    'transport/create',
    { direction: z.enum(['send', 'recv']) },
    z.object({
      transportId: Id,
      iceParameters: Opaque,
      iceCandidates: z.array(Opaque),
      dtlsParameters: Opaque,
      sctpParameters: Opaque.optional(),
    }),
  ),
  'transport/connect': req('transport/connect', { transportId: Id, dtlsParameters: Opaque }, z.object({})),
  'media/consume': req(
    'media/consume',
    { rtpCapabilities: Opaque },
    z.object({ consumers: z.array(ConsumerInfo) }),
  ),
  'media/resume': req('media/resume', { consumerId: Id }, z.object({})),
  /** Stops forwarding a consumer of this viewer's (e.g. the sound while the player is muted); media/resume restarts it. */
  'media/pause': req('media/pause', { consumerId: Id }, z.object({})),
  'media/keyframe': req('media/keyframe', { consumerId: Id }, z.object({})),
  /**
   * Caps what this viewer receives: `low`, the lowest simulcast layer only; `auto`, the best
   * layer its bandwidth allows (the default). Kept for the viewer's later consumers too.
   */
  'media/quality': req('media/quality', { cap: z.enum(['auto', 'low']) }, z.object({})),
  'data/produce': req(
    'data/produce',
    {
      transportId: Id,
      sctpStreamParameters: Opaque,
      label: z.string().max(64),
      protocol: z.string().max(64).default(''),
    },
    z.object({ dataProducerId: Id }),
  ),
  /** The server's report channel (pongs, input timings) on the receive transport. */
  'data/consume': req(
    'data/consume',
    {},
    z.object({
      dataConsumerId: Id,
      dataProducerId: Id,
      sctpStreamParameters: Opaque,
      label: z.string(),
      protocol: z.string(),
    }),
  ),
  // Recovery: take one's place again after a dropped socket, a media restart or a server restart.
  'session/resume': req(
    'session/resume',
    { sessionId: Id, resumeToken: z.string().min(1).max(4096) },
    JoinedData.extend({
      /**
       * false: the server kept this client's transports and consumers (its socket had only
       * dropped): restart ICE on them. true: they are gone (media restart, server restart):
       * set up media as after a join.
       */
      fresh: z.boolean(),
    }),
  ),
  'transport/restart-ice': req(
    'transport/restart-ice',
    { transportId: Id },
    z.object({ iceParameters: Opaque }),
  ),
  // auth and roles: handing control over (the server is the authority; see apps/server/src/session/Control.ts)
  /** The controller hands control to another eligible participant. */
  'control/grant': req('control/grant', { viewerId: Id }, z.object({})),
  /** An eligible participant asks the controller for control (it gets `control/requested`). */
  'control/request': req('control/request', {}, z.object({})),
  /** An eligible participant takes control while nobody holds it. */
  'control/take': req('control/take', {}, z.object({})),
  /** The controller gives control up (nobody holds it afterwards). */
  'control/release': req('control/release', {}, z.object({})),
  // the device's camera and microphone (see capture.ts): the controller's client only
  /** Produces one track of an app's request on the send transport; the server hands it to the app. */
  'capture/produce': req('capture/produce', CaptureProducePayload, z.object({ producerId: Id })),
  /** The client cannot capture for a request (refused, no device) or its capture stopped. */
  'capture/end': req('capture/end', CaptureEndPayload, z.object({})),
} as const;

export type RequestType = keyof typeof Requests;
export type RequestMessage<K extends RequestType> = z.infer<(typeof Requests)[K]['message']>;
/** What a caller passes: the message without `type` and `id`, defaults optional. */
export type RequestPayload<K extends RequestType> = Omit<
  z.input<(typeof Requests)[K]['message']>,
  'type' | 'id'
>;
export type ResponseData<K extends RequestType> = z.infer<(typeof Requests)[K]['response']>;

/** WebSocket fallback for input when the data channel is not (yet) open. */
export const InputMessage = z.object({ type: z.literal('input'), event: InputEvent });
export type InputMessage = z.infer<typeof InputMessage>;

/** Input-to-photon samples the client measured, for the server's metrics. */
export const LatencyReportMessage = z.object({
  type: z.literal('latency/report'),
  samples: z.array(LatencySampleWire).max(MAX_REPORTED_SAMPLES),
});
export type LatencyReportMessage = z.infer<typeof LatencyReportMessage>;

export const ClientMessage = z.discriminatedUnion('type', [
  Requests.hello.message,
  Requests['session/create'].message,
  Requests['session/join'].message,
  Requests['session/leave'].message,
  Requests['transport/create'].message,
  Requests['transport/connect'].message,
  Requests['media/consume'].message,
  Requests['media/resume'].message,
  Requests['media/pause'].message,
  Requests['media/keyframe'].message,
  Requests['media/quality'].message,
  Requests['data/produce'].message,
  Requests['data/consume'].message,
  InputMessage,
  LatencyReportMessage,
  // Recovery
  Requests['session/resume'].message,
  Requests['transport/restart-ice'].message,
  // auth and roles
  Requests['control/grant'].message,
  Requests['control/request'].message,
  Requests['control/take'].message,
  Requests['control/release'].message,
  // the device's camera and microphone
  Requests['capture/produce'].message,
  Requests['capture/end'].message,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

const WireErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hostUrl: z.string().max(2048).optional(),
});

export const ResponseMessage = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), data: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: WireErrorSchema }),
]);

export const ServerMessage = z.union([
  ResponseMessage,
  /** An error not tied to a request (bad JSON, a rejected input event, …). */
  z.object({ type: z.literal('error'), error: WireErrorSchema, requestId: RequestId.optional() }),
  /**
   * The session ended; the client should show why (`reason`, for people) and offer to start
   * again. `cause` says why in a word a program can act on (absent from servers before it).
   */
  z.object({
    type: z.literal('session/closed'),
    sessionId: Id,
    reason: z.string(),
    cause: z.enum(SESSION_END_CAUSES).optional(),
  }),
  /**
   * The session's media restarted (its media worker or its app died and came back): this
   * client's transports are gone; `session/resume` to get new ones. The session id stays.
   */
  z.object({ type: z.literal('session/restarted'), sessionId: Id, reason: z.string() }),
  // auth and roles
  /** Control moved (to a viewerId, or to nobody); sent to every participant. */
  z.object({
    type: z.literal('control/changed'),
    controllerId: Id.nullable(),
    controllerName: Name.optional(),
  }),
  /** To the controller: a participant asks for control (answer with control/grant). */
  z.object({ type: z.literal('control/requested'), viewerId: Id, name: Name.optional() }),
  // the device's camera and microphone (to the controller only)
  CaptureRequestMessage,
  CaptureStopMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
