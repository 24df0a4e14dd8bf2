import type { JoinedData, RequestPayload } from '@offload/protocol';
import { ClientError } from '../ClientError';
import type { RolesEvents } from '../events';
import type { SignalingClient } from '../signaling/SignalingClient';
import { TypedEmitter } from '../TypedEmitter';
import type { ControlInfo } from '../types';

export interface RolesOptions {
  /** The open signaling socket of the moment; throws when there is none. */
  signaling: () => SignalingClient;
  /** Whether the client is in a session (control requests need one). */
  joined: () => boolean;
}

/**
 * This participant's role in the session — who has control, as the server last said — and
 * the requests that move control. Only the controller's input reaches the app.
 */
export class Roles extends TypedEmitter<RolesEvents> {
  readonly #options: RolesOptions;
  #role: ControlInfo | null = null;

  constructor(options: RolesOptions) {
    super();
    this.#options = options;
  }

  /** Who controls the session; null when not joined. */
  get role(): ControlInfo | null {
    return this.#role;
  }

  /** Whether this participant's input would reach the app (the server drops a watcher's input). */
  get mayInput(): boolean {
    return !this.#role || this.#role.inControl;
  }

  /** The role the server gave on join (or on a resume with new media). */
  joined(joined: JoinedData): void {
    this.#set({
      // `role` rather than the ids: a server without roles answers 'controller' for everyone.
      inControl: joined.role === 'controller',
      canControl: joined.canControl,
      controllerId: joined.controllerId,
      controllerName: joined.controllerName,
    });
  }

  /** The server said control moved (`control/changed`); `viewerId` is ours. */
  changed(
    viewerId: string,
    { controllerId, controllerName }: { controllerId: string | null; controllerName?: string },
  ): void {
    if (!this.#role) return;
    this.#set({ ...this.#role, inControl: controllerId === viewerId, controllerId, controllerName });
  }

  /** A participant asks for control (`control/requested`): passed on only while we have it. */
  requested(from: { viewerId: string; name?: string }): void {
    if (this.#role?.inControl) this.emit('control-requested', from);
  }

  /** Left the session: no role. */
  clear(): void {
    this.#set(null);
  }

  /** Asks the controller for control (it may answer by granting it). */
  requestControl(): Promise<void> {
    return this.#request('control/request', {});
  }

  /** Takes control, which nobody holds. */
  takeControl(): Promise<void> {
    return this.#request('control/take', {});
  }

  /** Hands control to another participant (the controller only). */
  grantControl(viewerId: string): Promise<void> {
    return this.#request('control/grant', { viewerId });
  }

  /** Gives control up (the controller only). */
  releaseControl(): Promise<void> {
    return this.#request('control/release', {});
  }

  async #request<K extends 'control/request' | 'control/take' | 'control/grant' | 'control/release'>(
    type: K,
    payload: RequestPayload<K>,
  ): Promise<void> {
    if (!this.#options.joined()) throw new ClientError('not-joined', 'Join a session first.');
    try {
      await this.#options.signaling().request(type, payload);
    } catch (err) {
      const error = ClientError.from(err);
      this.emit('warning', error);
      throw error;
    }
  }

  #set(role: ControlInfo | null): void {
    if (this.#role === role) return;
    this.#role = role;
    this.emit('role', role);
  }
}
