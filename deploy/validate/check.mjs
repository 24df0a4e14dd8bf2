// Validates rendered Kubernetes manifests offline (see deploy/validate.sh, which renders them):
//   node check.mjs <label>=<rendered.yaml> ...   (label "base" may lack the Secret)
// 1. every document parses and is an object with apiVersion, kind and metadata.name;
// 2. every resource against the Kubernetes OpenAPI schema of its kind (kubernetes-models'
//    generated validators: types, enums, required fields, formats);
// 3. no unknown fields: the resources are type-checked as TypeScript object literals against
//    the same models' interfaces, whose excess-property checks the JSON schemas lack;
// 4. rules of the API server the schemas do not carry, and Offload's own rules (ports per
//    worker, probes, drain bound, sizing, secrets, env names, selectors);
// 5. the node's environment through the server's own parser (apps/server/src/config.ts), when
//    the repository's node modules are installed (tsx).
// Exit status 0 when nothing failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
// Whose apps/server/src/config.ts judges the env (default this checkout; another checkout with
// its node modules installed, e.g. a branch with newer settings, through OFFLOAD_CONFIG_REPO).
const configRepo = path.resolve(process.env.OFFLOAD_CONFIG_REPO || repo);

// The sizing rule of deploy/README.md ("Sizing"): per session and for the server itself.
const SIZING = {
  sessionCores: 1.0,
  sessionMiB: 640,
  baseCores: 0.25,
  baseMiB: 512,
  shmRequestMiB: 256,
  shmInUseMiB: 1024,
};
// Settings the cluster work (issue 13) reads, besides those in apps/server/src/config.ts (once
// it is merged, config.ts lists them itself). The first four are required here.
// OFFLOAD_DRAIN_TIMEOUT_S is this deployment's name for the drain bound, still to be agreed.
const CLUSTER_ENV = [
  'OFFLOAD_REDIS_URL',
  'OFFLOAD_NODE_ID',
  'OFFLOAD_NODE_URL',
  'OFFLOAD_CLUSTER_SECRET',
  'OFFLOAD_CLUSTER_HEARTBEAT_MS',
  'OFFLOAD_DRAIN_TIMEOUT_S',
];

let failures = 0;
const fail = (where, msg) => {
  failures++;
  console.log(`FAIL ${where}: ${msg}`);
};
const ok = (msg) => console.log(`ok   ${msg}`);

/** Kubernetes quantities: cpu in cores, memory in MiB. */
function cores(q) {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
function mib(q) {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const f = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20 };
  const unit = m[2] ?? '';
  const factor = f[unit] ?? (unit === 'G' ? 1e9 / 2 ** 20 : unit === 'T' ? 1e12 / 2 ** 20 : 1 / 2 ** 20);
  return Number(m[1]) * factor;
}

/** The kubernetes-models module of an apiVersion + kind. */
function modelPath(apiVersion, kind) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function load(file) {
  const docs = [];
  for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS();
    if (v !== null) docs.push(v);
  }
  return docs;
}

const pods = (r) => (['Deployment', 'StatefulSet', 'DaemonSet'].includes(r.kind) ? [r.spec?.template] : []);
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

async function schemaCheck(label, r) {
  const where = `${label} ${r.kind}/${r.metadata?.name}`;
  let mod;
  try {
    mod = await import(modelPath(r.apiVersion, r.kind));
  } catch {
    return fail(where, `no schema for ${r.apiVersion} ${r.kind}`);
  }
  const Model = mod[r.kind] ?? mod.default;
  try {
    new Model(r).validate();
  } catch (err) {
    return fail(where, `schema: ${String(err.message).split('\n').slice(0, 4).join(' | ')}`);
  }
  return true;
}

