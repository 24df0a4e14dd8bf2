import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Starts the real server (its own process, so its CPU can be told apart) and waits for /healthz.
 * `checkout`: another checkout of the repository to run the server of (a benchmark comparing
 * versions side by side); default this one.
 */
/**
 * A test or bench server's RTC port is its HTTP port + this: above Linux's ephemeral port
 * range (32768–60999), where no other process's outgoing connection can hold it (with + 30000
 * a run failed once: "address already in use" on 38194).
 */
export const RTC_PORT_OFFSET = 55000;

export async function startServer(
  port: number,
  env: Record<string, string> = {},
  checkout = root,
): Promise<ChildProcess> {
  // Default ports are kept clear: RTC port = HTTP port + RTC_PORT_OFFSET unless set.
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(checkout, 'apps/server'),
    env: {
      ...process.env,
      OFFLOAD_PORT: String(port),
      OFFLOAD_RTC_PORT: String(port + RTC_PORT_OFFSET),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Usually up in 2–6 s; on a saturated box (CI) a start once took over 20 s.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} before it was up`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error('server did not start within 60 s');
}

export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}
