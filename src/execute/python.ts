import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {packageRoot} from '../paths.js';
import type {PlannedRun} from '../plan/types.js';
import {executeExternal} from './external.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

/** The Python harness that times `bench` blocks. */
export const pythonHarness = path.join(packageRoot, 'src/execute/harness/harness.py');

// Fixed hash seed so dict/set ordering (and so timings) repeat across runs; no .pyc litter.
/** Environment of every Python block's processes, whatever the interpreter. */
export const pythonEnv = {PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1'};

/**
 * Runs a Python block with the real interpreter in `runtime.executable`: a `run` block as a script,
 * a `bench` block through the harness, which execs the block as `__main__` and times its function.
 */
export async function executePython(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  return executeExternal(run, options, async ({workDir}) => {
    const file = path.join(workDir, scriptName(run.blockId));
    await writeFile(file, run.code);
    const args = run.kind === 'run' ? [file] : [pythonHarness, file, run.blockId];
    return {command: {file: runtime.executable, args, env: pythonEnv}, buildMs: 0};
  });
}

/**
 * The script's file name: named after the block for tracebacks, and with a hyphen so that it can
 * never be imported: a block `json` must still get the standard library's `json` module.
 */
function scriptName(blockId: string): string {
  return `block-${blockId.replace(/[^\w.-]+/g, '_')}.py`;
}
