import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {abortedOutcome, failedOutcome, internalFailure, skippedResult, withTimings, type RunOutcome, type RunResult, type RuntimeInfo} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import {runtimeEntry, type ExecuteOptions, type PrepareContext, type ProgramCommand} from '../runtimes/index.js';
import {buildCached} from '../system/build-cache.js';
import {defaultMaxOutputBytes} from '../system/run-process.js';
import {buildRunLibraries} from './libraries.js';
import {processFailure} from './outcome.js';

/** A block built and ready to start, with everything its processes need. */
export interface PreparedProgram {
  /** The program and its arguments; `env` (libraries and the runtime's own variables merged) is added to the inherited environment. */
  command: ProgramCommand & {env: Record<string, string>};
  /** The run's temp directory (removed by `release`): the working directory of its processes. */
  workDir: string;
  /** Milliseconds left before the run's deadline: one deadline covers builds and every process. */
  remainingMs(): number;
  /** The result of `outcome` with this run's timings: wall time since preparing began, build times. */
  finish(outcome: RunOutcome): RunResult;
  /** Removes the temp directory. */
  release(): Promise<void>;
}

/** What {@link prepareProgram} gives: a program, or the result that says why there is none. */
export type Preparation = {program: PreparedProgram} | {result: RunResult};

/**
 * Makes a planned run a program: builds the libraries it uses, then lets its runtime's entry write
 * and build it in a fresh temp directory (`RuntimeEntry.prepare`). Never throws: a compile error, a
 * missing library compiler or our own failure comes back as the run's result. The caller measures
 * the program in its own way (inline harness, whole-program runs, instruction counts) and must
 * `release` it.
 */
export async function prepareProgram(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<Preparation> {
  const started = performance.now();
  const deadline = started + run.timeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  const {signal} = options;
  let buildMs: number | undefined;
  let libraryBuildMs: number | undefined;
  const finish = (outcome: RunOutcome): RunResult => ({
    ...withTimings(outcome, performance.now() - started, buildMs),
    ...(libraryBuildMs === undefined ? {} : {libraryBuildMs})
  });
  const entry = runtimeEntry(run.runtime);
  if (!entry) return {result: skippedResult(`no runtime ${run.runtime} in the runtime table`)};
  if (signal?.aborted) return {result: finish(abortedOutcome())};

  let filled = run;
  let libraryEnv: Record<string, string> = {};
  if (run.libraries && run.libraries.length > 0) {
    const withLibraries = await buildRunLibraries(run, runtime, options);
    if ('result' in withLibraries) return {result: {...withLibraries.result, durationMs: performance.now() - started}};
    ({run: filled, env: libraryEnv, libraryBuildMs} = withLibraries);
  }

  let workDir: string | undefined;
  const release = async () => {
    if (workDir) await rm(workDir, {recursive: true, force: true}).catch(() => {});
  };
  try {
    workDir = await mkdtemp(path.join(tmpdir(), 'benchbook-'));
    const context: PrepareContext = {
      workDir,
      remainingMs: () => deadline - performance.now(),
      maxOutputBytes,
      ...(signal ? {signal} : {}),
      onBuild: () => options.onPhase?.({phase: 'building'}),
      build: async (recipe, command = (binary) => ({file: binary, args: []})) => {
        const build = await buildCached({
          ...recipe,
          cacheDir: options.cacheDir,
          timeoutMs: context.remainingMs(),
          maxOutputBytes,
          ...(signal ? {signal} : {}),
          onBuild: context.onBuild
        });
        return build.ok ? {command: command(build.binary), buildMs: build.buildMs} : {buildFailure: build.compiler, buildMs: build.buildMs};
      }
    };
    const prepared = await entry.prepare({kind: filled.kind, blockId: filled.blockId, code: filled.code, fn: filled.measure.fn}, runtime, context);
    buildMs = prepared.buildMs;
    if ('buildFailure' in prepared) {
      await release();
      const compiler = prepared.buildFailure;
      const output = [compiler.stderr, compiler.stdout].filter((text) => text !== '').join('\n');
      // A compiler that ran and said no is a compile error; one that was stopped is not.
      const stopped = compiler.aborted || compiler.timedOut || compiler.spawnError !== undefined;
      const failure = (stopped && processFailure(compiler, run.timeoutMs)) || failedOutcome('compile error');
      return {result: finish({...failure, stdout: '', stderr: output})};
    }
    const {command} = prepared;
    const program: PreparedProgram = {
      command: {...command, env: {...options.env, ...libraryEnv, ...command.env}},
      workDir,
      remainingMs: context.remainingMs,
      finish,
      release
    };
    return {program};
  } catch (error) {
    // Only our own machinery (temp dirs, the cache) gets here; report it as data like any failure.
    await release();
    return {result: finish(internalFailure(error))};
  }
}

/** Prepares `run`, hands the program to `measure`, and releases it; the result carries the run's timings. */
export async function withProgram(
  run: PlannedRun,
  runtime: RuntimeInfo,
  options: ExecuteOptions,
  measure: (program: PreparedProgram) => Promise<RunOutcome>
): Promise<RunResult> {
  const preparation = await prepareProgram(run, runtime, options);
  if ('result' in preparation) return preparation.result;
  const {program} = preparation;
  try {
    return program.finish(await measure(program));
  } catch (error) {
    return program.finish(internalFailure(error));
  } finally {
    await program.release();
  }
}
