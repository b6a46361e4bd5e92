import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {PlannedRun} from '../plan/types.js';
import {buildCached, type BuildOptions} from './build-cache.js';
import {defaultMaxOutputBytes, memoryLimitReason, runProcess, type ProcessOptions, type ProcessResult} from './process.js';
import type {ExecuteOptions, RunResult} from './types.js';

/** A block made ready to run by a language executor: the command to start, or its failed build. */
export type PreparedBlock =
  | {command: PreparedCommand; buildMs: number}
  | {buildFailure: ProcessResult; buildMs: number};

/** The program that runs a block: for `bench` blocks, the harness with the block loaded. */
export interface PreparedCommand {
  file: string;
  args: string[];
  /** Extra environment for every process of the run. */
  env?: Record<string, string>;
}

/** What a language executor gets to prepare a block. */
export interface PrepareContext {
  /** A fresh temp directory, removed after the run; also the children's working directory. */
  workDir: string;
  /** Milliseconds left before the run's deadline (may be negative). */
  remainingMs(): number;
  signal?: AbortSignal;
  maxOutputBytes: number;
  /** Reports the `building` phase: pass it as `buildCached`'s `onBuild`, so a cached build says nothing. */
  onBuild(): void;
  /**
   * Compiles through the build cache within this run's deadline, signal, output cap and progress,
   * and turns the outcome into a prepared block: `command` says how to run the artefact.
   */
  build(recipe: BuildRecipe, command?: (binary: string) => PreparedCommand): Promise<PreparedBlock>;
}

/** What to compile: the part of `buildCached`'s options that differs between languages. */
export type BuildRecipe = Pick<BuildOptions, 'runtime' | 'files' | 'args' | 'env' | 'output'>;

/**
 * Runs one planned block through an external program: `prepare` writes sources and builds, then a
 * `run` block executes once, and a `bench` block runs the harness in `run.measure.processes` fresh
 * processes whose samples are pooled. One deadline (`run.timeoutMs`) covers builds and every
 * process. Never throws: every failure is a `RunResult` with a one-line `reason`.
 */
