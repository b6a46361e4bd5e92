import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {RunOutcome} from '../model/index.js';
import {failedOutcome} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions} from '../runtimes/index.js';
import {runProcess, type ProcessOptions, type ProcessResult} from '../system/run-process.js';
import {processOutcome} from './outcome.js';
import type {PreparedProgram} from './program.js';

/** The options of every process of a prepared program: its directory, environment, deadline and limits. */
export function programProcessOptions(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions, env: Record<string, string> = {}): ProcessOptions {
  return {
    cwd: program.workDir,
    env: {...program.command.env, ...env},
    timeoutMs: program.remainingMs(),
    ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
    ...(options.signal ? {signal: options.signal} : {}),
    ...(run.memoryBytes === undefined ? {} : {memoryBytes: run.memoryBytes})
  };
}

/** A `run` block: its program executed once, output captured. */
export async function runOnce(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions): Promise<RunOutcome> {
  options.onPhase?.({phase: 'running'});
  const result = await runProcess(program.command.file, program.command.args, programProcessOptions(run, program, options));
  return processOutcome(result, run.timeoutMs, run.memoryBytes);
}

/**
 * Inline measurement of a `bench` block: the harness in `run.measure.processes` fresh processes one
 * after another, each calibrating its loop count and taking `repeat` samples; samples are pooled.
 */
export async function measureInline(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions): Promise<RunOutcome> {
  const samples: number[] = [];
  const loops: number[] = [];
  let timerResolutionNs = 0;
  const warmupNs: number[] = [];
  const memory: {peakBytes?: number; maxRssKiB?: number} = {};
  let first: ProcessResult | undefined;
  const processes = Math.max(1, Math.floor(run.measure.processes));
  for (let index = 0; index < processes; index++) {
    options.onPhase?.({phase: 'measuring', process: index + 1, processes});
    const resultFile = path.join(program.workDir, `result-${index}.json`);
    const result = await runProcess(
      program.command.file,
      program.command.args,
      programProcessOptions(run, program, options, {
        BENCHBOOK_RESULT: resultFile,
        BENCHBOOK_FN: run.measure.fn,
        BENCHBOOK_REPEAT: String(run.measure.repeat),
        BENCHBOOK_WARMUP: String(run.measure.warmup),
        BENCHBOOK_MIN_SAMPLE_NS: String(Math.round(run.measure.minSampleMs * 1e6))
      })
    );
    first ??= result;
    const outcome = processOutcome(result, run.timeoutMs, run.memoryBytes);
    if (outcome.status !== 'ok') return outcome;
    const measured = await readHarnessResult(resultFile, run.measure.repeat);
    if (typeof measured === 'string') return failedOutcome(`harness produced no result: ${measured}`, {exitCode: 0, stdout: result.stdout, stderr: result.stderr});
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
  return {...processOutcome(first!, run.timeoutMs), samples, loops, timerResolutionNs, unit: 'ns', ...warmup, ...measuredMemory};
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

/** The start of unexpected text, quoted, for an error message. */
function describeText(text: string): string {
  if (text.trim() === '') return 'an empty file';
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
