import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {packageRoot} from '../paths.js';
import type {PlannedRun} from '../plan/types.js';
import {executeExternal} from './external.js';
import {cFlags} from './runtimes.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

/** The C harness appended to `bench` blocks. */
export const cHarness = path.join(packageRoot, 'src/execute/harness/harness.c');

/**
 * Compiles a C block with gcc (`runtime.flags`, cached by content) and runs it: a `run` block is a
 * whole program with `main`; a `bench` block defines the function to time, which must return a
 * value (the harness keeps each result in a volatile sink), and gets the harness's `main`.
 */
export async function executeC(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  return executeExternal(run, options, async ({build}) => {
    if (run.kind === 'bench' && !/^[A-Za-z_]\w*$/.test(run.measure.fn)) {
      const stderr = `benchbook: cannot time ${JSON.stringify(run.measure.fn)}: not a C identifier\n`;
      return {buildFailure: {exitCode: 2, timedOut: false, aborted: false, durationMs: 0, stdout: '', stderr}, buildMs: 0};
    }
    const source = run.kind === 'run' ? run.code : await withHarness(run);
    return build({
      runtime,
      files: {'block.c': source},
      args: [...(runtime.flags ?? cFlags), '-o', 'block', 'block.c', '-lm'],
      output: 'block'
    });
  });
}

/** The block followed by the harness in one translation unit, so the harness sees `bench`'s type. */
async function withHarness(run: PlannedRun): Promise<string> {
  const harness = await readFile(cHarness, 'utf8');
  // `#line` makes compiler messages about the harness point into the real harness file.
  return `${run.code}\n#define BB_FN ${run.measure.fn}\n#line 1 ${JSON.stringify(cHarness)}\n${harness}`;
}
