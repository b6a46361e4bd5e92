import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {fileFacts, findOnPath, isExecutable, lines, probe, probeFailure} from '../system/probe.js';
import type {ProcessResult} from '../system/run-process.js';
import {buildCachedLibrary} from './library-build.js';
import type {Language, LibraryBuild, LibraryBuildOptions, LibrarySource, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/** The Go harness compiled next to `bench` blocks. */
export const goHarness = path.join(packageRoot, 'src/runtimes/harness/harness.go');

const goMod = 'module benchblock\n\ngo 1.21\n';

// Build with the resolved toolchain only and outside any enclosing workspace: a go.work above the
// cache, or a toolchain download, must not change what a block means.
const goBuildEnv = {GOTOOLCHAIN: 'local', GOWORK: 'off'};

/** Go blocks. */
export const goLanguage: Language = {name: 'go', label: 'Go', aliases: ['go', 'golang']};

/**
 * Builds a Go block as `package main` in its own module (`go build`, cached by content): a `run`
 * block is a whole program; a `bench` block defines the function to time and is compiled with the
 * harness, whose `main` calls `bbHarness(<fn>)`.
 */
async function prepareGo(source: ProgramSource, runtime: RuntimeInfo, {build}: PrepareContext): Promise<PreparedBlock> {
  const files: Record<string, string> = {'go.mod': goMod, 'block.go': withPackageClause(source.code)};
  if (source.kind === 'bench') {
    const fn = source.fn;
    if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(fn)) return {buildFailure: invalidName(`benchbook: cannot time ${JSON.stringify(fn)}: not a Go identifier`), buildMs: 0};
    files['harness.go'] = await readFile(goHarness, 'utf8');
    files['entry.go'] = `package main\n\nfunc init() { bbRun = func() { bbHarness(${fn}) } }\n`;
  }
  return build({
    runtime,
    files,
    // -trimpath: panics name `benchblock/block.go`, not a temp directory.
    args: ['build', '-trimpath', ...(runtime.flags ?? []), '-o', 'block', '.'],
    env: goBuildEnv,
    output: 'block'
  });
}

// As for Go blocks: the resolved toolchain only, outside any workspace; cgo on, as c-shared needs it.
const goLibraryEnv = {GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '1'};
const goLibraryMod = 'module benchlib\n\ngo 1.21\n';

/** A Go `lib` block as a C shared library (`go build -buildmode=c-shared`) into `lib<id>.so`. */
async function buildGoLibrary(library: LibrarySource, options: LibraryBuildOptions): Promise<LibraryBuild> {
  const output = `lib${library.id}.so`;
  return buildCachedLibrary(library, options, {
    files: {'go.mod': goLibraryMod, 'block.go': withMainFunction(withPackageClause(library.code))},
    args: ['build', '-trimpath', ...(options.compiler.flags ?? []), '-buildmode=c-shared', '-o', output, '.'],
    env: goLibraryEnv,
    output
  });
}

/** Go as `<GOROOT>/bin/go`, so builds do not depend on PATH wrappers. */
async function resolveGo(): Promise<RuntimeInfo | string> {
  const fix = 'install Go or run npm run setup';
  const result = await probe('go', ['env', 'GOROOT', 'GOVERSION']);
  const failure = probeFailure('go', result, fix);
  if (failure) return failure;
  const [goroot, version] = lines(result.stdout);
  if (!goroot || !version) return `go env did not report GOROOT and GOVERSION — ${fix}`;
  const executable = path.join(goroot, 'bin', 'go');
  if (!(await isExecutable(executable))) return `${executable} is not executable — ${fix}`;
  return {name: 'go', executable, version};
}

/** Go: blocks built with the resolved toolchain, the harness compiled into the same program. */
export const go: RuntimeEntry = {
  name: 'go',
  language: goLanguage,
  description: '`go build` of the block as package main (the harness compiled in for bench blocks); lib blocks as c-shared libraries',
  resolve: resolveGo,
  probeKey: async () => [await fileFacts((await findOnPath('go')) ?? 'go'), `GOROOT=${process.env['GOROOT'] ?? ''}`, `GOTOOLCHAIN=${process.env['GOTOOLCHAIN'] ?? ''}`].join('\n'),
  prepare: prepareGo,
  emptyProgram: 'package main\n\nfunc main() {}\n',
  buildLibrary: buildGoLibrary,
  install: {apt: ['golang-go'], how: 'install Go (https://go.dev/dl/, or apt-get install golang-go) or run npm run setup'}
};

/** Go code as a file of package main: blocks may leave the package clause out. */
export function withPackageClause(code: string): string {
  // Same line, explicit semicolon: compiler messages keep the block's own line numbers.
  return /^\s*package\s+\w+/m.test(stripComments(code)) ? code : `package main; ${code}`;
}

/** A Go c-shared library needs a `main` function, even an empty one; add it when the block has none. */
export function withMainFunction(code: string): string {
  return /^\s*func\s+main\s*\(\s*\)/m.test(code) ? code : `${code}\n\nfunc main() {}\n`;
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** A compile error for a function name the compiler would reject in a less readable way. */
export function invalidName(message: string): ProcessResult {
  return {exitCode: 2, timedOut: false, aborted: false, durationMs: 0, stdout: '', stderr: `${message}\n`};
}
