import type { ScreenInfo } from '@offload/protocol';

/**
 * Where the client stands. `reconnecting`: the socket dropped, the network failed or the
 * server restarted the session's media; the client resumes its place on its own (the last
 * frame stays up).
 */
export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'joining'
  | 'streaming'
  | 'reconnecting'
  | 'closed'
  | 'failed';

/** The session this client joined. */
export interface SessionInfo {
  sessionId: string;
  viewerId: string;
  screen: ScreenInfo;
}

/** Who controls the session, as the server last said; only the controller's input is injected. */
export interface ControlInfo {
  /** This participant holds control: its input reaches the app. */
  inControl: boolean;
  /** This participant may take, request or be granted control (controller token, or open mode). */
  canControl: boolean;
  controllerId: string | null;
  controllerName?: string;
}
