import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {buildSharedLibrary, gccDriverKey, resolveGccDriver, type GccDriver} from './gcc-driver.js';
import {invalidName} from './go.js';
import type {Language, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/** The C harness appended to `bench` blocks. */
export const cHarness = path.join(packageRoot, 'src/runtimes/harness/harness.c');

/** Compiler flags for C blocks, shown in reports and part of the build hash. */
export const cFlags = ['-O2', '-std=gnu11'];

const gcc: GccDriver = {runtime: 'c', command: 'gcc', flags: cFlags, apt: 'gcc', libs: ['-lm'], source: 'block.c'};

/** C blocks. */
export const cLanguage: Language = {name: 'c', label: 'C', aliases: ['c']};

/**
 * Compiles a C block with gcc (`runtime.flags`, cached by content): a `run` block is a whole program
 * with `main`; a `bench` block defines the function to time, which must return a value (the harness
 * keeps each result in a volatile sink), and gets the harness's `main`.
 */
async function prepareC(source: ProgramSource, runtime: RuntimeInfo, {build}: PrepareContext): Promise<PreparedBlock> {
  if (source.kind === 'bench' && !/^[A-Za-z_]\w*$/.test(source.fn)) {
    return {buildFailure: invalidName(`benchbook: cannot time ${JSON.stringify(source.fn)}: not a C identifier`), buildMs: 0};
  }
  const code = source.kind === 'run' ? source.code : await withHarness(source);
  return build({runtime, files: {'block.c': code}, args: [...(runtime.flags ?? cFlags), '-o', 'block', 'block.c', '-lm'], output: 'block'});
}

/** The block followed by the harness in one translation unit, so the harness sees `bench`'s type. */
async function withHarness(source: ProgramSource): Promise<string> {
  const harness = await readFile(cHarness, 'utf8');
  // `#line` makes compiler messages about the harness point into the real harness file.
  return `${source.code}\n#define BB_FN ${source.fn}\n#line 1 ${JSON.stringify(cHarness)}\n${harness}`;
}

/** C: gcc with fixed flags, the harness appended to the block's translation unit. */
export const c: RuntimeEntry = {
  name: 'c',
  language: cLanguage,
  description: `gcc ${cFlags.join(' ')}: the harness's \`main\` appended to the block's translation unit; lib blocks as shared libraries`,
  resolve: () => resolveGccDriver(gcc),
  probeKey: () => gccDriverKey(gcc),
  prepare: prepareC,
  emptyProgram: 'int main(void) { return 0; }\n',
  buildLibrary: (library, options) => buildSharedLibrary(gcc, library, options),
  install: {apt: ['gcc'], how: 'install gcc (e.g. apt-get install gcc) or run npm run setup'}
};
