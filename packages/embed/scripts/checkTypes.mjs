// After the build: the SDK's declarations must stand alone (no import of our protocol package
// or of zod), so a host page's project type-checks against them with nothing else installed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = new URL('../dist/types/', import.meta.url).pathname;
const bad = readdirSync(dir)
  .filter((f) => f.endsWith('.d.ts'))
  .filter((f) => /from ['"](@offload\/|zod)/.test(readFileSync(path.join(dir, f), 'utf8')));
if (bad.length > 0) {
  console.error(`the SDK's declarations import packages a host does not have: ${bad.join(', ')}`);
  process.exit(1);
}
if (!readdirSync(dir).includes('index.d.ts')) {
  console.error('no index.d.ts in dist/types');
  process.exit(1);
}
