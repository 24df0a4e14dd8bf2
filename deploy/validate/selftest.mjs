// The checks must fail on broken manifests: breaks a rendered overlay in one way at a time and
// expects check.mjs to fail with the right message each time.
//   node selftest.mjs <rendered example.yaml>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendered = readFileSync(process.argv[2], 'utf8');
const afterImage = (line) => (s) =>
  s.replace(/( +)image: (.*offload.*)\n/, (_m, sp, img) => `${sp}image: ${img}\n${sp}${line}\n`);

// [what, edit, the failure expected, whether the unknown-field check (tsc) is needed]
const cases = [
  ['an unknown field', afterImage('imagePulPolicy: Always'), '\'"imagePulPolicy"\' does not exist', true],
  [
    'a bad enum',
    (s) => s.replace('protocol: UDP', 'protocol: QUIC'),
    'must be equal to one of the allowed values',
  ],
  [
    'a wrong type',
    (s) => s.replace(/terminationGracePeriodSeconds: (\d+)/, "terminationGracePeriodSeconds: '$1'"),
    'must be integer',
  ],
  [
    'a short grace period',
    (s) => s.replace(/terminationGracePeriodSeconds: \d+/, 'terminationGracePeriodSeconds: 30'),
    'terminationGracePeriodSeconds 30 <',
  ],
  [
    'a misspelt setting',
    (s) => s.replace('name: OFFLOAD_MAX_SESSIONS', 'name: OFFLOAD_MAX_SESSION'),
    'env OFFLOAD_MAX_SESSION is read by nothing',
  ],
  [
    'a hostPort unlike its port',
    (s) => s.replace('hostPort: 44445', 'hostPort: 45445'),
    'hostPort 45445 differs',
  ],
  [
    'a missing worker port',
    (s) => s.replace(/ +- containerPort: 44445\n +hostPort: 44445\n +name: rtc1-udp\n +protocol: UDP\n/, ''),
    'no UDP port 44445',
  ],
  ['a small memory limit', (s) => s.replace(/memory: 7680Mi/, 'memory: 4Gi'), 'memory limit 4Gi <'],
  [
    'a small /dev/shm',
    (s) => s.replace(/(medium: Memory\n +sizeLimit: )4Gi/, '$11Gi'),
    '/dev/shm sizeLimit 1Gi < 3.8 GB',
  ],
  ['a probe elsewhere', (s) => s.replace('path: /healthz', 'path: /health'), 'is not GET /healthz'],
  [
    'a secret key missing',
    (s) => s.replace(/key: OFFLOAD_CLUSTER_SECRET/, 'key: CLUSTER_SECRET'),
    'has no key CLUSTER_SECRET',
  ],
  [
    'a node URL not from the pod IP',
    (s) => s.replace('value: http://$(POD_IP):$(OFFLOAD_PORT)', 'value: http://offload:8080'),
    'OFFLOAD_NODE_URL is not from the pod IP',
  ],
  [
    'a selector matching nothing',
    (s) =>
      s.replace(
        /(kind: Service\nmetadata:\n(?: .*\n)*?spec:\n(?: .*\n)*? +selector:\n +app.kubernetes.io\/name: )offload-redis/,
        '$1offload-redis-x',
      ),
    'selects no pods',
  ],
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'offload-selftest-'));
let bad = 0;
for (const [what, edit, expected, tsc] of cases) {
  const broken = edit(rendered);
  if (broken === rendered) {
    console.log(`FAIL selftest: could not break the render with ${what} (its edit matched nothing)`);
    bad++;
    continue;
  }
  const file = path.join(dir, 'broken.yaml');
  writeFileSync(file, broken);
  const r = spawnSync(process.execPath, [path.join(here, 'check.mjs'), `broken=${file}`], {
    encoding: 'utf8',
    env: { ...process.env, CHECK_SKIP_TSC: tsc ? '' : '1' },
  });
  const failed = r.status !== 0 && r.stdout.includes(expected);
  if (!failed) bad++;
  console.log(
    `${failed ? 'ok  ' : 'FAIL'} selftest: ${what} is caught${failed ? '' : ` (exit ${r.status}; expected "${expected}")`}`,
  );
}
rmSync(dir, { recursive: true, force: true });
process.exit(bad ? 1 : 0);
