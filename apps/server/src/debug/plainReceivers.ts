import type { types } from 'mediasoup';
import type { Session } from '../session/Session.js';

/**
 * Cheap stand-in viewers for benchmarks (debug endpoint only): each is a PlainTransport
 * consumer of the session's video, placed on the session's routers like a real viewer (so
 * it counts towards OFFLOAD_VIEWERS_PER_ROUTER and makes the video be piped), sending plain
 * RTP to a UDP sink. mediasoup forwards, rewrites and RTCP-reports every packet for each of
 * them as for a WebRTC viewer, but without SRTP, ICE, DTLS, congestion control or a data
 * channel, so they cost the server less than a browser would. They are not in
 * `session.viewers` and do not keep a session alive.
 */
interface Receiver {
  transport: types.PlainTransport;
  release(): void;
}

const bySession = new WeakMap<Session, Receiver[]>();

export async function addPlainReceivers(
  session: Session,
  count: number,
  sink: { ip: string; port: number },
): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 2000) throw new TypeError('count must be 1..2000');
  const list = bySession.get(session) ?? [];
  bySession.set(session, list);
  for (let i = 0; i < count; i++) {
    const placement = await session.routers.place();
    const { router } = placement;
    try {
      const caps = router.rtpCapabilities;
      const producer = await session.sources.producerFor(caps, router);
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
      });
      await transport.connect({ ip: sink.ip, port: sink.port });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: caps,
        paused: true,
      });
      await consumer.resume();
      list.push({ transport, release: placement.release });
    } catch (err) {
      placement.release();
      throw err;
    }
  }
  return list.length;
}

/** Closes every plain receiver of the session; returns how many there were. */
export function closePlainReceivers(session: Session): number {
  const list = bySession.get(session) ?? [];
  for (const r of list) {
    r.transport.close();
    r.release();
  }
  bySession.delete(session);
  return list.length;
}
