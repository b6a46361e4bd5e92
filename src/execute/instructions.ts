/**
 * Stable mode (`--measure instructions`): bench blocks counted in instructions under valgrind's
 * callgrind instead of timed. A count does not move with the machine's load, so it can tell two
 * versions of a function apart where timings on a shared machine cannot; it is not a time.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {failedOutcome, skippedResult, type RunOutcome, type RunResult, type RuntimeInfo} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions, RuntimeEntry} from '../runtimes/index.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';
import {readHarnessResult} from './inline.js';
import {processFailure as failureOf} from './outcome.js';
import {withProgram, type PreparedProgram} from './program.js';

type Outcome = RunOutcome;

/**
 * Environment of every counted process. A fixed hash seed makes Python's dict and set work repeat;
 * Go's asynchronous preemption signals crash callgrind, so they are turned off.
 */
export const countEnv = {PYTHONHASHSEED: '0', GODEBUG: 'asyncpreemptoff=1'};

/**
 * Counts a bench block in instructions (callgrind's total `Ir`). In process mode each sample is the
 * count of one whole run of the program (start-up included). Inline, the harness runs with a fixed
 * loop count instead of timing: each sample is `(count(1 + L calls) - count(1 call)) / L`, the
 * instructions of one call with start-up, setup and the harness itself cancelled out, where `L` is
 * the loop count a native calibration picks. Each sample comes from fresh processes; address-space
 * randomisation is off (`setarch -R`) where possible so counts repeat. A design chosen by benchbook
 * (`design: auto`) takes one sample: counts under callgrind repeat to the instruction with a fixed
 * hash seed, and each sample costs two runs under valgrind of several seconds each (CPython's start
 * alone takes 2.7 s there). `processes=N` as written takes N, to see a count that does not repeat.
 * JS and TS blocks are skipped: V8 compiles them while they run, under valgrind too.
 */
export async function countInstructions(run: PlannedRun, runtime: RuntimeInfo, entry: RuntimeEntry, options: ExecuteOptions): Promise<RunResult> {
  if (entry.noInstructions) return skippedResult(`instruction counts are not supported for ${entry.language.name} blocks: ${entry.noInstructions}`);
  const tools = await findTools();
  if (typeof tools === 'string') return skippedResult(tools);
  const samples = run.measure.design === 'auto' ? 1 : Math.max(1, run.measure.processes);
  if (run.measure.mode === 'process') {
    return withProgram({...run, kind: 'run'}, runtime, options, async (program) => {
      const counts: number[] = [];
      for (let i = 0; i < samples; i++) {
        options.onPhase?.({phase: 'measuring', process: i + 1, processes: samples});
        const counted = await countOnce(tools, program, {}, options);
        if (typeof counted !== 'number') return counted;
        counts.push(counted);
      }
      return {status: 'ok', exitCode: 0, timedOut: false, stdout: '', stderr: '', samples: counts, unit: 'instructions'};
    });
  }
  return withProgram(run, runtime, options, async (program) => {
    const loops = await calibrate(run, program, options);
    if (typeof loops !== 'number') return loops;
    const counts: number[] = [];
    for (let i = 0; i < samples; i++) {
      options.onPhase?.({phase: 'measuring', process: i + 1, processes: samples});
      // The two runs at once: a count does not depend on what else runs (unlike a time), and each run
      // under valgrind takes seconds, so on two cores a sample costs one run's time instead of two.
      const [base, more] = await Promise.all([1, 1 + loops].map((count) => countOnce(tools, program, harnessEnv(run, program, count), options, count)));
      if (typeof base !== 'number') return base!;
      if (typeof more !== 'number') return more!;
      counts.push(Math.max(0, (more - base) / loops));
    }
    return {status: 'ok', exitCode: 0, timedOut: false, stdout: '', stderr: '', samples: counts, loops: counts.map(() => loops), unit: 'instructions'};
  });
}

