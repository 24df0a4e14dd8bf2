import { NETWORK_PROFILES } from '@offload/latency';
import { type LinkImpairments, NO_IMPAIRMENTS } from './relay/impairments.js';

/** A network to emulate: impairments per direction, from a budget profile or given by hand. */
export interface EmulatedProfile {
  id: string;
  name: string;
  /** Round trip the profile adds (ms): what the report expects latency to shift by. */
  addedRttMs: number;
  up: LinkImpairments;
  down: LinkImpairments;
}

/** Built-in profiles: loopback (nothing added) and every network budget profile. */
export function builtInProfiles(): EmulatedProfile[] {
  const none: EmulatedProfile = {
    id: 'loopback',
    name: 'Loopback (no emulation)',
    addedRttMs: 0,
    up: NO_IMPAIRMENTS,
    down: NO_IMPAIRMENTS,
  };
  return [none, ...Object.values(NETWORK_PROFILES).map((n) => fromNetwork(n.id))];
}

/** The relay settings for a network budget profile: half the round trip each way. */
export function fromNetwork(id: string): EmulatedProfile {
  if (id === 'loopback') return builtInProfiles()[0]!;
  const n = NETWORK_PROFILES[id];
  if (!n)
    throw new TypeError(
      `unknown profile "${id}"; known: loopback, ${Object.keys(NETWORK_PROFILES).join(', ')}, custom`,
    );
  const side = (mbps: number): LinkImpairments => ({
    ...NO_IMPAIRMENTS,
    delayMs: n.rttMs / 2,
    jitterMs: n.jitterMs,
    lossPct: n.lossPct,
    rateKbps: mbps * 1000,
  });
  return { id: n.id, name: n.name, addedRttMs: n.rttMs, up: side(n.uplinkMbps), down: side(n.downlinkMbps) };
}

export interface CustomLink {
  delayMs: number;
  jitterMs: number;
  lossPct: number;
  burstPct: number;
  downKbps: number;
  upKbps: number;
}

/** A hand-made profile: one-way delay each way, jitter, random loss, bursty loss, rate caps. */
export function custom(c: CustomLink): EmulatedProfile {
  // Bursts of mean length 4 packets reaching burstPct of all packets: enter = exit × p / (1 − p).
  const exit = 25;
  const enter = c.burstPct > 0 ? (exit * c.burstPct) / (100 - c.burstPct) : 0;
  const side = (kbps: number): LinkImpairments => ({
    ...NO_IMPAIRMENTS,
    delayMs: c.delayMs,
    jitterMs: c.jitterMs,
    lossPct: c.lossPct,
    burstEnterPct: enter,
    burstExitPct: exit,
    rateKbps: kbps,
  });
  return {
    id: 'custom',
    name: `Custom (${c.delayMs} ms each way, ±${c.jitterMs} ms, ${c.lossPct}% + ${c.burstPct}% bursty loss)`,
    addedRttMs: 2 * c.delayMs,
    up: side(c.upKbps),
    down: side(c.downKbps),
  };
}
