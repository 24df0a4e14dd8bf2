import { ensureWorkerBinEnv } from './workerBin.js';

// mediasoup reads MEDIASOUP_WORKER_BIN when first loaded: set it before importing anything that loads it.
ensureWorkerBinEnv();

const { loadConfig, ConfigError } = await import('./config.js');
const { Offload } = await import('./Offload.js');
const { rootLogger } = await import('./logger.js');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const offload = await Offload.start(config);
console.log(`\n  Offload is running. Open ${offload.url} and press "Open the demo app".\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    rootLogger.info({ signal }, 'shutting down');
    offload.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
