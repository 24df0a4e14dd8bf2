import { OffloadError } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from './EmbeddedStore.js';
import { Placement, rankCandidates } from './Placement.js';
import type { NodeRecord } from './types.js';

const node = (id: string, capacity: number, inUse: number, draining = false): NodeRecord => ({
  id,
  internalUrl: `http://${id}.internal:8080/`,
  publicUrl: `http://${id}.example:8080/`,
  capacity,
  inUse,
  draining,
  version: 'test',
  heartbeatAt: 0,
});

async function storeWith(nodes: NodeRecord[]): Promise<EmbeddedStore> {
  const store = new EmbeddedStore();
  for (const n of nodes) await store.putNode(n, 60_000);
  return store;
}

describe('rankCandidates', () => {
  it('orders by free room, then id; leaves out the placing node, full and draining nodes', () => {
    const nodes = [node('a', 4, 4), node('c', 4, 2), node('b', 4, 2), node('d', 8, 1), node('e', 9, 0, true)];
    expect(rankCandidates(nodes, 'self').map((n) => n.id)).toEqual(['d', 'b', 'c']);
    expect(rankCandidates(nodes, 'd').map((n) => n.id)).toEqual(['b', 'c']);
    expect(rankCandidates([], 'self')).toEqual([]);
  });
});

describe('Placement', () => {
  it('creates on the node with the most room', async () => {
    const nodes = [node('self', 1, 1), node('b', 2, 1), node('c', 3, 0)];
    const p = new Placement(await storeWith(nodes), 'self');
    expect(await p.place(nodes, async (n) => n.id)).toBe('c');
  });

  it('never lets concurrent placements take more slots than a node has', async () => {
    // b has one slot, c two: five concurrent creates fill three slots, two find no room.
    const nodes = [node('self', 1, 1), node('b', 1, 0), node('c', 2, 0)];
    const store = await storeWith(nodes);
    const p = new Placement(store, 'self');
    const slow = () => new Promise((r) => setTimeout(r, 20));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        p.place(nodes, async (n) => {
          await slow();
          return n.id;
        }),
      ),
    );
    const placed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(placed.sort()).toEqual(['b', 'c', 'c']);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'at-capacity' });
  });

  it('releases its reservation after the create, so the slot is free again', async () => {
    const nodes = [node('self', 1, 1), node('b', 1, 0)];
    const store = await storeWith(nodes);
    const p = new Placement(store, 'self');
    await p.place(nodes, async () => 'ok');
    expect(await store.reserve('b', 'probe', 1000)).toBe(true);
  });

  it('passes over a node that answers at-capacity or cannot be reached, and stops at other errors', async () => {
    const nodes = [node('self', 1, 1), node('b', 3, 0), node('c', 2, 0), node('d', 1, 0)];
    const p = new Placement(await storeWith(nodes), 'self');
    const tried: string[] = [];
    const got = await p.place(nodes, async (n) => {
      tried.push(n.id);
      if (n.id === 'b') throw new OffloadError('at-capacity', 'full after all');
      if (n.id === 'c') throw new OffloadError('not-ready', 'unreachable');
      return n.id;
    });
    expect(tried).toEqual(['b', 'c', 'd']);
    expect(got).toBe('d');
    await expect(
      p.place(nodes, async () => {
        throw new OffloadError('url-not-allowed', 'no');
      }),
    ).rejects.toMatchObject({ code: 'url-not-allowed' });
  });

  it('answers at-capacity when no node has room', async () => {
    const nodes = [node('self', 1, 1), node('b', 1, 1), node('c', 5, 0, true)];
    const p = new Placement(await storeWith(nodes), 'self');
    await expect(p.place(nodes, async () => 'x')).rejects.toMatchObject({ code: 'at-capacity' });
  });

  it('does not place on a node whose record expired', async () => {
    let now = 0;
    const store = new EmbeddedStore(() => now);
    const b = node('b', 1, 0);
    await store.putNode(b, 1000);
    now = 1500;
    const p = new Placement(store, 'self');
    await expect(p.place([b], async () => 'x')).rejects.toMatchObject({ code: 'at-capacity' });
    expect(await store.liveNodes()).toEqual([]);
  });
});
