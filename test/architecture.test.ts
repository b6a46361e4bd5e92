/**
 * The architecture's guard: dependencies point one way down the pipeline. Each folder of `src/`
 * (and each top-level file) has a layer; a module may import its own folder and lower layers
 * only. A back-edge (a stage importing a later one, even for a type) fails here, naming the file,
 * the line and both layers, so the layering stays true as the code grows.
 */
import assert from 'node:assert/strict';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../src/paths.js';

/** The layers, lowest first: a module of one may import the same layer and those before it. */
export const layers: readonly string[][] = [
  ['model', 'paths.ts'],
  ['system'],
  ['runtimes'],
  ['parse'],
  ['plan'],
  ['measure'],
  ['execute'],
  ['store'],
  ['run'],
  ['check'],
  ['render'],
  ['write'],
  ['report.ts', 'report-types.ts', 'report-pages.ts'],
  ['setup'],
  ['notebook'],
  ['ci'],
  ['cli'],
  ['index.ts']
];

const src = path.join(packageRoot, 'src');

/** The layer of a path under `src/` (its first segment: a folder or a top-level file), or -1 when none claims it. */
export function layerOf(relative: string): number {
  const first = relative.split(/[\\/]/)[0]!;
  return layers.findIndex((names) => names.includes(first));
}

/** Every relative import of a module (static, re-exports and dynamic `import()`), with its line. */
export function importsOf(source: string): Array<{specifier: string; line: number}> {
  const found: Array<{specifier: string; line: number}> = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const match of source.matchAll(pattern)) {
    found.push({specifier: match[1]!, line: source.slice(0, match.index).split('\n').length});
  }
  return found;
}

/** The back-edges of the modules under `root`: `file:line: layer -> later layer (specifier)`. */
export async function backEdges(root: string = src): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await sourceFiles(root)) {
    const relative = path.relative(root, file);
    const from = layerOf(relative);
    if (from < 0) {
      problems.push(`${relative}: not in any layer: add its folder to the layers in test/architecture.test.ts`);
      continue;
    }
    const source = await readFile(file, 'utf8');
    for (const {specifier, line} of importsOf(source)) {
      const target = path.relative(root, path.resolve(path.dirname(file), specifier));
      if (target.startsWith('..')) continue;
      const to = layerOf(target);
      if (to > from) problems.push(`src/${relative}:${line}: ${layers[from]!.join('/')} imports ${layers[to]!.join('/')}, a later stage (${specifier})`);
    }
  }
  return problems;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files.sort();
}

test('dependencies point one way down the pipeline', async () => {
  const problems = await backEdges();
  assert.deepEqual(problems, [], `back-edges:\n${problems.join('\n')}`);
});

test('the guard sees static, type-only, re-exported and dynamic imports', () => {
  const source = [
    "import {a} from '../render/a.js';",
    "import type {B} from './b.js';",
    "export {c} from '../run/c.js';",
    'const d = await import("../cli/d.js");',
    "import '../write/side-effect.js';",
    "import {e} from 'node:path';"
  ].join('\n');
  assert.deepEqual(
    importsOf(source).map((found) => `${found.line} ${found.specifier}`),
    ['1 ../render/a.js', '2 ./b.js', '3 ../run/c.js', '4 ../cli/d.js', '5 ../write/side-effect.js']
  );
  assert.ok(layerOf('store/index.ts') < layerOf('render/page.ts'), 'store comes before render');
  assert.equal(layerOf('unknown/x.ts'), -1);
});
