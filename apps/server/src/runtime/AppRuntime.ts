import type { EventEmitter } from 'node:events';
import type { InputEvent, ScreenInfo, SensorReading } from '@offload/protocol';
import type { AppUser } from './appUser.js';
import type { Cgroup } from './Cgroup.js';

export type AppRuntimeEvents = {
  /** The app went away on its own (crash, killed); the session cannot go on with it. */
  died: [reason: string];
  /** The app dispatched the first DOM event of input `markId` at `at` (server clock, epoch ms) and drew its marker. */
  applied: [markId: number, at: number];
};

export type AppCaptureEvents = {
  /** The app asked for the device's camera and/or microphone (`n`: the page's own number for the request). */
  request: [n: number, want: { audio: boolean; video: boolean }];
  /** The app stopped every track of request `n`, or gave up waiting for it. */
  stop: [n: number];
};

/** The DOMException an app's getUserMedia rejects with. */
export type CaptureRefusal = 'NotAllowedError' | 'NotFoundError' | 'NotReadableError' | 'AbortError';

/**
 * The app's end of the device's camera and microphone (see runtime/AppCapture.ts): the app's
 * requests come out, answers, pictures (JPEG) and sound (20 ms of 48 kHz mono s16) go in.
 */
export interface AppMediaCapture {
  readonly events: EventEmitter<AppCaptureEvents>;
  /** Request `n` is granted: its tracks start. */
  start(n: number): void;
  /** Request `n` is refused: the app's getUserMedia rejects with `name`. */
  refuse(n: number, name: CaptureRefusal, message: string): void;
  /** Request `n`'s capture stopped: its tracks end (`ended`). */
  end(n: number): void;
  videoFrame(n: number, jpeg: Buffer): void;
  audioChunk(n: number, pcm: Buffer): void;
}

/**
 * What a session needs of an app runtime: an X display to capture, input injection, and a
 * life cycle. The default is ChromiumRuntime; a native app on its own X display would fit the same shape.
 */
export interface AppRuntime {
  /** X display the app draws on (e.g. ":12"), captured by the video source. */
  readonly display: string;
  /** The display's cookie (an Xauthority file): whoever captures the display needs it. */
  readonly xauthority: string;
  /** The session's cgroup, if any: whatever else the session starts (the video sender) goes in too. */
  readonly cgroup?: Cgroup | undefined;
  /**
   * The account the app runs as, if not the server's own: whatever else the session starts for
   * it (the video sender) runs as that account too, with `home` as its HOME.
   */
  readonly user?: AppUser | undefined;
  readonly home?: string;
  /** The app's sound card, if it has one: `server` is where its sink's monitor is recorded (PULSE_SERVER). */
  readonly audio?: { readonly server: string } | undefined;
  readonly screen: ScreenInfo;
  /** The app's main process, if there is one (for diagnostics and fault-injection tests). */
  readonly pid?: number | undefined;
  readonly events: EventEmitter<AppRuntimeEvents>;
  /** The app's getUserMedia, fed by the controller's devices; none if the runtime cannot. */
  readonly capture?: AppMediaCapture | undefined;
  /**
   * Injects one validated event; never throws (failures are logged). Returns the event's
   * marker id: the frame marker shows it once the app has handled the event, and 'applied'
   * is emitted with it. Undefined when the event was shed (overload) or the runtime is closed.
   */
  inject(event: InputEvent): number | undefined;
  /** Applies a validated sensor reading (location, orientation, motion) as the app's own; never throws. */
  applySensor(reading: SensorReading): void;
  /** The app's self-reported state, if it publishes one (the demo app does); for tests and debugging. */
  appState(): Promise<unknown>;
  /** Idempotent; resolves when every process of the runtime has exited. */
  close(): Promise<void>;
}
