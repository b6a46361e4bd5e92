import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {packageRoot} from '../paths.js';
import type {PlannedRun} from '../plan/types.js';
import {executeExternal} from './external.js';
import type {ProcessResult} from './process.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

/** The Go harness compiled next to `bench` blocks. */
export const goHarness = path.join(packageRoot, 'src/execute/harness/harness.go');

const goMod = 'module benchblock\n\ngo 1.21\n';

// Build with the resolved toolchain only and outside any enclosing workspace: a go.work above the
// cache, or a toolchain download, must not change what a block means.
const goBuildEnv = {GOTOOLCHAIN: 'local', GOWORK: 'off'};

/**
 * Builds a Go block as `package main` in its own module (`go build`, cached by content) and runs
 * the binary: a `run` block is a whole program; a `bench` block defines the function to time and
 * is compiled with the harness, whose `main` calls `bbHarness(<fn>)`.
 */
export async function executeGo(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  return executeExternal(run, options, async ({build}) => {
    const files: Record<string, string> = {'go.mod': goMod, 'block.go': withPackageClause(run.code)};
    if (run.kind === 'bench') {
      const fn = run.measure.fn;
      if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(fn)) {
        return {buildFailure: invalidName(`benchbook: cannot time ${JSON.stringify(fn)}: not a Go identifier`), buildMs: 0};
      }
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
  });
}

/** Go code as a file of package main: blocks may leave the package clause out. */
export function withPackageClause(code: string): string {
  // Same line, explicit semicolon: compiler messages keep the block's own line numbers.
  return /^\s*package\s+\w+/m.test(stripComments(code)) ? code : `package main; ${code}`;
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** A compile error for a function name the compiler would reject in a less readable way. */
function invalidName(message: string): ProcessResult {
  return {exitCode: 2, timedOut: false, aborted: false, durationMs: 0, stdout: '', stderr: `${message}\n`};
}