export async function executeExternal(
  run: PlannedRun,
  options: ExecuteOptions,
  prepare: (context: PrepareContext) => Promise<PreparedBlock>
): Promise<RunResult> {
  const started = performance.now();
  const deadline = started + run.timeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  const {signal, onPhase} = options;
  let buildMs: number | undefined;
  const finish = (result: Omit<RunResult, 'durationMs' | 'buildMs'>): RunResult => ({
    ...result,
    durationMs: performance.now() - started,
    ...(buildMs === undefined ? {} : {buildMs})
  });
  if (signal?.aborted) return finish({...aborted, stdout: '', stderr: ''});

  let workDir: string | undefined;
  try {
    workDir = await mkdtemp(path.join(tmpdir(), 'benchbook-'));
    const context: PrepareContext = {
      workDir,
      remainingMs: () => deadline - performance.now(),
      maxOutputBytes,
      ...(signal ? {signal} : {}),
      onBuild: () => onPhase?.({phase: 'building'}),
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
    const prepared = await prepare(context);
    buildMs = prepared.buildMs;
    if ('buildFailure' in prepared) {
      const compiler = prepared.buildFailure;
      const output = [compiler.stderr, compiler.stdout].filter((text) => text !== '').join('\n');
      // A compiler that ran and said no is a compile error; one that was stopped is not.
      const stopped = compiler.aborted || compiler.timedOut || compiler.spawnError !== undefined;
      const failure = stopped
        ? failureOf(compiler, run.timeoutMs)!
        : {status: 'failed' as const, reason: 'compile error', timedOut: false};
      return finish({...failure, stdout: '', stderr: output});
    }

    const {command} = prepared;
    if (options.runPrepared) {
      const env = {...options.env, ...command.env};
      const program = {command: {...command, env}, workDir: context.workDir, remainingMs: context.remainingMs};
      return finish(await options.runPrepared(program));
    }
    const processOptions = (env: Record<string, string>): ProcessOptions => ({
      cwd: context.workDir,
      env: {...options.env, ...command.env, ...env},
      timeoutMs: context.remainingMs(),
      maxOutputBytes,
      ...(signal ? {signal} : {}),
      ...(run.memoryBytes === undefined ? {} : {memoryBytes: run.memoryBytes})
    });
    // A failed allocation says so in the reason, rather than as a bare exit code.
    const outcomeOf = (result: ProcessResult) => {
      const outcome = fromProcess(result, run.timeoutMs);
      if (outcome.status !== 'failed' || result.aborted) return outcome;
      const reason = memoryLimitReason(run.memoryBytes, `${outcome.stderr}\n${outcome.stdout}`, outcome.reason ?? 'failed');
      return reason === undefined ? outcome : {...outcome, reason};
    };
    if (run.kind === 'run') {
      onPhase?.({phase: 'running'});
      const result = await runProcess(command.file, command.args, processOptions({}));
      return finish(outcomeOf(result));
    }

    const samples: number[] = [];
    const loops: number[] = [];
    let timerResolutionNs = 0;
    const warmupNs: number[] = [];
    const memory: {peakBytes?: number; maxRssKiB?: number} = {};
    let first: ProcessResult | undefined;
    const processes = Math.max(1, Math.floor(run.measure.processes));
    for (let index = 0; index < processes; index++) {
      onPhase?.({phase: 'measuring', process: index + 1, processes});
      const resultFile = path.join(workDir, `result-${index}.json`);
      const result = await runProcess(
        command.file,
        command.args,
        processOptions({
          BENCHBOOK_RESULT: resultFile,
          BENCHBOOK_FN: run.measure.fn,
          BENCHBOOK_REPEAT: String(run.measure.repeat),
          BENCHBOOK_WARMUP: String(run.measure.warmup),
          BENCHBOOK_MIN_SAMPLE_NS: String(Math.round(run.measure.minSampleMs * 1e6))
        })
      );
      first ??= result;
      if (failureOf(result, run.timeoutMs)) return finish(outcomeOf(result));
      const measured = await readHarnessResult(resultFile, run.measure.repeat);
      if (typeof measured === 'string') {
        return finish({
          status: 'failed',
          reason: `harness produced no result: ${measured}`,
          exitCode: 0,
          timedOut: false,
          stdout: result.stdout,
          stderr: result.stderr
        });
      }
      samples.push(...measured.samples);
      loops.push(measured.loops);
      timerResolutionNs = Math.max(timerResolutionNs, measured.timerResolutionNs);
      if (measured.firstSampleNs !== undefined) warmupNs.push(measured.firstSampleNs);
      // The largest over processes: each measured the same call, a peak is a peak.
      if (measured.peakBytes !== undefined) memory.peakBytes = Math.max(memory.peakBytes ?? 0, measured.peakBytes);
      if (measured.maxRssKiB !== undefined) memory.maxRssKiB = Math.max(memory.maxRssKiB ?? 0, measured.maxRssKiB);
    }
    // Only when every process timed its first call: a partial list would misstate the warm-up.
    const warmup = warmupNs.length === processes ? {warmupNs} : {};
    const measuredMemory = Object.keys(memory).length > 0 ? {memory} : {};
    return finish({...fromProcess(first!, run.timeoutMs), samples, loops, timerResolutionNs, unit: 'ns', ...warmup, ...measuredMemory});
  } catch (error) {
    // Only our own machinery (temp dirs, the cache) gets here; report it as data like any failure.
    const message = error instanceof Error ? error.message : String(error);
    return finish({
      status: 'failed',
      reason: message.split('\n')[0] ?? 'internal error',
      timedOut: false,
      stdout: '',
      stderr: error instanceof Error && error.stack ? error.stack : message
    });
  } finally {
    if (workDir) await rm(workDir, {recursive: true, force: true}).catch(() => {});
  }
}

/** What a harness writes to `BENCHBOOK_RESULT`. */
export interface HarnessResult {
  /** Nanoseconds per call, one per timed sample. */
  samples: number[];
  /** Calls per sample chosen by calibration. */
  loops: number;
  /** Smallest step the harness's clock showed, in nanoseconds. */
  timerResolutionNs: number;
  /** The first call of the function, timed alone (JIT compilation included), in nanoseconds; optional. */
  firstSampleNs?: number;
  /** Peak bytes allocated by one call, after timing (Python's tracemalloc); optional. */
  peakBytes?: number;
  /** Peak resident set of the harness process, KiB; optional. */
  maxRssKiB?: number;
}

/** Reads and checks a harness result file; returns what was wrong, as a phrase, when it is unusable. */
export async function readHarnessResult(file: string, repeat: number): Promise<HarnessResult | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'the result file was not written';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `the result file is not JSON (${describeText(text)})`;
  }
  const result = value as Partial<HarnessResult> | null;
  const isSample = (sample: unknown) => typeof sample === 'number' && Number.isFinite(sample) && sample >= 0;
  if (
    typeof result !== 'object' ||
    result === null ||
    !Array.isArray(result.samples) ||
    !result.samples.every(isSample) ||
    !Number.isInteger(result.loops) ||
    (result.loops as number) < 1 ||
    typeof result.timerResolutionNs !== 'number'
  ) {
    return `expected {"samples": [ns...], "loops": n, "timerResolutionNs": ns}, saw ${describeText(text)}`;
  }
  if (result.samples.length !== repeat) {
    return `expected ${repeat} samples, saw ${result.samples.length}`;
  }
  const first = isSample(result.firstSampleNs) ? {firstSampleNs: result.firstSampleNs as number} : {};
  const peak = isSample(result.peakBytes) ? {peakBytes: result.peakBytes as number} : {};
  const rss = isSample(result.maxRssKiB) ? {maxRssKiB: result.maxRssKiB as number} : {};
  return {samples: result.samples, loops: result.loops as number, timerResolutionNs: result.timerResolutionNs, ...first, ...peak, ...rss};
}

