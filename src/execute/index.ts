import type {PlannedRun} from '../plan/types.js';
import {executeC} from './c.js';
import {executeGo} from './go.js';
import {closeJsPool, executeJs} from './js/index.js';
import {executeNuitka} from './nuitka.js';
import {executePython} from './python.js';
import {executeWithLibraries} from './libraries.js';
import {executeRust} from './rust.js';
import {countInstructions} from './instructions.js';
import {measureProcessGroup, type Executor, type GroupMember, type ScheduleOptions} from './schedule.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

export {resolveRuntimes} from './runtimes.js';
export {languageOfRuntime, languages, runtimeForLanguage, runtimeNames, runtimesOf} from './languages.js';
export {closeJsPool} from './js/index.js';
export type * from './types.js';
export type {GroupMember, ScheduleOptions} from './schedule.js';

/** The executor of each runtime: adding a language is one entry here, one harness and one fixture. */
const executors: Record<string, Executor> = {
  python: executePython,
  // Other interpreters, same harness; Nuitka compiles the block first.
  'python3.12': executePython,
  'python3.13': executePython,
  pypy: executePython,
  numba: executePython,
  nuitka: executeNuitka,
  'python-ft': executePython,
  go: executeGo,
  c: executeC,
  js: executeJs,
  ts: executeJs,
  rust: executeRust
};

/**
 * Runs one planned block on its runtime. Never throws for a problem of the block itself: compile
 * errors, crashes and timeouts come back as a result with a status and a reason.
 */
export async function executeRun(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  const executor = executorOf(run.runtime);
  if (!executor) {
    return {status: 'skipped', reason: `no executor for runtime ${run.runtime}`, timedOut: false, durationMs: 0, stdout: '', stderr: ''};
  }
  // Counted in instructions, or timed as whole programs: the executor builds, measurement is done elsewhere.
  if (run.kind === 'bench' && run.measure.metric === 'instructions') return countInstructions(run, runtime, options, executor);
  if (run.kind === 'bench' && run.measure.mode === 'process') return (await executeGroup([{run, runtime}], options))[0]!;
  return executor(run, runtime, options);
}

/**
 * Measures process-mode bench blocks together, their runs interleaved in seeded rounds (see
 * `measureProcessGroup`); results in the order of `members`.
 */
export function executeGroup(members: GroupMember[], options: ScheduleOptions): Promise<RunResult[]> {
  return measureProcessGroup(members, options, executorOf);
}

/** The executor of a runtime, building the `lib` blocks a run uses first. */
function executorOf(name: string): Executor | undefined {
  const executor = Object.hasOwn(executors, name) ? executors[name] : undefined;
  if (!executor) return undefined;
  return (run, runtime, options) =>
    // The `lib` blocks a run uses are built first, with `options.runtimes`; their paths go into its code and environment.
    run.libraries && run.libraries.length > 0
      ? executeWithLibraries(run, runtime, options, (filled, withEnv) => executor(filled, runtime, withEnv))
      : executor(run, runtime, options);
}

/** Releases what executors keep between runs (the JS worker pool), so the process can exit. */
export async function closeExecutors(): Promise<void> {
  await closeJsPool();
}