/** Reads callgrind's total instruction count from its output file (`summary:` or `totals:` line). */
export function parseCallgrindTotal(text: string): number | undefined {
  const match = /^(?:summary|totals):\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

interface Tools {
  valgrind: string;
  /** `setarch` when it can turn address-space randomisation off here. */
  setarch?: string;
}

let tools: Promise<Tools | string> | undefined;

/** valgrind (required) and setarch (optional), probed once. */
function findTools(): Promise<Tools | string> {
  tools ??= (async () => {
    const valgrind = await runProcess('valgrind', ['--version'], {timeoutMs: 10_000});
    if (valgrind.exitCode !== 0) {
      tools = undefined;
      return 'valgrind not found: --measure instructions runs blocks under callgrind; install valgrind (apt-get install valgrind)';
    }
    const setarch = await runProcess('setarch', ['-R', 'true'], {timeoutMs: 10_000});
    return {valgrind: 'valgrind', ...(setarch.exitCode === 0 ? {setarch: 'setarch'} : {})};
  })();
  return tools;
}

/** The harness's environment for a run of `loops` calls, no calibration, no clock. */
function harnessEnv(run: PlannedRun, program: PreparedProgram, loops: number): Record<string, string> {
  return {
    BENCHBOOK_RESULT: path.join(program.workDir, `count-${loops}.json`),
    BENCHBOOK_FN: run.measure.fn,
    BENCHBOOK_REPEAT: '1',
    BENCHBOOK_WARMUP: '0',
    BENCHBOOK_LOOPS: String(loops)
  };
}

/** The loop count a native run of the harness calibrates to (one sample of `min-sample`). */
async function calibrate(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions): Promise<number | Outcome> {
  const resultFile = path.join(program.workDir, 'calibration.json');
  const result = await runProcess(program.command.file, program.command.args, {
    cwd: program.workDir,
    env: {
      ...program.command.env,
      BENCHBOOK_RESULT: resultFile,
      BENCHBOOK_FN: run.measure.fn,
      BENCHBOOK_REPEAT: '1',
      BENCHBOOK_WARMUP: '0',
      BENCHBOOK_MIN_SAMPLE_NS: String(Math.round(run.measure.minSampleMs * 1e6))
    },
    timeoutMs: program.remainingMs(),
    ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
    ...(options.signal ? {signal: options.signal} : {})
  });
  const failure = processFailure(result);
  if (failure) return failure;
  const harness = await readHarnessResult(resultFile, {least: 1});
  if (typeof harness === 'string') return failed(`harness produced no result: ${harness}`, result);
  return harness.loops;
}

/**
 * One counted run of the program: its total `Ir`. With `loops`, the harness's result must show it
 * ran exactly that many calls (a harness that ignores BENCHBOOK_LOOPS would count calibration).
 */
/** Runs under callgrind so far in this process: each writes a file of its own, even two started in the same millisecond. */
let countRuns = 0;

async function countOnce(
  found: Tools,
  program: PreparedProgram,
  env: Record<string, string>,
  options: ExecuteOptions,
  loops?: number
): Promise<number | Outcome> {
  const outFile = path.join(program.workDir, `callgrind-${loops ?? 'program'}-${++countRuns}.out`);
  const valgrindArgs = ['--tool=callgrind', `--callgrind-out-file=${outFile}`, program.command.file, ...program.command.args];
  const [file, args] = found.setarch ? [found.setarch, ['-R', found.valgrind, ...valgrindArgs]] : [found.valgrind, valgrindArgs];
  const result = await runProcess(file, args, {
    cwd: program.workDir,
    env: {...program.command.env, ...countEnv, ...env},
    timeoutMs: program.remainingMs(),
    ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
    ...(options.signal ? {signal: options.signal} : {})
  });
  const failure = processFailure(result);
  if (failure) return failure;
  if (loops !== undefined) {
    const harness = await readHarnessResult(env['BENCHBOOK_RESULT']!, {least: 1, most: 1});
    if (typeof harness === 'string') return failed(`harness produced no result: ${harness}`, result);
    if (harness.loops !== loops) {
      return failed(`the harness ran ${harness.loops} calls instead of ${loops}: it does not support fixed loop counts (BENCHBOOK_LOOPS)`, result);
    }
  }
  let text: string;
  try {
    text = await readFile(outFile, 'utf8');
  } catch {
    return failed('callgrind wrote no output file', result);
  }
  const total = parseCallgrindTotal(text);
  return total ?? failed('callgrind output has no summary: or totals: line', result);
}

/** The failure a finished counting or calibration run stands for, its output kept, or `undefined`. */
function processFailure(result: ProcessResult): Outcome | undefined {
  const failure = failureOf(result, 0);
  if (!failure) return undefined;
  const reason = result.timedOut ? 'timed out while counting instructions' : failure.reason;
  return {...failure, ...(reason ? {reason} : {}), stdout: result.stdout, stderr: result.stderr};
}

function failed(reason: string, result: ProcessResult): Outcome {
  return failedOutcome(reason, {stdout: result.stdout, stderr: result.stderr});
}
