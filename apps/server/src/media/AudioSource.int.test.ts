import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioSink } from '../runtime/AudioSink.js';
import { AudioSource } from './AudioSource.js';
import { OPUS } from './codecs.js';

/** Bytes the producer has received so far. */
const bytesIn = async (p: types.Producer) => (await p.getStats()).reduce((n, s) => n + (s.byteCount ?? 0), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The producer's packets as a consumer sends them out of the router: RTP timestamp and arrival time. */
async function receiveRtp(router: types.Router, producer: types.Producer) {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const packets: { ts: number; at: number }[] = [];
  socket.on('message', (m) => {
    if (m.length >= 12 && (m[1]! & 0x7f) >= 96)
      packets.push({ ts: m.readUInt32BE(4), at: performance.now() });
  });
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
  });
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  return {
    packets,
    close: () => {
      transport.close();
      socket.close();
    },
  };
}

describe('AudioSink + AudioSource', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('records what plays into the sink as Opus; while nothing plays, the sink sleeps and nothing is sent', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'offload-audio-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const sink = await AudioSink.start({ dir });
    cleanup.push(() => sink.stop());
    expect(sink.server).toMatch(/^unix:\//);

    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    cleanup.push(() => worker.close());
    const router = await worker.createRouter({ mediaCodecs: [OPUS] });
    const source = await AudioSource.start({ router, server: sink.server });
    cleanup.push(() => source.close());
    expect(source.producer.kind).toBe('audio');
    const rtp = await receiveRtp(router, source.producer);
    cleanup.push(() => rtp.close());

    // Nothing plays: the sink sleeps, and the recorder sends nothing at all.
    await sink.settled();
    expect(sink.awake).toBe(false);
    await sleep(1000);
    expect(await bytesIn(source.producer)).toBe(0);

    // Something plays into the sink (as the app browser does): it wakes, and a loud noise flows.
    const play = () => {
      const p = spawn(
        'gst-launch-1.0',
        ['-q', 'audiotestsrc', 'wave=white-noise', 'volume=0.8', '!', 'pulsesink', `server=${sink.server}`],
        { stdio: 'ignore' },
      );
      cleanup.push(() => p.kill('SIGKILL'));
      return p;
    };
    let player: ChildProcess = play();
    await source.ready;
    expect(sink.awake).toBe(true);
    const b1 = await bytesIn(source.producer);
    await sleep(1000);
    expect((await bytesIn(source.producer)) - b1).toBeGreaterThan(5000);

    // It stops: the sink goes back to sleep and the packets stop.
    player.kill('SIGKILL');
    await expect.poll(() => sink.awake, { timeout: 5000 }).toBe(false);
    await sleep(300);
    const n0 = rtp.packets.length;
    await sleep(1500);
    expect(rtp.packets.length).toBe(n0);

    // It plays again: the sound's RTP timestamps moved on by the pause, as the viewer's jitter
    // buffer needs (on the sink's own clock, which stops while it sleeps, they would not have).
    player = play();
    await expect.poll(() => rtp.packets.length, { timeout: 5000 }).toBeGreaterThan(n0 + 20);
    const before = rtp.packets[n0 - 1]!;
    const after = rtp.packets[n0 + 10]!;
    const rtpMs = ((after.ts - before.ts) >>> 0) / 48;
    const wallMs = after.at - before.at;
    expect(wallMs).toBeGreaterThan(1500);
    expect(Math.abs(rtpMs - wallMs)).toBeLessThan(150);
    player.kill('SIGKILL');

    // A recorder that dies is reported (the session then drops its sound, not its video).
    const died = new Promise<string>((r) => source.events.once('died', r));
    source.proc.kill('SIGKILL');
    expect(await died).toMatch(/audio recorder exited/);
  });

  it('reports the reason when the sound card is not there', async () => {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    cleanup.push(() => worker.close());
    const router = await worker.createRouter({ mediaCodecs: [OPUS] });
    const source = await AudioSource.start({ router, server: 'unix:/nonexistent/pulse/native' });
    cleanup.push(() => source.close());
    // It started without waiting for sound; the recorder then fails, and says why.
    const why = await new Promise<string>((r) => source.events.once('died', r));
    expect(why).toMatch(/audio recorder exited .*(pulse|connect|resource)/is);
  });
});
