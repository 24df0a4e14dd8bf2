import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROUTER_CODECS, senderRtpParameters } from '../media/codecs.js';
import { WorkerPool } from '../media/WorkerPool.js';
import { RouterGroup } from './RouterGroup.js';

const mediaCodecs = [ROUTER_CODECS.h264];

describe('RouterGroup', () => {
  const ctx = {} as { pool: WorkerPool; origin: types.Router; producer: types.Producer; group: RouterGroup };

  async function setUp(workers: number, viewersPerRouter: number, idleCloseMs = 30_000) {
    ctx.pool = await WorkerPool.create({
      size: workers,
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      port: 46000 + (process.pid % 1000),
    });
    const w = ctx.pool.acquire();
    ctx.origin = await w.worker.createRouter({ mediaCodecs });
    const plain = await ctx.origin.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    ctx.producer = await plain.produce({
      kind: 'video',
      rtpParameters: senderRtpParameters('h264', [{ ssrc: 1111 }, { ssrc: 2222 }]),
    });
    ctx.group = new RouterGroup({
      sessionId: 'test',
      origin: {
        router: ctx.origin,
        webRtcServer: w.webRtcServer,
        inputTransport: await ctx.origin.createDirectTransport(),
        workerIndex: w.index,
      },
      pool: ctx.pool,
      viewersPerRouter,
      mediaCodecs,
      idleCloseMs,
    });
  }

  beforeEach(() => {
    Object.assign(ctx, { pool: undefined, group: undefined });
  });

  afterEach(async () => {
    ctx.group?.close();
    const pids = ctx.pool?.workers.map((w) => w.worker.pid) ?? [];
    ctx.pool?.close();
    // Wait for the worker processes to exit (the next test reuses their ports).
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => pids.filter(alive), { timeout: 5000 }).toEqual([]);
  });

  it('fills the origin first, then a router on the other worker, then the least-loaded one', async () => {
    await setUp(2, 2);
    const a = await ctx.group.place();
    const b = await ctx.group.place();
    expect([a.router, b.router]).toEqual([ctx.origin, ctx.origin]);
    // Two joining at once past the limit share one new router, not one each.
    const [c, d] = await Promise.all([ctx.group.place(), ctx.group.place()]);
    expect(c.router).toBe(d.router);
    expect(c.router).not.toBe(ctx.origin);
    expect(c.piped).toBe(true);
    expect(c.workerIndex).not.toBe(a.workerIndex);
    expect(c.webRtcServer).not.toBe(a.webRtcServer);
    expect(c.inputTransport.constructor.name).toBe('DirectTransport');
    // Every worker used: the next goes where the fewest viewers are.
    a.release();
    const e = await ctx.group.place();
    expect(e.router).toBe(ctx.origin);
    const f = await ctx.group.place();
    expect(ctx.group.describe().map((r) => r.viewers)).toEqual([3, 2]);
    expect([ctx.origin, c.router]).toContain(f.router);
  });

  it('pipes the video to a viewer router once, by the same producer id, simulcast encodings and all', async () => {
    await setUp(2, 1);
    await ctx.group.place();
    const far = await ctx.group.place();
    const caps = ctx.origin.rtpCapabilities;
    expect(far.router.canConsume({ producerId: ctx.producer.id, rtpCapabilities: caps })).toBe(false);
    await Promise.all([
      ctx.group.producerOn(far.router, ctx.producer),
      ctx.group.producerOn(far.router, ctx.producer),
    ]);
    expect(far.router.canConsume({ producerId: ctx.producer.id, rtpCapabilities: caps })).toBe(true);
    const t = await far.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    const consumer = await t.consume({ producerId: ctx.producer.id, rtpCapabilities: caps });
    expect(consumer.type).toBe('simulcast');
    // Nothing to pipe on the origin.
    await ctx.group.producerOn(ctx.origin, ctx.producer);
  });

  it('with one worker, keeps every viewer on the origin', async () => {
    await setUp(1, 1);
    const placed = await Promise.all([ctx.group.place(), ctx.group.place(), ctx.group.place()]);
    expect(new Set(placed.map((p) => p.router))).toEqual(new Set([ctx.origin]));
  });

  it('closes a piped router once it has had no viewers for a while, and gives its worker back', async () => {
    await setUp(2, 1, 200);
    await ctx.group.place();
    const far = await ctx.group.place();
    const closed = new Promise((r) => ctx.group.observer.once('router-close', (_s, why) => r(why)));
    far.release();
    far.release(); // idempotent
    expect(await closed).toBe('idle');
    expect(far.router.closed).toBe(true);
    expect(ctx.group.routers).toHaveLength(1);
    // The next viewer past the limit gets a fresh router on that worker again.
    const again = await ctx.group.place();
    expect(again.router).not.toBe(far.router);
    expect(again.workerIndex).toBe(far.workerIndex);
  });

  it('drops a piped router whose worker dies; close() leaves the origin open', async () => {
    await setUp(2, 1);
    await ctx.group.place();
    const far = await ctx.group.place();
    const closed = new Promise((r) => ctx.group.observer.once('router-close', (_s, why) => r(why)));
    const dead = ctx.pool.workers[far.workerIndex]!.worker;
    process.kill(dead.pid, 'SIGKILL');
    expect(await closed).toBe('worker closed');
    expect(ctx.group.routers.map((r) => r.router)).toEqual([ctx.origin]);
    ctx.group.close();
    expect(ctx.origin.closed).toBe(false);
    await expect(ctx.group.place()).rejects.toThrow('closed');
    // Let the pool replace the worker before tearing it down.
    await expect
      .poll(() => ctx.pool.workers[far.workerIndex]!.worker.pid, { timeout: 10_000 })
      .not.toBe(dead.pid);
  });
});
