import { describe, expect, it } from 'vitest';
import { Auth } from '../auth/Auth.js';
import type { Cluster } from '../cluster/Cluster.js';
import type { SessionLocation } from '../cluster/types.js';
import { assertNotElsewhere, placeCreate } from './clusterRouting.js';
import type { HandlerContext } from './HandlerContext.js';

const SECRET = 'a-secret-of-at-least-32-characters!!';
const nodeB = {
  id: 'node-b',
  internalUrl: 'http://10.0.0.2:8080/',
  publicUrl: 'https://b.example/',
  capacity: 4,
  inUse: 1,
  draining: false,
  version: 'test',
  heartbeatAt: 0,
};

function context(o: { auth?: Auth; claims?: Awaited<ReturnType<Auth['verify']>>; where?: SessionLocation }) {
  const cluster = {
    createSession: async () => ({ sessionId: 'placed-1', host: nodeB }),
    locate: async () => o.where ?? { kind: 'unknown' },
  } as unknown as Cluster;
  const local = new Set(['local-1']);
  return {
    deps: {
      cluster,
      auth: o.auth,
      sessions: { find: (id: string) => (local.has(id) ? {} : undefined) },
    },
    auth: { claims: o.claims },
  } as unknown as HandlerContext;
}

describe('placeCreate', () => {
  it('answers where a placed session runs; in open mode without a token', async () => {
    expect(await placeCreate(context({}), undefined)).toEqual({
      sessionId: 'placed-1',
      hostUrl: 'https://b.example/',
    });
  });

  it('with tokens, hands a token for that session (same role and name, expiring no later)', async () => {
    const auth = new Auth({ secret: SECRET, maxTtlS: 86_400 });
    const claims = await auth.verify(await auth.mint({ role: 'controller', sub: 'Ann' }, 600));
    const placed = await placeCreate(context({ auth, claims }), undefined);
    const host = await auth.verify(placed.hostToken!);
    expect(host).toMatchObject({ role: 'controller', sid: 'placed-1', sub: 'Ann' });
    expect(host.exp).toBeLessThanOrEqual(claims.exp);
  });
});

describe('assertNotElsewhere', () => {
  it('sends a join of another live node’s session there, and says a dead node’s session is closed', async () => {
    await expect(
      assertNotElsewhere(context({ where: { kind: 'elsewhere', node: nodeB } }), 'remote-1'),
    ).rejects.toMatchObject({ code: 'session-elsewhere', hostUrl: 'https://b.example/' });
    await expect(
      assertNotElsewhere(context({ where: { kind: 'dead-node', nodeId: 'node-c' } }), 'remote-2'),
    ).rejects.toMatchObject({ code: 'session-closed' });
    // Unknown here and in the directory, or run here: the join goes on as on a single server.
    await expect(assertNotElsewhere(context({}), 'nobody')).resolves.toBeUndefined();
    const here = context({ where: { kind: 'elsewhere', node: nodeB } });
    await expect(assertNotElsewhere(here, 'local-1')).resolves.toBeUndefined();
  });
});
