import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { Offload } from '../Offload.js';

/** A real server on a free port: real workers, real app runtimes, debug read-back on. */
export function startTestServer(env: Record<string, string> = {}): Promise<Offload> {
  return Offload.start(
    loadConfig({
      OFFLOAD_PORT: '0',
      OFFLOAD_WORKERS: '1',
      // Away from the default ports, so a developer's running server does not collide.
      OFFLOAD_RTC_PORT: String(45000 + (process.pid % 1000)),
      OFFLOAD_DEBUG: '1',
      OFFLOAD_CODECS: 'h264',
      // The resume-token key of test servers stays out of the user's home.
      OFFLOAD_STATE_DIR: path.join(os.tmpdir(), 'offload-test-state'),
      // No warm app runtime unless a test asks: each one is a Chromium on a shared machine.
      OFFLOAD_WARM_RUNTIMES: '0',
      ...env,
    }),
  );
}
