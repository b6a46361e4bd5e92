import type {RunOutcome, RunResult, RuntimeInfo} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import {runtimeEntry, type ExecuteOptions} from '../runtimes/index.js';
import {skippedResult} from '../model/index.js';
import {harnessRunner, measureInterleaved, type InterleavedMember} from './inline.js';
import {openJsBlock} from './js-pool/index.js';
import {buildRunLibraries} from './libraries.js';
import {prepareProgram} from './program.js';

/** A block ready to be measured with the others it is compared with. */
interface Opened {
  member: InterleavedMember;
  settle(outcome: RunOutcome): Promise<RunOutcome>;
  finish(outcome: RunOutcome): RunResult;
  release(): Promise<void>;
}

/**
 * Measures inline bench blocks that are compared with each other (the blocks of one claim, one
 * table or one sweep) together: each is prepared (built, its libraries too), then their processes
 * run in seeded interleaved rounds (`measureInterleaved`). A block that cannot be prepared gets its
 * failure; the others are measured without it. Results come back in the order of `members`.
 */
export async function measureCompared(members: Array<{run: PlannedRun; runtime: RuntimeInfo}>, options: ExecuteOptions & {seed?: number}): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const opened: Array<{index: number; block: Opened}> = [];
  try {
    // Builds one after another: two compilers at once on a small machine slow both.
    for (const [index, {run, runtime}] of members.entries()) {
      const block = await open(run, runtime, options);
      if ('result' in block) results[index] = block.result;
      else opened.push({index, block});
    }
    const outcomes = await measureInterleaved(
      opened.map(({block}) => block.member),
      options
    );
    for (const [position, {index, block}] of opened.entries()) results[index] = block.finish(await block.settle(outcomes[position]!));
  } finally {
    for (const {block} of opened) await block.release();
  }
  return results;
}

async function open(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<Opened | {result: RunResult}> {
  const entry = runtimeEntry(run.runtime);
  if (!entry) return {result: skippedResult(`no runtime ${run.runtime} in the runtime table`)};
  if (entry.workerPool) {
    const withLibraries = await buildRunLibraries(run, runtime, options);
    if ('result' in withLibraries) return {result: withLibraries.result};
    const block = await openJsBlock(withLibraries.run, {...options, env: {...options.env, ...withLibraries.env}});
    if ('result' in block) return block;
    return {member: {run, runner: block.runner, remainingMs: block.remainingMs}, settle: block.settle, finish: block.finish, release: block.release};
  }
  const preparation = await prepareProgram(run, runtime, options);
  if ('result' in preparation) return preparation;
  const {program} = preparation;
  return {member: {run, runner: harnessRunner(run, program, options), remainingMs: program.remainingMs}, settle: async (outcome) => outcome, finish: program.finish, release: program.release};
}