/** Unknown fields: tsc's excess-property checks on the resources as typed literals. */
function unknownFieldCheck(all) {
  // Inside deploy/validate, so that its node_modules resolve (gitignored).
  const dir = path.join(here, '.gen');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lines = [];
  all.forEach(({ label, r }, i) => {
    const mod = modelPath(r.apiVersion, r.kind);
    lines.push(`import type { I${r.kind} as T${i} } from '${mod}';`);
    lines.push(`// ${label} ${r.kind}/${r.metadata.name}`);
    lines.push(`export const r${i}: T${i} = ${JSON.stringify(r, null, 2)};`);
  });
  writeFileSync(path.join(dir, 'resources.ts'), `${lines.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        skipLibCheck: true,
        types: [],
      },
      files: ['resources.ts'],
    }),
  );
  const tsc = path.join(here, 'node_modules/typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
  const out = `${res.stdout}${res.stderr}`.trim();
  // Not left behind for the repository's linter.
  rmSync(dir, { recursive: true, force: true });
  if (res.status === 0)
    return ok(`no unknown fields in ${all.length} resources (tsc against the models' types)`);
  for (const line of out
    .split('\n')
    .filter((l) => /error TS/.test(l))
    .slice(0, 20))
    fail('fields', line);
}

/** Resolves $(VAR) references as the kubelet does, against the env entries before it. */
function envOf(container) {
  const env = {};
  const sources = {};
  const sample = {
    'metadata.name': 'offload-0',
    'metadata.namespace': 'offload',
    'status.podIP': '10.244.1.23',
    'status.hostIP': '192.0.2.10',
    'spec.nodeName': 'node-a',
  };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => env[v] ?? m);
      sources[e.name] = { value: e.value };
    } else if (e.valueFrom?.fieldRef) {
      env[e.name] = sample[e.valueFrom.fieldRef.fieldPath] ?? 'x';
      sources[e.name] = { field: e.valueFrom.fieldRef.fieldPath };
    } else if (e.valueFrom?.secretKeyRef) {
      // A valid stand-in for the server's parser: long enough for every secret it checks.
      env[e.name] = 's'.repeat(40);
      sources[e.name] = { secret: e.valueFrom.secretKeyRef };
    }
  }
  return { env, sources };
}

