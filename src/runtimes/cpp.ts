import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {buildSharedLibrary, gccDriverKey, resolveGccDriver, type GccDriver} from './gcc-driver.js';
import {invalidName} from './go.js';
import type {Language, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/** The C++ harness appended to `bench` blocks. */
export const cppHarness = path.join(packageRoot, 'src/runtimes/harness/harness.cpp');

/** Compiler flags for C++ blocks, shown in reports and part of the build hash. */
export const cppFlags = ['-O2', '-std=c++20'];

const gpp: GccDriver = {runtime: 'cpp', command: 'g++', flags: cppFlags, apt: 'g++', libs: [], source: 'block.cpp'};

/** C++ blocks: ` ```cpp bench `. */
export const cppLanguage: Language = {name: 'cpp', label: 'C++', aliases: ['cpp', 'c++', 'cxx', 'cc']};

/**
 * Compiles a C++ block with g++ (`runtime.flags`, cached by content): a `run` block is a whole
 * program with `main`; a `bench` block defines the function to time, which must return a value
 * (the harness keeps each result observable), and gets the harness's `main` in the same
 * translation unit.
 */
async function prepareCpp(source: ProgramSource, runtime: RuntimeInfo, {build}: PrepareContext): Promise<PreparedBlock> {
  if (source.kind === 'bench' && !/^[A-Za-z_]\w*$/.test(source.fn)) {
    return {buildFailure: invalidName(`benchbook: cannot time ${JSON.stringify(source.fn)}: not a C++ identifier`), buildMs: 0};
  }
  let code = source.code;
  if (source.kind === 'bench') {
    // `#line` makes compiler messages about the harness point into the real harness file.
    code = `${source.code}\n#define BB_FN ${source.fn}\n#line 1 ${JSON.stringify(cppHarness)}\n${await readFile(cppHarness, 'utf8')}`;
  }
  return build({runtime, files: {'block.cpp': code}, args: [...(runtime.flags ?? cppFlags), '-o', 'block', 'block.cpp'], output: 'block'});
}

/** C++: g++ with fixed flags, the harness appended to the block's translation unit. */
export const cpp: RuntimeEntry = {
  name: 'cpp',
  language: cppLanguage,
  description: `g++ ${cppFlags.join(' ')}: the harness's \`main\` appended to the block's translation unit; lib blocks as shared libraries (\`extern "C"\` for ctypes)`,
  resolve: () => resolveGccDriver(gpp),
  probeKey: () => gccDriverKey(gpp),
  prepare: prepareCpp,
  emptyProgram: 'int main() { return 0; }\n',
  buildLibrary: (library, options) => buildSharedLibrary(gpp, library, options),
  install: {apt: ['g++'], how: 'install g++ (e.g. apt-get install g++) or run npm run setup'}
};
