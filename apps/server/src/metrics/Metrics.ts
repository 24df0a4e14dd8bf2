import { LATENCY_BUCKETS_MS } from '@offload/latency';
import { INPUT_TYPES, type LatencySampleWire } from '@offload/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkerPool } from '../media/WorkerPool.js';
import type { SessionManager } from '../session/SessionManager.js';

/**
 * Prometheus metrics, served as text on /metrics: input-to-photon and its segments as
 * clients measured them, the segments the server measures itself, sessions, viewers, and
 * each mediasoup worker's CPU and memory.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #inputToPhoton: Histogram<'kind'>;
  readonly #clientSegments: Histogram<'segment'>;
  readonly #serverSegments: Histogram<'segment'>;
  readonly #samples: Counter;
  readonly #gapSamples: Counter;

  constructor(sessions: SessionManager, pool: WorkerPool) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'offload_process_' });
    this.#inputToPhoton = new Histogram({
      name: 'offload_input_to_photon_ms',
      help: 'Input-to-photon as clients measure it: input sent → first frame showing its effect on screen (ms)',
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.#clientSegments = new Histogram({
      name: 'offload_input_segment_ms',
      help: 'Segments of input-to-photon as clients report them (ms)',
      labelNames: ['segment'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.#serverSegments = new Histogram({
      name: 'offload_server_segment_ms',
      help: 'Server-side segments measured on the server: inject, renderCapture, encode (ms)',
      labelNames: ['segment'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    });
    this.#samples = new Counter({
      name: 'offload_latency_samples_total',
      help: 'Input-to-photon samples reported by clients',
      registers,
    });
    this.#gapSamples = new Counter({
      name: 'offload_latency_samples_frame_gap_total',
      help: 'Samples whose photon time is only bracketed: frames went by unread on a busy client (frameGap > 0)',
      registers,
    });
    new Gauge({
      name: 'offload_sessions',
      help: 'Running sessions',
      registers,
      collect() {
        this.set(sessions.sessions.size);
      },
    });
    new Gauge({
      name: 'offload_viewers',
      help: 'Viewers across all sessions',
      registers,
      collect() {
        let n = 0;
        for (const s of sessions.sessions.values()) n += s.viewers.size;
        this.set(n);
      },
    });
    const usage = async () =>
      Promise.all(pool.workers.map(async (w) => ({ index: w.index, u: await w.worker.getResourceUsage() })));
    new Gauge({
      name: 'offload_worker_cpu_seconds',
      help: 'CPU time (user + system) each mediasoup worker has used (s)',
      labelNames: ['worker'],
      registers,
      async collect() {
        for (const { index, u } of await usage())
          this.set({ worker: String(index) }, (u.ru_utime + u.ru_stime) / 1000);
      },
    });
    new Gauge({
      name: 'offload_worker_max_rss_bytes',
      help: 'Peak resident memory of each mediasoup worker (bytes)',
      labelNames: ['worker'],
      registers,
      async collect() {
        for (const { index, u } of await usage()) this.set({ worker: String(index) }, u.ru_maxrss * 1024);
      },
    });
  }

  /** A cluster node's view: whether its store answers, and how many nodes are live. */
  observeCluster(c: { storeUp: () => boolean; liveNodes: () => number }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'offload_cluster_store_up',
      help: 'Whether the cluster store (Redis) answers this node: 1 yes, 0 no (the node serves its own sessions only)',
      registers,
      collect() {
        this.set(c.storeUp() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'offload_cluster_nodes',
      help: 'Live nodes of the cluster, this one included, as of the last heartbeat that got through',
      registers,
      collect() {
        this.set(c.liveNodes());
      },
    });
  }

  observeClientSamples(samples: readonly LatencySampleWire[]): void {
    for (const s of samples) {
      this.#samples.inc();
      if ((s.frameGap ?? 0) > 0) this.#gapSamples.inc();
      this.#inputToPhoton.observe({ kind: kindLabel(s.kind) }, s.total);
      for (const [segment, ms] of Object.entries(s.segments)) {
        // Negative segments (clock-sync error) cannot go in a histogram; they are rare and small.
        if (ms >= 0) this.#clientSegments.observe({ segment }, ms);
      }
    }
  }

  observeServerSegments(segments: Record<string, number>): void {
    for (const [segment, ms] of Object.entries(segments))
      if (ms >= 0) this.#serverSegments.observe({ segment }, ms);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const KNOWN_KINDS = new Set<string>(INPUT_TYPES);

/**
 * A sample's kind as a metric label: one of the input types, or "other". Participants report
 * samples, so a label taken as sent would let any of them (watchers too) create label sets
 * without end, each a histogram the registry keeps until the process exits.
 */
export function kindLabel(kind: string): string {
  const type = kind.split(':')[0] ?? '';
  return KNOWN_KINDS.has(type) ? type : 'other';
}