function offloadRules(label, docs, configKeys) {
  const before = failures;
  const sts = docs.find((r) => r.kind === 'StatefulSet' && r.metadata.name === 'offload');
  if (!sts) return fail(label, 'no StatefulSet/offload');
  const where = `${label} StatefulSet/offload`;
  const pod = sts.spec.template.spec;
  const c = pod.containers.find((x) => x.name === 'offload');
  if (!c) return fail(where, 'no container "offload"');
  const { env, sources } = envOf(c);
  const n = (k) => Number(env[k]);

  // Env names: every OFFLOAD_* one is a setting the server or the cluster work reads.
  for (const e of c.env ?? []) {
    if (e.name.startsWith('OFFLOAD_') && !configKeys.has(e.name) && !CLUSTER_ENV.includes(e.name))
      fail(where, `env ${e.name} is read by nothing (not in config.ts nor the cluster settings)`);
  }
  for (const k of CLUSTER_ENV.slice(0, 4)) if (!(k in env)) fail(where, `env ${k} missing`);
  // Node id = pod name, node URL = pod IP, announced address = node IP (or a literal).
  const refField = (k, field) =>
    sources[k]?.field === field ||
    [...String(sources[k]?.value ?? '').matchAll(/\$\((\w+)\)/g)].some((m) => sources[m[1]]?.field === field);
  if (!refField('OFFLOAD_NODE_ID', 'metadata.name')) fail(where, 'OFFLOAD_NODE_ID is not the pod name');
  if (!refField('OFFLOAD_NODE_URL', 'status.podIP')) fail(where, 'OFFLOAD_NODE_URL is not from the pod IP');
  if (!/^http:\/\/[^/]+:\d+$/.test(env.OFFLOAD_NODE_URL ?? ''))
    fail(where, `OFFLOAD_NODE_URL ${env.OFFLOAD_NODE_URL} is not http://<ip>:<port>`);
  if (!(sources.OFFLOAD_CLUSTER_SECRET && 'secret' in sources.OFFLOAD_CLUSTER_SECRET))
    fail(where, 'OFFLOAD_CLUSTER_SECRET is not from a Secret');
  for (const k of ['OFFLOAD_AUTH_SECRET', 'OFFLOAD_API_KEY'])
    if (k in env && !('secret' in sources[k])) fail(where, `${k} is a literal, not from a Secret`);

  // One UDP and one TCP port per worker, the same on the node (hostPort) unless hostNetwork.
  const workers = n('OFFLOAD_WORKERS');
  const first = n('OFFLOAD_RTC_PORT') || 44444;
  if (!Number.isInteger(workers)) fail(where, 'OFFLOAD_WORKERS must be set (default = host cores)');
  for (let i = 0; i < workers; i++) {
    for (const proto of ['UDP', 'TCP']) {
      const p = (c.ports ?? []).find((x) => x.containerPort === first + i && (x.protocol ?? 'TCP') === proto);
      if (!p) fail(where, `no ${proto} port ${first + i} for worker ${i}`);
      else if (!pod.hostNetwork && p.hostPort !== first + i)
        fail(
          where,
          `${proto} ${first + i}: hostPort ${p.hostPort} differs (the announced port is the listened one)`,
        );
    }
  }
  const extra = (c.ports ?? []).filter((x) => x.containerPort >= first + workers);
  if (extra.length)
    fail(where, `ports beyond the ${workers} workers: ${extra.map((x) => x.name).join(', ')}`);
  const announced = sources.OFFLOAD_RTC_ANNOUNCED_ADDRESS;
  const literal = announced?.value !== undefined && !announced.value.includes('$(');
  if (!pod.hostNetwork && !literal && !refField('OFFLOAD_RTC_ANNOUNCED_ADDRESS', 'status.hostIP'))
    fail(where, 'OFFLOAD_RTC_ANNOUNCED_ADDRESS is neither the node IP nor a literal address');

  // Probes on /healthz at the server's port.
  const port = n('OFFLOAD_PORT') || 8080;
  const http = (c.ports ?? []).find((x) => x.name === 'http');
  if (http?.containerPort !== port) fail(where, `port "http" is not OFFLOAD_PORT ${port}`);
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const g = c[probe]?.httpGet;
    if (g?.path !== '/healthz' || (g.port !== 'http' && g.port !== port))
      fail(where, `${probe} is not GET /healthz on the server's port`);
  }

  // Draining: grace >= preStop sleep + drain bound + 10 s.
  const sleep = Number(c.lifecycle?.preStop?.exec?.command?.find((x) => /^\d+$/.test(x)) ?? 0);
  const drain = n('OFFLOAD_DRAIN_TIMEOUT_S') || 60;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (!c.lifecycle?.preStop) fail(where, 'no preStop hook');
  if (grace < sleep + drain + 10)
    fail(where, `terminationGracePeriodSeconds ${grace} < preStop ${sleep} + drain ${drain} + 10`);

  // Sizing (deploy/README.md, "Sizing").
  const sessions = n('OFFLOAD_MAX_SESSIONS') || 4;
  const sessionCap = 'OFFLOAD_SESSION_MEMORY_MB' in env ? n('OFFLOAD_SESSION_MEMORY_MB') : 2048;
  // /dev/shm: in memory, and big enough that Debian's chromium wrapper keeps using it (it
  // switches to --disable-dev-shm-usage below 3.8 GB free); 1 GiB of it in use is budgeted.
  const shmVol = c.volumeMounts?.find((m) => m.mountPath === '/dev/shm')?.name;
  const shm = pod.volumes?.find((v) => v.name === shmVol && v.emptyDir?.medium === 'Memory')?.emptyDir
    ?.sizeLimit;
  const shmMiB = SIZING.shmInUseMiB;
  if (shm && mib(shm) * 2 ** 20 < 4080218931)
    fail(where, `/dev/shm sizeLimit ${shm} < 3.8 GB: Chromium would put its shared memory in /tmp`);
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const needCpu = sessions * SIZING.sessionCores + SIZING.baseCores;
  const needMem = sessions * SIZING.sessionMiB + SIZING.baseMiB + SIZING.shmRequestMiB;
  if (!(cores(req.cpu) >= needCpu - 1e-9))
    fail(where, `cpu request ${req.cpu} < ${needCpu} for ${sessions} sessions`);
  if (!(mib(req.memory) >= needMem))
    fail(where, `memory request ${req.memory} < ${needMem}Mi for ${sessions} sessions`);
  if (sessionCap > 0 && !(mib(lim.memory) >= sessions * sessionCap + SIZING.baseMiB + shmMiB))
    fail(
      where,
      `memory limit ${lim.memory} < ${sessions} x ${sessionCap}Mi + ${SIZING.baseMiB}Mi + /dev/shm ${shmMiB}Mi`,
    );
  if (!shm) fail(where, 'no memory-backed /dev/shm (the runtime default is 64 MB)');

  // Security: the API server's own rules, and what the pod must not carry.
  const sc = c.securityContext ?? {};
  if (sc.privileged && sc.allowPrivilegeEscalation === false)
    fail(where, 'privileged with allowPrivilegeEscalation: false (the API refuses it)');
  const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
  if ((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) && uid === 0)
    fail(where, 'runAsNonRoot with uid 0');
  if (pod.automountServiceAccountToken !== false)
    fail(where, 'the API token is mounted where app browsers run');
  if (sc.capabilities?.add?.includes('SYS_ADMIN')) fail(where, 'CAP_SYS_ADMIN');
  if (failures === before)
    ok(`${label}: Offload's rules (env, ${workers} workers' ports, probes, drain, sizing, security)`);
  return env;
}

