import type { Device, types } from 'mediasoup-client';
import type { SignalingClient } from '../signaling/SignalingClient';

/**
 * Creates a mediasoup transport from the server's `transport/create` answer and wires its
 * `connect` (and, for sending, `producedata`) to signaling. `onFailed` runs once ICE/DTLS
 * fails on a transport that is still open; the owner decides what that costs.
 */
export async function createTransport(
  signaling: () => SignalingClient,
  device: Device,
  direction: 'send' | 'recv',
  onFailed: (transport: types.Transport) => void,
): Promise<types.Transport> {
  // The socket may be replaced (reconnect + resume) while the transport lives: look it up per use.
  const info = await signaling().request('transport/create', { direction });
  const options: types.TransportOptions = {
    id: info.transportId,
    iceParameters: info.iceParameters as types.IceParameters,
    iceCandidates: info.iceCandidates as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    sctpParameters: info.sctpParameters as types.SctpParameters | undefined,
  };
  const transport =
    direction === 'recv' ? device.createRecvTransport(options) : device.createSendTransport(options);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    Promise.resolve()
      .then(() => signaling().request('transport/connect', { transportId: transport.id, dtlsParameters }))
      .then(() => callback(), errback);
  });
  transport.on('connectionstatechange', (state) => {
    if (state === 'failed' && !transport.closed) onFailed(transport);
  });
  if (direction === 'send') {
    transport.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
      Promise.resolve()
        .then(() =>
          signaling().request('data/produce', {
            transportId: transport.id,
            sctpStreamParameters,
            label: label ?? '',
            protocol: protocol ?? '',
          }),
        )
        .then(({ dataProducerId }) => callback({ id: dataProducerId }), errback);
    });
    // The device's camera and microphone, lent to the app (see DeviceLender).
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      Promise.resolve()
        .then(() =>
          signaling().request('capture/produce', {
            requestId: String(appData.requestId ?? ''),
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          }),
        )
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }
  return transport;
}

/** Plays frames as soon as they decode: a remote screen wants latency, not smoothness. */
export function preferLowLatency(receiver: RTCRtpReceiver | undefined): void {
  if (receiver && 'jitterBufferTarget' in receiver) {
    try {
      (receiver as RTCRtpReceiver & { jitterBufferTarget: number | null }).jitterBufferTarget = 0;
    } catch {
      // Out of range on some builds; the default buffer still works.
    }
  }
}
