import type { types } from 'mediasoup-client';
import { describe, expect, it } from 'vitest';
import type { SignalingClient } from '../signaling/SignalingClient';
import { captureConstraints, DeviceLender, endReasonOf } from './DeviceLender';

/** A track as the lender uses it: kind, stop(), an `ended` listener. */
class FakeTrack extends EventTarget {
  readyState = 'live';
  constructor(readonly kind: string) {
    super();
  }
  stop() {
    this.readyState = 'ended';
  }
}

function setup(gum: (c: MediaStreamConstraints) => Promise<MediaStream>) {
  const requests: [string, unknown][] = [];
  const produced: { kind: string; appData: unknown; closed: boolean }[] = [];
  const signaling = {
    request: async (type: string, payload: unknown) => {
      requests.push([type, payload]);
      return {};
    },
  } as unknown as SignalingClient;
  const transport = {
    produce: async ({ track, appData }: { track: FakeTrack; appData: unknown }) => {
      const p = {
        kind: track.kind,
        appData,
        closed: false,
        close() {
          p.closed = true;
        },
      };
      produced.push(p);
      return p;
    },
  } as unknown as types.Transport;
  const lender = new DeviceLender({
    signaling: () => signaling,
    sendTransport: async () => transport,
    codecFor: () => undefined,
    getUserMedia: gum,
  });
  return { lender, requests, produced };
}

const stream = (...tracks: FakeTrack[]) => ({ getTracks: () => tracks }) as unknown as MediaStream;
const request = (audio: boolean, video: boolean) => ({
  type: 'capture/request' as const,
  requestId: 'r1',
  audio,
  video,
});

describe('DeviceLender', () => {
  it('asks the browser only when the server asks, within the limits, and produces each track', async () => {
    const asked: MediaStreamConstraints[] = [];
    const cam = new FakeTrack('video');
    const mic = new FakeTrack('audio');
    const { lender, produced } = setup(async (c) => {
      asked.push(c);
      return stream(cam, mic);
    });
    expect(asked).toEqual([]);
    await lender.lend(request(true, true));
    expect(asked).toEqual([captureConstraints({ audio: true, video: true })]);
    expect(asked[0]!.video).toMatchObject({
      width: { max: 640 },
      height: { max: 480 },
      frameRate: { max: 30 },
    });
    expect(produced.map((p) => [p.kind, p.appData])).toEqual([
      ['video', { requestId: 'r1' }],
      ['audio', { requestId: 'r1' }],
    ]);
    expect(lender.kinds).toEqual(['video', 'audio']);

    // The server says stop: producers close, the device's tracks stop (its light goes off).
    lender.stop('other');
    expect(cam.readyState).toBe('live');
    lender.stop('r1');
    expect(produced.every((p) => p.closed)).toBe(true);
    expect([cam.readyState, mic.readyState]).toEqual(['ended', 'ended']);
  });

  it('tells the server why it cannot lend, in the app’s terms', async () => {
    const denied = setup(async () => {
      throw new DOMException('no', 'NotAllowedError');
    });
    await denied.lender.lend(request(false, true));
    expect(denied.requests).toEqual([['capture/end', { requestId: 'r1', reason: 'denied' }]]);
    expect(endReasonOf(new DOMException('', 'NotFoundError'))).toBe('no-device');
    expect(endReasonOf(new DOMException('', 'OverconstrainedError'))).toBe('no-device');
    expect(endReasonOf(new DOMException('', 'NotReadableError'))).toBe('failed');
  });

  it('ends a capture whose track ends on the device, and stops all on close', async () => {
    const cam = new FakeTrack('video');
    const { lender, requests, produced } = setup(async () => stream(cam));
    await lender.lend(request(false, true));
    cam.dispatchEvent(new Event('ended'));
    expect(requests).toEqual([['capture/end', { requestId: 'r1', reason: 'ended' }]]);
    expect(produced[0]!.closed).toBe(true);

    const cam2 = new FakeTrack('video');
    const second = setup(async () => stream(cam2));
    await second.lender.lend(request(false, true));
    second.lender.close();
    expect(cam2.readyState).toBe('ended');
    await second.lender.lend(request(false, true));
    expect(second.produced).toHaveLength(1);
  });
});