function crossRefs(label, docs) {
  const before = failures;
  const workloads = docs.filter((r) => pods(r).length);
  const secrets = new Map(
    docs.filter((r) => r.kind === 'Secret').map((s) => [s.metadata.name, { ...s.data, ...s.stringData }]),
  );
  for (const w of workloads) {
    const where = `${label} ${w.kind}/${w.metadata.name}`;
    const labels = w.spec.template.metadata?.labels;
    if (!matches(w.spec.selector?.matchLabels, labels)) fail(where, 'selector does not match its pod labels');
    for (const c of [
      ...(w.spec.template.spec.containers ?? []),
      ...(w.spec.template.spec.initContainers ?? []),
    ]) {
      if (label !== 'base' && !/[./]/.test(c.image ?? ''))
        fail(where, `image "${c.image}" has no registry (set by an overlay)`);
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const s = secrets.get(ref.name);
        if (!s) {
          if (label !== 'base') fail(where, `Secret ${ref.name} (env ${e.name}) is not in the render`);
        } else if (!(ref.key in s)) fail(where, `Secret ${ref.name} has no key ${ref.key}`);
      }
    }
    if (w.kind === 'StatefulSet') {
      const svc = docs.find((r) => r.kind === 'Service' && r.metadata.name === w.spec.serviceName);
      if (svc?.spec.clusterIP !== 'None')
        fail(where, `serviceName ${w.spec.serviceName} is no headless Service`);
    }
  }
  const selects = (sel) => workloads.some((w) => matches(sel, w.spec.template.metadata?.labels));
  for (const r of docs) {
    const where = `${label} ${r.kind}/${r.metadata.name}`;
    if (r.kind === 'Service' && !selects(r.spec.selector)) fail(where, 'selects no pods');
    if (r.kind === 'Service') {
      for (const p of r.spec.ports ?? []) {
        if (typeof p.targetPort !== 'string') continue;
        const named = workloads.some(
          (w) =>
            matches(r.spec.selector, w.spec.template.metadata?.labels) &&
            w.spec.template.spec.containers.some((c) => (c.ports ?? []).some((x) => x.name === p.targetPort)),
        );
        if (!named) fail(where, `targetPort "${p.targetPort}" is no port of the selected pods`);
      }
    }
    if (r.kind === 'PodDisruptionBudget' && !selects(r.spec.selector?.matchLabels))
      fail(where, 'selects no pods');
    if (r.kind === 'NetworkPolicy') {
      if (!selects(r.spec.podSelector?.matchLabels)) fail(where, 'selects no pods');
      for (const i of r.spec.ingress ?? [])
        for (const f of i.from ?? [])
          if (f.podSelector && !selects(f.podSelector.matchLabels))
            fail(where, 'an ingress peer selects no pods');
    }
    if (
      r.metadata.namespace === undefined &&
      !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(r.kind)
    )
      fail(where, 'no namespace');
  }
  if (failures === before)
    ok(`${label}: references (selectors, named ports, Secrets and keys, images, namespaces)`);
}

