import type {PlannedRun} from '../plan/types.js';
import {executeC} from './c.js';
import {executeGo} from './go.js';
import {closeJsPool, executeJs} from './js/index.js';
import {executePython} from './python.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

export {resolveRuntimes} from './runtimes.js';
export {languages, runtimeForLanguage} from './languages.js';
export {closeJsPool} from './js/index.js';
export type * from './types.js';

type Executor = (run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions) => Promise<RunResult>;

/** The executor of each runtime: adding a language is one entry here, one harness and one fixture. */
const executors: Record<string, Executor> = {
  python: executePython,
  go: executeGo,
  c: executeC,
  js: executeJs,
  ts: executeJs
};

/**
 * Runs one planned block on its runtime. Never throws for a problem of the block itself: compile
 * errors, crashes and timeouts come back as a result with a status and a reason.
 */
export async function executeRun(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  const executor = executors[run.runtime];
  if (!executor) {
    return {status: 'skipped', reason: `no executor for runtime ${run.runtime}`, timedOut: false, durationMs: 0, stdout: '', stderr: ''};
  }
  return executor(run, runtime, options);
}

/** Releases what executors keep between runs (the JS worker pool), so the process can exit. */
export async function closeExecutors(): Promise<void> {
  await closeJsPool();
}
