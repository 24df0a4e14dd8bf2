import {
  CAPTURE_LIMITS,
  type CaptureEndReason,
  type CaptureKind,
  type CaptureRequestMessage,
} from '@offload/protocol';
import type { types } from 'mediasoup-client';
import { ClientError } from '../ClientError';
import type { DeviceLenderEvents } from '../events';
import type { SignalingClient } from '../signaling/SignalingClient';
import { TypedEmitter } from '../TypedEmitter';

export interface DeviceLenderOptions {
  signaling: () => SignalingClient;
  /** The send transport (it produces the tracks), once it exists. */
  sendTransport: () => Promise<types.Transport>;
  /** The codec to send a kind with (VP8 for the camera where the router has it), or undefined for the default. */
  codecFor: (kind: CaptureKind) => types.RtpCodecCapability | undefined;
  /** The browser's own getUserMedia (injected in tests). */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
}

interface Lending {
  requestId: string;
  stream: MediaStream | null;
  producers: types.Producer[];
  stopped: boolean;
}

/** The device's own constraints: no more than the server hands the app (CAPTURE_LIMITS). */
export function captureConstraints(m: { audio: boolean; video: boolean }): MediaStreamConstraints {
  const { maxWidth, maxHeight, maxFps } = CAPTURE_LIMITS;
  return {
    audio: m.audio ? { echoCancellation: true, noiseSuppression: true, channelCount: 1 } : false,
    video: m.video
      ? {
          width: { ideal: maxWidth, max: maxWidth },
          height: { ideal: maxHeight, max: maxHeight },
          frameRate: { ideal: maxFps, max: maxFps },
        }
      : false,
  };
}

/** What a failed getUserMedia means for the app (its DOMException is chosen from it on the server). */
export function endReasonOf(err: unknown): CaptureEndReason {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-device';
  return 'failed';
}

/**
 * Lends this device's camera and microphone to the app, when the server asks (`capture/request`,
 * sent to the controller only, when the app called getUserMedia): only then does it call the
 * browser's getUserMedia (the device's permission prompt appears now), then produces each track
 * on the send transport, or tells the server why it cannot (`capture/end`). On `capture/stop`
 * (the app stopped, control moved), a newer request, a track that ends on the device, or
 * close(), the producers close and the tracks stop (the camera's light goes off).
 */
export class DeviceLender extends TypedEmitter<DeviceLenderEvents> {
  readonly #o: DeviceLenderOptions;
  #current: Lending | null = null;
  #closed = false;

  constructor(o: DeviceLenderOptions) {
    super();
    this.#o = o;
  }

  /** What is lent now. */
  get kinds(): CaptureKind[] {
    return (this.#current?.stream?.getTracks() ?? []).map((t) => t.kind as CaptureKind);
  }

  /** The server asks for the device's media on behalf of the app. */
  async lend(m: CaptureRequestMessage): Promise<void> {
    if (this.#closed) return;
    if (this.#current) this.#stop(this.#current);
    const lending: Lending = { requestId: m.requestId, stream: null, producers: [], stopped: false };
    this.#current = lending;
    const gum =
      this.#o.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    try {
      lending.stream = await gum(captureConstraints(m));
    } catch (err) {
      if (this.#current === lending) this.#current = null;
      this.#end(m.requestId, lending.stopped ? null : endReasonOf(err));
      return;
    }
    if (lending.stopped) {
      for (const t of lending.stream.getTracks()) t.stop();
      return;
    }
    try {
      const transport = await this.#o.sendTransport();
      for (const track of lending.stream.getTracks()) {
        track.addEventListener('ended', () => {
          if (lending.stopped) return;
          this.#stop(lending);
          this.#end(lending.requestId, 'ended');
        });
        if (lending.stopped) return;
        const kind = track.kind as CaptureKind;
        const producer = await transport.produce({
          track,
          codec: this.#o.codecFor(kind),
          encodings: kind === 'video' ? [{ maxBitrate: CAPTURE_LIMITS.videoMaxBitrate }] : undefined,
          stopTracks: false,
          appData: { requestId: lending.requestId },
        });
        if (lending.stopped) {
          producer.close();
          return;
        }
        lending.producers.push(producer);
      }
      this.emit('capture', this.kinds);
    } catch (err) {
      if (lending.stopped) return;
      this.#stop(lending);
      this.#end(lending.requestId, 'failed');
      this.emit('warning', ClientError.from(err));
    }
  }

  /** `capture/stop` from the server. */
  stop(requestId: string): void {
    if (this.#current?.requestId === requestId) this.#stop(this.#current);
  }

  /** Stops whatever is lent (the media closed, the session was left). Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#current) this.#stop(this.#current);
  }

  #stop(lending: Lending): void {
    lending.stopped = true;
    for (const p of lending.producers) p.close();
    for (const t of lending.stream?.getTracks() ?? []) t.stop();
    if (this.#current === lending) {
      this.#current = null;
      this.emit('capture', []);
    }
  }

  #end(requestId: string, reason: CaptureEndReason | null): void {
    if (!reason) return;
    try {
      this.#o
        .signaling()
        .request('capture/end', { requestId, reason })
        .catch((err) => this.emit('warning', ClientError.from(err)));
    } catch (err) {
      this.emit('warning', ClientError.from(err));
    }
  }
}