/** The node's env through apps/server/src/config.ts's own parser (needs the repo's tsx). */
function configParse(label, env) {
  const tsx = path.join(configRepo, 'apps/server/node_modules/tsx');
  try {
    readFileSync(path.join(tsx, 'package.json'));
  } catch {
    return console.log(`skip ${label}: config.ts parse (the repository's node modules are not installed)`);
  }
  const script = `const { loadConfig } = await import(${JSON.stringify(path.join(configRepo, 'apps/server/src/config.ts'))});
const c = loadConfig(JSON.parse(process.env.ENV_JSON));
const cl = c.cluster && { nodeId: c.cluster.nodeId, nodeUrl: c.cluster.nodeUrl, redis: Boolean(c.cluster.redisUrl) };
console.log(JSON.stringify({ host: c.host, port: c.port, workers: c.workers, rtc: c.rtc, maxSessions: c.maxSessions, cluster: cl }));`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: path.join(configRepo, 'apps/server'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ENV_JSON: JSON.stringify(env) },
  });
  const which = configRepo === repo ? 'config.ts' : `${configRepo}'s config.ts`;
  if (res.status === 0) ok(`${label}: ${which} accepts the node's env ${res.stdout.trim()}`);
  else fail(`${label} config.ts`, (res.stderr || res.stdout).trim().split('\n').slice(0, 4).join(' | '));
}

const configKeys = new Set(
  [
    ...readFileSync(path.join(configRepo, 'apps/server/src/config.ts'), 'utf8').matchAll(
      /^\s+(OFFLOAD_[A-Z0-9_]+):/gm,
    ),
  ].map((m) => m[1]),
);
const all = [];
for (const arg of process.argv.slice(2)) {
  const [label, file] = arg.split('=');
  let docs;
  try {
    docs = load(file);
  } catch (err) {
    fail(label, err.message);
    continue;
  }
  const before = failures;
  for (const r of docs) {
    if (!r.apiVersion || !r.kind || !r.metadata?.name) {
      fail(label, `a document without apiVersion, kind or metadata.name: ${JSON.stringify(r).slice(0, 80)}`);
      continue;
    }
    await schemaCheck(label, r);
    all.push({ label, r });
  }
  if (failures === before) ok(`${label}: ${docs.length} resources valid against the OpenAPI schemas`);
  crossRefs(label, docs);
  if (docs.some((r) => r.kind === 'StatefulSet')) {
    const env = offloadRules(label, docs, configKeys);
    if (env) configParse(label, env);
  }
}
if (!process.env.CHECK_SKIP_TSC) unknownFieldCheck(all);
console.log(failures ? `\n${failures} failure(s)` : '\nall checks passed');
process.exit(failures ? 1 : 0);
