import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, sourceFiles } from './architecture.js';
import { root } from './server.js';

/** Every workspace's own code. */
const TREES = ['apps/server/src', 'apps/client/src', 'apps/harness/src', 'packages', 'bench/src', 'e2e'];

describe('architecture', () => {
  it('has no import cycles, not even type-only ones', () => {
    for (const tree of TREES) {
      const cycles = importCycles(sourceFiles(path.join(root, tree)));
      expect(
        cycles.map((c) => c.map((f) => path.relative(root, f)).join(' → ')),
        tree,
      ).toEqual([]);
    }
  });

  it('has no source file over 400 lines, tests aside (split it by concern instead)', () => {
    const long = TREES.flatMap((tree) =>
      sourceFiles(path.join(root, tree), ['.ts', '.tsx', '.py'])
        .filter((f) => !/(\.test\.tsx?|\.spec\.ts|\/test_[^/]*\.py)$/.test(f))
        .map((f) => ({ file: path.relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
        .filter((f) => f.lines > 400),
    );
    expect(long).toEqual([]);
  });

  it('finds a cycle when there is one, type-only imports included', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'offload-cycles-'));
    writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b.js';\nexport type A = B;\n");
    writeFileSync(
      path.join(dir, 'b.ts'),
      "import { c } from './c.js';\nexport type B = number;\nexport const b = c;\n",
    );
    writeFileSync(path.join(dir, 'c.ts'), "export type { A } from './a.js';\nexport const c = 1;\n");
    const cycles = importCycles(sourceFiles(dir));
    expect(cycles.map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
