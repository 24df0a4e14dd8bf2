import {
  OffloadError,
  PROTOCOL_VERSION,
  type RequestMessage,
  type RequestType,
  type ResponseData,
} from '@offload/protocol';
import type { types } from 'mediasoup';
import type { Session } from '../session/Session.js';
import type { Viewer } from '../session/Viewer.js';
import { assertNotElsewhere, placeCreate } from './clusterRouting.js';
import type { HandlerContext } from './HandlerContext.js';

type Handler<K extends RequestType> = (c: HandlerContext, m: RequestMessage<K>) => Promise<ResponseData<K>>;
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
    return {
      protocolVersion: PROTOCOL_VERSION,
      serverVersion: c.deps.serverVersion,
      routerRtpCapabilities: c.deps.routerRtpCapabilities,
    };
  },

  async 'session/create'(c, m) {
    c.deps.auth?.assertCanCreate(c.auth);
    const giveBack = c.deps.auth?.takeCreation(c.auth) ?? (() => {});
    try {
      let url: string | undefined;
      if (m.url !== undefined) {
        if (!c.deps.urlPolicy)
          throw new OffloadError('url-not-allowed', 'This server opens only its own app.');
        url = (await c.deps.urlPolicy.assertAllowed(m.url)).href;
      }
      const placed = await placeCreate(c, url);
      // A session placed on another node is joined there (with its hostToken, if tokens are on).
      if (!placed.hostUrl) c.createdSessions.add(placed.sessionId);
      return placed;
    } catch (err) {
      giveBack();
      throw err;
    }
  },

  async 'session/join'(c, m) {
    assertNotJoined(c);
    c.deps.auth?.assertCanJoin(c.auth, m.sessionId, c.createdSessions.has(m.sessionId));
    await assertNotElsewhere(c, m.sessionId);
    const session = c.deps.sessions.get(m.sessionId);
    await session.whenRunning();
    const canControl = c.deps.auth?.canControl(c.auth) ?? true;
    const viewer = await session.addViewer({ name: c.auth.claims?.sub, canControl });
    c.attach(session, viewer);
    return joined(c, session, viewer);
  },

  async 'session/resume'(c, m) {
    assertNotJoined(c);
    const claims = c.deps.resumeTokens.verify(m.resumeToken);
    if (claims.sid !== m.sessionId)
      throw new OffloadError('not-allowed', 'This resume token is for another session.');
    c.deps.resumeTokens.redeem(claims);
    // A server restarted in place no longer runs the session: it starts it again, same id —
    // and its page only if this server's URL policy (which may have changed) still allows it.
    // ...unless another node of the cluster runs it: the client resumes there.
    await assertNotElsewhere(c, claims.sid);
    const recreate = !c.deps.sessions.sessions.has(claims.sid);
    if (recreate && claims.url !== undefined) {
      if (!c.deps.urlPolicy) throw new OffloadError('url-not-allowed', 'This server opens only its own app.');
      await c.deps.urlPolicy.assertAllowed(claims.url);
    }
    const session = await c.deps.sessions.getOrRecreate(claims.sid, { url: claims.url });
    await session.whenRunning();
    if (c.viewer) throw new OffloadError('already-joined', 'This connection joined a session meanwhile.');
    const { viewer, fresh } = await session.resumeViewer(claims.vid, {
      name: claims.name,
      canControl: claims.ctl,
    });
    c.attach(session, viewer);
    return { ...joined(c, session, viewer, claims.jti), fresh };
  },

  async 'transport/restart-ice'(c, m) {
    const iceParameters = await c.joined().viewer.restartIce(m.transportId);
    return { iceParameters: iceParameters as unknown as Record<string, unknown> };
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
    // The sound beside the video, if the app has some and this client decodes Opus.
    const [video, audio] = await Promise.all([
      session.sources.producerFor(caps, viewer.router),
      session.sources.audioProducerFor(caps, viewer.router),
    ]);
    const consumers = await viewer.consume(audio ? [video, audio] : [video], caps);
    return {
      consumers: consumers.map((consumer) => ({
        consumerId: consumer.id,
        producerId: consumer.producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
      })),
    };
  },

  async 'media/resume'(c, m) {
    await c.joined().viewer.resume(m.consumerId);
    return {};
  },

  async 'media/pause'(c, m) {
    await c.joined().viewer.pause(m.consumerId);
    return {};
  },

  async 'media/keyframe'(c, m) {
    await c.joined().viewer.requestKeyFrame(m.consumerId);
    return {};
  },

  async 'media/quality'(c, m) {
    await c.joined().viewer.setQualityCap(m.cap);
    return {};
  },

  async 'data/consume'(c) {
    const dc = await c.joined().viewer.consumeReports();
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

  // auth and roles
  async 'control/grant'(c, m) {
    const { session, viewer } = c.joined();
    session.control.grant(viewer.id, m.viewerId);
    return {};
  },

  async 'control/request'(c) {
    const { session, viewer } = c.joined();
    session.control.request(viewer.id);
    return {};
  },

  async 'control/take'(c) {
    const { session, viewer } = c.joined();
    session.control.take(viewer.id);
    return {};
  },

  async 'control/release'(c) {
    const { session, viewer } = c.joined();
    session.control.release(viewer.id);
    return {};
  },

  // the device's camera and microphone (see session/CaptureRelay.ts)
  async 'capture/produce'(c, m) {
    const { session, viewer } = c.joined();
    const producer = await session.capture.produce(viewer, m);
    return { producerId: producer.id };
  },

  async 'capture/end'(c, m) {
    const { session, viewer } = c.joined();
    session.capture.end(viewer, m);
    return {};
  },
};

function assertNotJoined(c: HandlerContext): void {
  if (c.viewer)
    throw new OffloadError('already-joined', 'This connection has joined a session already; leave it first.');
}

/** What join and resume answer: the media set-up, the participant's role, its resume token. */
/** The join/resume answer; `replaces`: the id of the resume token this answer's token succeeds. */
function joined(c: HandlerContext, session: Session, viewer: Viewer, replaces?: string) {
  const { controllerId, controllerName } = session.control;
  const me = session.control.participant(viewer.id);
  const canControl = me?.eligible ?? false;
  return {
    sessionId: session.id,
    viewerId: viewer.id,
    routerRtpCapabilities: session.router.rtpCapabilities as Record<string, unknown>,
    screen: session.screen,
    role: controllerId === viewer.id ? ('controller' as const) : ('viewer' as const),
    canControl,
    controllerId,
    ...(controllerName ? { controllerName } : {}),
    resumeToken: c.deps.resumeTokens.issue(
      {
        sid: session.id,
        vid: viewer.id,
        ctl: canControl,
        ...(me?.name ? { name: me.name } : {}),
        ...(session.url ? { url: session.url } : {}),
      },
      Date.now(),
      replaces,
    ),
  };
}
