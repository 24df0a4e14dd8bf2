import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Where scripts/build-mediasoup-worker.sh leaves the worker it built from Debian's libraries:
 * ~/.cache/offload/mediasoup-worker/<version>-<patch hash>/mediasoup-worker.
 */
export function cachedWorkerBin(): string | undefined {
  const version: string = JSON.parse(readFileSync(path.join(repoRoot, 'apps/server/package.json'), 'utf8'))
    .dependencies.mediasoup;
  const patch = path.join(repoRoot, 'patches', `mediasoup@${version}.patch`);
  if (!existsSync(patch)) return undefined;
  const hash = createHash('sha256').update(readFileSync(patch)).digest('hex').slice(0, 12);
  const cache = process.env.OFFLOAD_CACHE_DIR || path.join(os.homedir(), '.cache', 'offload');
  const bin = path.join(cache, 'mediasoup-worker', `${version}-${hash}`, 'mediasoup-worker');
  return existsSync(bin) ? bin : undefined;
}

/**
 * mediasoup reads MEDIASOUP_WORKER_BIN when it is first loaded, so this must run before any
 * import of 'mediasoup'. An explicit variable wins; otherwise our Debian build if present;
 * otherwise mediasoup's own (prebuilt or compiled) worker inside node_modules.
 */
export function ensureWorkerBinEnv(): void {
  if (process.env.MEDIASOUP_WORKER_BIN) return;
  const bin = cachedWorkerBin();
  if (bin) process.env.MEDIASOUP_WORKER_BIN = bin;
}
