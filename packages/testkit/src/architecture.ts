import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Source files under `dir` with one of `exts`, skipping node_modules and build output. */
export function sourceFiles(dir: string, exts = ['.ts', '.tsx']): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p, exts));
    else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The files a file imports by relative path, type-only imports and re-exports included. */
function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .flatMap((spec) => {
      const base = path.resolve(path.dirname(file), spec);
      // ESM specifiers name the .js the .ts becomes.
      const stem = base.replace(/\.js$/, '');
      for (const c of [`${stem}.ts`, `${stem}.tsx`, path.join(base, 'index.ts')]) {
        try {
          if (statSync(c).isFile()) return [c];
        } catch {}
      }
      return [];
    });
}

/** Every import cycle among `files` (each as the list of files around it), none if acyclic. */
export function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, relativeImports(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g) && graph.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}
