import { DEFAULT_REFRESH_HZ } from '@offload/server/runtime';

/**
 * The stacks a vs-vnc run compares (BENCH_STACKS): VNC on the app screen Offload uses by
 * default (120 Hz) and on a 60 Hz one, since neither is better at both p50 and p95, and
 * Offload between them.
 */
export const DEFAULT_STACKS = 'vnc,offload,vnc[OFFLOAD_APP_REFRESH_HZ=60]';

export interface StackSpec {
  label: string;
  kind: 'vnc' | 'offload';
  /** Offload: server settings on top of the bench's. */
  env: Record<string, string>;
  /** Offload: the checkout whose server runs (default this one). */
  checkout?: string;
}

/** "vnc", "offload", "offload[K=V|K=V]" or "offload@/checkout[K=V]". */
export function parseStacks(spec: string): StackSpec[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((label) => {
      const m = /^(vnc|offload)(?:@([^[]+))?(?:\[(.*)\])?$/.exec(label);
      if (!m)
        throw new TypeError(
          `BENCH_STACKS: "${label}" is not vnc, offload, offload[K=V|…] or offload@/checkout`,
        );
      const env = Object.fromEntries(
        (m[3] ?? '')
          .split('|')
          .filter(Boolean)
          .map((kv) => {
            const i = kv.indexOf('=');
            if (i < 1) throw new TypeError(`BENCH_STACKS: "${kv}" is not K=V`);
            return [kv.slice(0, i), kv.slice(i + 1)];
          }),
      );
      return { label, kind: m[1] as 'vnc' | 'offload', env, ...(m[2] ? { checkout: m[2] } : {}) };
    });
}

/**
 * The app screen's refresh rate of a stack: Offload's default unless the stack sets
 * OFFLOAD_APP_REFRESH_HZ (the VNC stack too: its app runs in the same kind of runtime).
 */
export function refreshHzOf(spec: StackSpec): number {
  return Number(spec.env.OFFLOAD_APP_REFRESH_HZ ?? process.env.OFFLOAD_APP_REFRESH_HZ ?? DEFAULT_REFRESH_HZ);
}
