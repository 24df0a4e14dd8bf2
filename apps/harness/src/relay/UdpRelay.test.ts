import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_IMPAIRMENTS } from './impairments.js';
import { UdpRelay } from './UdpRelay.js';

interface Ctx {
  sockets: dgram.Socket[];
  relays: UdpRelay[];
}

async function socket(ctx: Ctx, address = '127.0.0.1'): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  ctx.sockets.push(s);
  await new Promise<void>((r) => s.bind(0, address, r));
  return s;
}

/** An echo server on loopback. */
async function echoServer(ctx: Ctx): Promise<dgram.Socket> {
  const echo = await socket(ctx);
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  return echo;
}

/** Sends `count` numbered 100-byte pings, 5 ms apart, to `dest`; returns the round trips that came back. */
async function ping(ctx: Ctx, dest: { address: string; port: number }, count: number): Promise<number[]> {
  const client = await socket(ctx);
  const sent = new Map<number, number>();
  const rtts: number[] = [];
  client.on('message', (m) => {
    const t = sent.get(m.readUInt32BE(0));
    if (t !== undefined) rtts.push(performance.now() - t);
  });
  for (let i = 0; i < count; i++) {
    const b = Buffer.alloc(100);
    b.writeUInt32BE(i, 0);
    sent.set(i, performance.now());
    client.send(b, dest.port, dest.address);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 300));
  return rtts;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('UdpRelay', () => {
  const ctx: Ctx = { sockets: [], relays: [] };
  afterEach(() => {
    for (const s of ctx.sockets.splice(0)) s.close();
    for (const r of ctx.relays.splice(0)) r.close();
  });

  async function measure(up: typeof NO_IMPAIRMENTS, down: typeof NO_IMPAIRMENTS, count = 200) {
    const echo = await echoServer(ctx);
    const target = { address: '127.0.0.1', port: echo.address().port };
    // Direct first (the baseline, side by side), then through a relay with the impairments.
    const base = median(await ping(ctx, target, count));
    const relay = await UdpRelay.start({
      listen: { address: '127.0.0.2', port: 0 },
      target,
      upstreamAddress: '127.0.0.3',
      up,
      down,
    });
    ctx.relays.push(relay);
    const rtts = await ping(ctx, relay.address, count);
    return { base, relayed: median(rtts), received: rtts.length, relay };
  }

  it('adds the configured round trip, within ±1 ms on loopback', async () => {
    const none = await measure(NO_IMPAIRMENTS, NO_IMPAIRMENTS);
    const { base, relayed, received } = await measure(
      { ...NO_IMPAIRMENTS, delayMs: 15 },
      { ...NO_IMPAIRMENTS, delayMs: 25 },
    );
    // The relay's own cost (a hop through Node each way) is measured side by side and taken out.
    const hop = none.relayed - none.base;
    const added = relayed - base - hop;
    console.log(`relay hop ${hop.toFixed(2)} ms; added RTT ${added.toFixed(2)} ms for 40 ms configured`);
    expect(received).toBe(200);
    expect(Math.abs(added - 40)).toBeLessThanOrEqual(1);
  });

  it('loses packets at the configured rate, per direction', async () => {
    const { received, relay } = await measure(
      { ...NO_IMPAIRMENTS, lossPct: 10 },
      { ...NO_IMPAIRMENTS, lossPct: 10 },
      600,
    );
    // Survives both directions: 0.9 × 0.9 = 81%.
    expect(received / 600).toBeGreaterThan(0.74);
    expect(received / 600).toBeLessThan(0.88);
    expect(relay.counts.upLost / relay.counts.up).toBeGreaterThan(0.06);
    expect(relay.counts.upLost / relay.counts.up).toBeLessThan(0.14);
  });

  it('impairs one client only, picked by the relay port the server sees it on', async () => {
    const echo = await echoServer(ctx);
    const seen: number[] = [];
    echo.on('message', (_m, r) => seen.push(r.port));
    const relay = await UdpRelay.start({
      listen: { address: '127.0.0.2', port: 0 },
      target: { address: '127.0.0.1', port: echo.address().port },
      upstreamAddress: '127.0.0.3',
    });
    ctx.relays.push(relay);
    // One ping each opens both flows; then the first client's link drops everything.
    expect(await ping(ctx, relay.address, 1)).toHaveLength(1);
    const first = seen[0]!;
    expect(relay.setFlowImpairments(first, NO_IMPAIRMENTS, { ...NO_IMPAIRMENTS, lossPct: 100 })).toBe(true);
    expect(relay.setFlowImpairments(1, NO_IMPAIRMENTS, NO_IMPAIRMENTS)).toBe(false);
    expect(await ping(ctx, relay.address, 20)).toHaveLength(20);
    expect(relay.counts.downLost).toBe(0);
  });
});
