import { type ChildProcess, spawn } from 'node:child_process';
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

describe('AudioSink + AudioSource', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('records what plays into the sink and produces it as Opus, louder when something plays', async () => {
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
    await source.ready;

    // The sink's silence is recorded and sent too (Opus without DTX): the stream never stalls.
    const b0 = await bytesIn(source.producer);
    await sleep(1000);
    const silent = (await bytesIn(source.producer)) - b0;
    expect(silent).toBeGreaterThan(0);

    // Something plays into the sink (as the app browser does): a loud noise, which Opus
    // cannot squeeze like silence.
    const player: ChildProcess = spawn(
      'gst-launch-1.0',
      ['-q', 'audiotestsrc', 'wave=white-noise', 'volume=0.8', '!', 'pulsesink', `server=${sink.server}`],
      { stdio: 'ignore' },
    );
    cleanup.push(() => player.kill('SIGKILL'));
    await sleep(500);
    const b1 = await bytesIn(source.producer);
    await sleep(1000);
    const loud = (await bytesIn(source.producer)) - b1;
    expect(loud).toBeGreaterThan(silent * 2);

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
