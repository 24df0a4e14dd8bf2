import {
  OffloadError,
  PROTOCOL_VERSION,
  type RequestMessage,
  type RequestType,
  type ResponseData,
} from '@offload/protocol';
import type { types } from 'mediasoup';
import type { Connection } from './Connection.js';

type Handler<K extends RequestType> = (c: Connection, m: RequestMessage<K>) => Promise<ResponseData<K>>;
type Handlers = { [K in RequestType]: Handler<K> };

/**
 * One small function per request type. They validate state, call the session tree, and
 * return the response data; throwing an OffloadError sends a typed error reply.
 */
export const handlers: Handlers = {
  async hello(c, m) {
    if (m.protocolVersion !== PROTOCOL_VERSION) {
      throw new OffloadError(
        'incompatible-protocol',
        `This server speaks protocol version ${PROTOCOL_VERSION}, the client ${m.protocolVersion}; reload the page to get a matching client.`,
      );
    }
    c.helloDone = true;
    return { protocolVersion: PROTOCOL_VERSION, serverVersion: c.deps.serverVersion };
  },

  async 'session/create'(c) {
    const session = await c.deps.sessions.create();
    return { sessionId: session.id };
  },

  async 'session/join'(c, m) {
    if (c.viewer)
      throw new OffloadError(
        'already-joined',
        'This connection has joined a session already; leave it first.',
      );
    const session = c.deps.sessions.get(m.sessionId);
    const viewer = await session.addViewer();
    c.attach(session, viewer);
    return {
      sessionId: session.id,
      viewerId: viewer.id,
      routerRtpCapabilities: session.router.rtpCapabilities as Record<string, unknown>,
      screen: session.screen,
    };
  },

  async 'session/leave'(c) {
    c.detach();
    return {};
  },

  async 'transport/create'(c, m) {
    const t = await c.joined().viewer.createTransport(m.direction);
    return {
      transportId: t.id,
      iceParameters: t.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: t.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: t.dtlsParameters as unknown as Record<string, unknown>,
      sctpParameters: t.sctpParameters as unknown as Record<string, unknown> | undefined,
    };
  },

  async 'transport/connect'(c, m) {
    await c
      .joined()
      .viewer.connectTransport(m.transportId, m.dtlsParameters as unknown as types.DtlsParameters);
    return {};
  },

  async 'media/consume'(c, m) {
    const { session, viewer } = c.joined();
    const caps = m.rtpCapabilities as types.RtpCapabilities;
    const producer = await session.videoProducerFor(caps, viewer.o.router);
    const consumer = await viewer.consume(producer, caps);
    return {
      consumers: [
        {
          consumerId: consumer.id,
          producerId: producer.id,
          kind: consumer.kind,
          rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
        },
      ],
    };
  },

  async 'media/resume'(c, m) {
    await c.joined().viewer.resume(m.consumerId);
    return {};
  },

  async 'media/keyframe'(c, m) {
    await c.joined().viewer.requestKeyFrame(m.consumerId);
    return {};
  },

  async 'data/consume'(c) {
    const dc = await c.joined().viewer.consumeControl();
    return {
      dataConsumerId: dc.id,
      dataProducerId: dc.dataProducerId,
      sctpStreamParameters: dc.sctpStreamParameters as unknown as Record<string, unknown>,
      label: dc.label,
      protocol: dc.protocol,
    };
  },

  async 'data/produce'(c, m) {
    const dp = await c
      .joined()
      .viewer.produceData(
        m.transportId,
        m.sctpStreamParameters as types.SctpStreamParameters,
        m.label,
        m.protocol,
      );
    return { dataProducerId: dp.id };
  },
};
