import type { Viewer } from './Viewer.js';

/**
 * A viewer for the debug endpoint: its input counts, the router it is on, where its
 * transports' packets come from (ICE-selected tuple), and each consumer's simulcast layers
 * (current = what mediasoup forwards now, chosen from its bandwidth estimate; preferred =
 * the highest it may pick).
 */
export function describeViewer(v: Viewer): Record<string, unknown> {
  return {
    id: v.id,
    input: { ...v.input.counts },
    routerId: v.router.id,
    transports: [...v.transports.values()].map((t) => ({
      id: t.id,
      direction: t.appData.direction,
      tuple: t.iceSelectedTuple
        ? { remoteIp: t.iceSelectedTuple.remoteIp, remotePort: t.iceSelectedTuple.remotePort }
        : null,
    })),
    producers: [...v.producers.values()].map((p) => ({ id: p.id, kind: p.kind })),
    consumers: [...v.consumers.values()].map((c) => ({
      id: c.id,
      type: c.type,
      paused: c.paused,
      currentLayers: c.currentLayers ?? null,
      preferredLayers: c.preferredLayers ?? null,
    })),
  };
}