const aborted = {status: 'failed', reason: 'aborted', timedOut: false} as const;

/** The failure a finished process stands for, or `undefined` when it succeeded. */
function failureOf(result: ProcessResult, timeoutMs: number): Omit<RunResult, 'durationMs' | 'stdout' | 'stderr'> | undefined {
  const signal = result.signal === undefined ? {} : {signal: result.signal};
  if (result.aborted) return {...aborted, ...signal};
  if (result.timedOut) {
    return {status: 'timed-out', reason: `timed out after ${formatSeconds(timeoutMs)}`, timedOut: true, ...signal};
  }
  if (result.spawnError !== undefined) {
    return {status: 'failed', reason: `could not start: ${result.spawnError}`, timedOut: false};
  }
  if (result.signal !== undefined) {
    return {status: 'failed', reason: `killed by ${result.signal}`, timedOut: false, ...signal};
  }
  if (result.exitCode !== 0) {
    return {status: 'failed', reason: `exited with code ${result.exitCode}`, exitCode: result.exitCode, timedOut: false};
  }
  return undefined;
}

/** A process result as a run result (without timings). */
function fromProcess(result: ProcessResult, timeoutMs: number): Omit<RunResult, 'durationMs' | 'buildMs'> {
  const status = failureOf(result, timeoutMs) ?? {status: 'ok', exitCode: 0, timedOut: false};
  return {...status, stdout: result.stdout, stderr: result.stderr};
}

/** `2000` -> `2 s`, `1500` -> `1.5 s`. */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** The start of unexpected text, quoted, for an error message. */
function describeText(text: string): string {
  if (text.trim() === '') return 'an empty file';
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
