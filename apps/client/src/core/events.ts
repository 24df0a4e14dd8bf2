import type { ClockEstimate, LatencySample } from '@offload/latency';
import type {
  CaptureRequestMessage,
  DownstreamMessage,
  InputEventInit,
  OffloadError,
} from '@offload/protocol';
import type { ClientError } from './ClientError';
import type { ConnectionState, ControlInfo, SessionInfo } from './types';

/*
 * Every event the client's objects emit, in one place: each map lists an emitter's events
 * and their arguments (tuple maps for TypedEmitter). Event names are kebab-case; the protocol's
 * wire names (`session/closed`, the `control` data channel…) are not events and keep their own.
 */

/** What the UI and the store observe (see StreamClient). */
export type StreamClientEvents = {
  /** Connection state changed; `error` is set in `failed` (and in `closed` when the session ended). */
  state: [state: ConnectionState, error: ClientError | null];
  /** Joined a session (info) or left it (null). */
  session: [session: SessionInfo | null];
  /** The remote tracks to play (video first), or [] when media stopped. */
  tracks: [tracks: MediaStreamTrack[]];
  /** Something went wrong that does not stop the stream (a rejected input event, a lost keyframe request…). */
  warning: [error: ClientError];
  /** An input event left (data channel or socket), with the `seq` and `ts` it carried. */
  'input-sent': [event: InputEventInit];
  /** The unreliable input channel, which carries clock-sync pings, opened (true) or went away (false). */
  'ping-channel': [open: boolean];
  /** A validated message from the report channel (pong, input timing). */
  report: [message: DownstreamMessage];
  // auth and roles
  /** Who controls the session changed (also once on join); null when not joined. */
  role: [info: ControlInfo | null];
  /** To the controller: a participant asks for control (answer with grantControl). */
  'control-requested': [from: { viewerId: string; name?: string }];
  /** The app uses this device's camera and/or microphone now, or no longer ([]). */
  capture: [kinds: ('audio' | 'video')[]];
};

/** See DeviceLender. */
export type DeviceLenderEvents = {
  /** What is being lent to the app now ([] when nothing). */
  capture: [kinds: ('audio' | 'video')[]];
  /** A capture could not start or produce (the app was told). */
  warning: [error: ClientError];
};

/** What one signaling socket reports (see SignalingClient); SignalingConnection passes them on. */
export type SignalingClientEvents = {
  /** The server ended the session. */
  'session-closed': [{ sessionId: string; reason: string }];
  /** The server restarted the session's media: resume to get new transports. */
  'session-restarted': [{ sessionId: string; reason: string }];
  /** An error the server sent without a request (e.g. a rejected input event). */
  'server-error': [OffloadError];
  /** The server sent something that is not a valid protocol message. */
  'invalid-message': [OffloadError];
  /** The socket closed after having been open (not called for `close()`). */
  disconnected: [ClientError];
  // auth and roles
  /** Control of the session moved (to a viewer id, or to nobody). */
  'control-changed': [{ controllerId: string | null; controllerName?: string }];
  /** To the controller: a participant asks for control. */
  'control-requested': [{ viewerId: string; name?: string }];
  // the device's camera and microphone
  /** To the controller: the app asks for the device's camera and/or microphone. */
  'capture-request': [CaptureRequestMessage];
  /** Stop the capture of this request (the app stopped, control moved). */
  'capture-stop': [requestId: string];
};

/** The events of the socket of the moment (see SignalingConnection). */
export type SignalingConnectionEvents = SignalingClientEvents;

/** See MediaSession. */
export type MediaSessionEvents = {
  /** The consumers' tracks, video first, once they are all resumed. */
  tracks: [tracks: MediaStreamTrack[]];
  /** ICE/DTLS failed on the receive transport, still open; the owner decides what that costs (the send transport's failure is a `warning`). */
  'transport-failed': [];
  /** The input transport, an input channel or the report channel failed, or a server message was invalid (the stream goes on). */
  warning: [error: ClientError];
};

/** See InputChannels. */
export type InputChannelsEvents = {
  /** An input event left (data channel or socket), as stamped. */
  'input-sent': [event: InputEventInit];
  /** The unreliable channel opened (true) or went away (false). */
  'ping-channel': [open: boolean];
  /** A channel could not be opened (input rides the socket instead). */
  warning: [error: ClientError];
};

/** See ReportChannel. */
export type ReportChannelEvents = {
  /** A validated message (pong, input timing). */
  message: [message: DownstreamMessage];
  /** A message that is not valid. */
  warning: [error: ClientError];
};

/** See Roles. */
export type RolesEvents = {
  /** Who controls the session changed; null when not joined. */
  role: [info: ControlInfo | null];
  /** To the controller: a participant asks for control. */
  'control-requested': [from: { viewerId: string; name?: string }];
  /** A control request failed (it also rejects). */
  warning: [error: ClientError];
};

/** See LatencyMonitor. */
export type LatencyMonitorEvents = {
  sample: [sample: LatencySample];
  clock: [estimate: ClockEstimate];
  /** Everything measured was forgotten (reset). */
  reset: [];
};
