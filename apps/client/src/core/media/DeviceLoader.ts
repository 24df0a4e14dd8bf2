import { Device, type types } from 'mediasoup-client';
import { ClientError } from '../ClientError';

/**
 * The mediasoup Device, loaded once per set of router capabilities and shared by every join
 * and resume. Loading probes the browser with a throwaway RTCPeerConnection (50–180 ms on a
 * busy device): the server tells its routers' capabilities in `hello`, so preload() runs it
 * while the session is still being created and joined, and the join's get() finds it done.
 */
export class DeviceLoader {
  readonly #create: () => Device;
  /** WebRTC is there (or the Device is made by the caller, as tests do). */
  readonly supported: boolean;
  #key: string | null = null;
  #loading: Promise<Device> | null = null;

  constructor(create?: () => Device) {
    this.#create = create ?? (() => new Device());
    this.supported = create !== undefined || typeof RTCPeerConnection !== 'undefined';
  }

  /** Throws `unsupported-browser` where there is no WebRTC. */
  assertSupported(): void {
    if (!this.supported) throw new ClientError('unsupported-browser', 'RTCPeerConnection is not available.');
  }

  /**
   * Starts loading for these capabilities (if any, and not already) once the current task is
   * done: the request that follows hello (create or join) goes out first, and the load's
   * main-thread work runs while the server works on it. A failure shows in get().
   */
  preload(routerRtpCapabilities: unknown): void {
    if (routerRtpCapabilities === undefined || !this.supported) return;
    setTimeout(() => this.get(routerRtpCapabilities).catch(() => {}), 0);
  }

  /** A Device loaded with these capabilities: the one loading or loaded already if they are the same. */
  get(routerRtpCapabilities: unknown): Promise<Device> {
    const key = JSON.stringify(routerRtpCapabilities);
    if (key === this.#key && this.#loading) return this.#loading;
    this.#key = key;
    const loading = (async () => {
      const device = this.#create();
      await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      return device;
    })();
    this.#loading = loading;
    // A failed load is not kept: the next get() tries again.
    loading.catch(() => {
      if (this.#loading === loading) {
        this.#loading = null;
        this.#key = null;
      }
    });
    return loading;
  }
}
