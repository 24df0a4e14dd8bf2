/**
 * pnpm harness --profile 5g-a --clients 4 --duration 60s --scenario taps
 *
 * Starts an Offload server whose media goes through a user-space network emulator, runs
 * headless clients through a scripted interaction under each profile, and writes
 * result.json, report.html and report.png. Exits 1 when a budget fails (gate CI on it),
 * 2 on bad arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { APP_BUDGETS } from '@offload/latency';
import { root } from '@offload/testkit';
import { builtInProfiles, custom, type EmulatedProfile, fromNetwork } from './profiles.js';
import { renderHtml } from './report/html.js';
import { renderPng } from './report/png.js';
import { runHarness } from './run.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

const USAGE = `usage: pnpm harness [options]
  --profile LIST     comma-separated: loopback, ${builtInProfiles()
    .slice(1)
    .map((p) => p.id)
    .join(', ')}, custom, or all (default: all)
  --clients N        headless clients in one session (default 1)
  --duration T       per profile, e.g. 30s, 2m (default 20s)
  --scenario S       ${SCENARIOS.join(' | ')} (default taps)
  --app A            app budget: ${Object.keys(APP_BUDGETS).join(', ')} (default cloud-phone)
  --out DIR          where to write the results (default harness-results/<time>)
  --port P           HTTP port of the server it starts (default 8391; RTC port P+30000)
  custom profile:    --delay MS (each way) --jitter MS --loss PCT --burst PCT --down KBPS --up KBPS`;

function fail(msg: string): never {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
}

function duration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) fail(`bad duration "${s}"`);
  const v = Number(m[1]);
  return m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000;
}

function num(s: string | undefined, name: string, def: number): number {
  if (s === undefined) return def;
  const v = Number(s);
  if (!Number.isFinite(v) || v < 0) fail(`--${name} must be a non-negative number`);
  return v;
}

const { values: a } = (() => {
  try {
    return parseArgs({
      options: Object.fromEntries(
        [
          'profile',
          'clients',
          'duration',
          'scenario',
          'app',
          'out',
          'port',
          'delay',
          'jitter',
          'loss',
          'burst',
          'down',
          'up',
        ].map((k) => [k, { type: 'string' as const }]),
      ),
      allowPositionals: false,
    });
  } catch (err) {
    fail((err as Error).message);
  }
})();

const ids = (a.profile ?? 'all').split(',').map((s) => s.trim());
let profiles: EmulatedProfile[];
try {
  profiles = ids.flatMap((id) =>
    id === 'all'
      ? builtInProfiles()
      : id === 'custom'
        ? [
            custom({
              delayMs: num(a.delay, 'delay', 20),
              jitterMs: num(a.jitter, 'jitter', 0),
              lossPct: num(a.loss, 'loss', 0),
              burstPct: num(a.burst, 'burst', 0),
              downKbps: num(a.down, 'down', 0),
              upKbps: num(a.up, 'up', 0),
            }),
          ]
        : [fromNetwork(id)],
  );
} catch (err) {
  fail((err as Error).message);
}
const clients = num(a.clients, 'clients', 1);
if (!Number.isInteger(clients) || clients < 1 || clients > 16) fail('--clients must be 1..16');
const scenario = (a.scenario ?? 'taps') as Scenario;
if (!SCENARIOS.includes(scenario)) fail(`unknown scenario "${scenario}"`);
const app = a.app ?? 'cloud-phone';
if (!APP_BUDGETS[app]) fail(`unknown app budget "${app}"`);
// pnpm runs this in apps/harness; a relative --out means relative to where the user ran pnpm.
const out = a.out
  ? path.resolve(process.env.INIT_CWD ?? process.cwd(), a.out)
  : path.join(root, 'harness-results', new Date().toISOString().replace(/[:.]/g, '-'));

const t0 = Date.now();
const result = await runHarness({
  profiles,
  clients,
  durationMs: duration(a.duration ?? '20s'),
  scenario,
  app,
  port: num(a.port, 'port', 8391),
  progress: (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`),
});
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
const html = path.join(out, 'report.html');
writeFileSync(html, renderHtml(result));
await renderPng(html, path.join(out, 'report.png'));
console.log(`\n${result.pass ? 'PASS' : 'FAIL'}: results in ${out} (result.json, report.html, report.png)`);
process.exit(result.pass ? 0 : 1);
