import type { ChildProcess } from 'node:child_process';
import { createSession, startServer, stopServer, TestRedis } from '@offload/testkit';
import { expect, test } from '@playwright/test';
import { frameDetail, sharedServerIdle, waitForStreaming } from '../lib/video.js';

/** Two nodes of a cluster on loopback, each with its own port and room for one session. */
const PORT_1 = Number(process.env.OFFLOAD_E2E_CLUSTER_PORT ?? 8195);
const PORT_2 = PORT_1 + 2;
const SECRET = 'e2e-cluster-secret-0123456789abcdefghij';

/**
 * The player on node 1 opens the demo while node 1 is full: node 1 places the session on
 * node 2, the player follows it there (its CSP lets it reach node 2, which allows node 1's
 * pages) and gets a live picture from node 2.
 */
test.describe
  .serial('a cluster of two nodes', () => {
    let redis: TestRedis;
    const servers: ChildProcess[] = [];

    test.beforeAll(async () => {
      await sharedServerIdle();
      redis = await TestRedis.start();
      const common = {
        OFFLOAD_REDIS_URL: redis.url,
        OFFLOAD_CLUSTER_SECRET: SECRET,
        OFFLOAD_MAX_SESSIONS: '1',
        OFFLOAD_WORKERS: '1',
        OFFLOAD_WARM_RUNTIMES: '0',
        OFFLOAD_DEBUG: '1',
        OFFLOAD_SESSION_IDLE_TIMEOUT_S: '120',
      };
      servers.push(
        await startServer(PORT_1, {
          ...common,
          OFFLOAD_NODE_ID: 'node-1',
          // The player served here may follow a session to node 2.
          OFFLOAD_PLAYER_SERVERS: `127.0.0.1:${PORT_2}`,
        }),
        await startServer(PORT_2, {
          ...common,
          OFFLOAD_NODE_ID: 'node-2',
          // Node 1's player pages may open the signaling socket here.
          OFFLOAD_ALLOWED_ORIGINS: `http://127.0.0.1:${PORT_1}`,
        }),
      );
    });

    test.afterAll(async () => {
      for (const s of servers) await stopServer(s);
      await redis?.close();
    });

    test('a create on a full node is placed on the other, and the player streams from it', async ({
      browser,
    }) => {
      // Node 1 is full with a session of its own.
      const first = await createSession(PORT_1);
      const sessions = async (port: number) => {
        const r = await fetch(`http://127.0.0.1:${port}/api/sessions`);
        return ((await r.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id);
      };
      expect(await sessions(PORT_1)).toEqual([first]);

      const context = await browser.newContext({ baseURL: `http://127.0.0.1:${PORT_1}` });
      const page = await context.newPage();
      const sockets: string[] = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      await page.goto('/');
      await page.getByTestId('start-demo').click();
      await waitForStreaming(page, 60_000);
      const sessionId = new URL(page.url()).searchParams.get('session');
      // The session runs on node 2; the page stayed on node 1 and its signaling moved to node 2.
      expect(await sessions(PORT_2)).toEqual([sessionId]);
      expect(new URL(page.url()).port).toBe(String(PORT_1));
      expect(sockets).toEqual([`ws://127.0.0.1:${PORT_1}/ws`, `ws://127.0.0.1:${PORT_2}/ws`]);
      // A real picture of the demo app (not a blank frame).
      await expect.poll(() => frameDetail(page), { timeout: 30_000 }).toBeGreaterThan(15);
      await context.close();
    });
  });
