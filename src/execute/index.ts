import type {RunResult, RuntimeInfo} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import {closeJsPool, executeJs} from './js-pool/index.js';
import {runtimeEntry, type ExecuteOptions} from '../runtimes/index.js';
import {skippedResult} from '../model/index.js';
import {measureInline, runOnce} from './inline.js';
import {countInstructions} from './instructions.js';
import {buildRunLibraries} from './libraries.js';
import {measureProcessGroup, type GroupMember, type ScheduleOptions} from './process-mode.js';
import {withProgram} from './program.js';

export type {ExecuteOptions} from '../runtimes/index.js';
export type {GroupMember, ScheduleOptions} from './process-mode.js';
export type {PreparedProgram} from './program.js';

/**
 * Runs one planned block on its runtime, with the measurement strategy its settings ask for:
 * instruction counts under callgrind, whole-program runs (process mode), the runtime's own inline
 * execution (JS and TS in a worker pool), or the harness in fresh processes. Each strategy asks the
 * runtime's table entry to prepare the program and measures it itself. Never throws for a problem
 * of the block: compile errors, crashes and timeouts come back as a result with a status and a reason.
 */
export async function executeRun(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  const entry = runtimeEntry(run.runtime);
  if (!entry) return skippedResult(`no runtime ${run.runtime} in the runtime table`);
  if (run.kind === 'bench' && run.measure.metric === 'instructions') return countInstructions(run, runtime, entry, options);
  if (run.kind === 'bench' && run.measure.mode === 'process') return (await measureProcessGroup([{run, runtime}], options))[0]!;
  if (entry.workerPool) {
    const started = performance.now();
    const withLibraries = await buildRunLibraries(run, runtime, options);
    if ('result' in withLibraries) return withLibraries.result;
    const result = await executeJs(withLibraries.run, {...options, env: {...options.env, ...withLibraries.env}});
    return run.libraries?.length ? {...result, durationMs: performance.now() - started, libraryBuildMs: withLibraries.libraryBuildMs} : result;
  }
  return withProgram(run, runtime, options, (program) => (run.kind === 'run' ? runOnce(run, program, options) : measureInline(run, program, options)));
}

/**
 * Measures process-mode bench blocks together, their runs interleaved in seeded rounds (see
 * `measureProcessGroup`); results in the order of `members`.
 */
export function executeGroup(members: GroupMember[], options: ScheduleOptions): Promise<RunResult[]> {
  return measureProcessGroup(members, options);
}

/** Releases what executors keep between runs (the JS worker pool), so the process can exit. */
export async function closeExecutors(): Promise<void> {
  await closeJsPool();
}
