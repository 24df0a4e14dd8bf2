import { ensureWorkerBinEnv } from '../workerBin.js';

// mediasoup reads MEDIASOUP_WORKER_BIN on first import.
ensureWorkerBinEnv();
process.env.LOG_LEVEL ??= 'warn';
