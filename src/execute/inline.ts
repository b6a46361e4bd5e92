import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {medianOfSorted, seededRandom} from '../measure/basics.js';
import {chooseDesign} from '../measure/design.js';
import {steadyState, type SteadyState} from '../measure/steady.js';
import {failedOutcome, type MeasureDesign, type RunOutcome} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions} from '../runtimes/index.js';
import {runProcess, type ProcessOptions} from '../system/run-process.js';
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

/** One process of an inline bench block, as its harness (or a fresh pool worker) reported it. */
export interface HarnessProcess {
  /** Every sample after calibration, warm-up included, ns per call, in order. */
  trace: number[];
  loops: number;
  timerResolutionNs: number;
  /** The very first call, timed alone (JIT compilation included), ns. */
  firstSampleNs?: number;
  /** Peak bytes one call allocates (Python's tracemalloc). */
  peakBytes?: number;
  /** The process's own peak resident set, KiB. */
  maxRssKiB?: number;
  /** Sampling stopped at its cap while the samples were still getting faster. */
  capped: boolean;
  /** Wall time of the whole process, ms: its cost in the dimensioning. */
  wallMs: number;
  stdout: string;
  stderr: string;
}

/** What the measurement asks of one process. */
export interface ProcessRequest {
  /** Which process of the block this is, from 0. */
  index: number;
  /** Steady samples wanted (the window of the stop rule). */
  repeat: number;
  /** Samples always treated as warm-up. */
  warmup: number;
  /** Most samples, and most sampling time (ns), before the harness stops without a steady state. */
  maxSamples: number;
  maxNs: number;
  /** Least sampling time (ns) before the harness may stop: a warm-up that comes late still shows. */
  minNs: number;
  /** Bytes of padding in the process's environment (Mytkowicz et al.: the environment's size moves the stack). */
  envPadding: number;
}

/** Runs one process of a block: a harness process, or a fresh worker of the JS pool. */
export type ProcessRunner = (request: ProcessRequest) => Promise<HarnessProcess | RunOutcome>;

/** Default of the `budget` option: the time an inline bench block's measurement may take, ms. */
export const defaultBudgetMs = 5000;
/** Processes of the pilot that dimensions an automatic design. */
export const pilotProcesses = 3;

/**
 * Inline measurement of a `bench` block: the harness in fresh processes one after another. With
 * `processes=` or `repeat=` written, exactly that; else a pilot of {@link pilotProcesses} processes
 * dimensions the rest (Kalibera and Jones) within the block's `budget`. Each process samples until
 * steady; its steady segment (Barrett et al.) gives the block's samples, grouped by process.
 */
export async function measureInline(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions): Promise<RunOutcome> {
  return measureProcesses(run, harnessRunner(run, program, options), options, program.remainingMs);
}

/** The design, pilot, processes and steady-state analysis of {@link measureInline}, for any way of running one process. */
export async function measureProcesses(run: PlannedRun, runner: ProcessRunner, options: ExecuteOptions, remainingMs: () => number): Promise<RunOutcome> {
  return (await measureInterleaved([{run, runner, remainingMs}], options))[0]!;
}

/** One block of an interleaved measurement: how to run one of its processes, and its time left. */
export interface InterleavedMember {
  run: PlannedRun;
  runner: ProcessRunner;
  remainingMs: () => number;
}

/** A block's measurement in progress. */
interface MemberState extends InterleavedMember {
  design: MeasureDesign;
  taken: Array<{process: HarnessProcess; steady: SteadyState; padding: number}>;
  padding: () => number;
  started: number;
  failure?: RunOutcome;
  done: boolean;
}

/**
 * Measures blocks that are compared with each other (one claim, one table, one sweep) in seeded
 * rounds of one process each, shuffled, instead of one block after another: drift on a shared
 * machine then falls on every block alike (as process mode interleaves its runs). Each block keeps
 * its own design, pilot and budget. Outcomes come back in the order of `members`.
 */
export async function measureInterleaved(members: InterleavedMember[], options: ExecuteOptions & {seed?: number}): Promise<RunOutcome[]> {
  const states: MemberState[] = members.map((member) => ({
    ...member,
    design: initialDesign(member.run),
    taken: [],
    padding: seededRandom(seedOf(member.run.key)),
    started: performance.now(),
    done: false
  }));
  const random = seededRandom(options.seed ?? 1);
  const total = () => states.reduce((sum, state) => sum + (state.done ? state.taken.length : state.design.processes), 0);
  let taken = 0;
  while (states.some((state) => !state.done)) {
    for (const state of shuffle(states.filter((candidate) => !candidate.done), random)) {
      options.onPhase?.({phase: 'measuring', process: ++taken, processes: Math.max(taken, total())});
      await takeProcess(state);
    }
  }
  return states.map((state) => state.failure ?? assemble(state.taken, state.design));
}

/** The design a block starts with: its pilot when processes are chosen, else the processes as written. */
function initialDesign(run: PlannedRun): MeasureDesign {
  const {measure} = run;
  const repeat = Math.max(1, Math.floor(measure.repeat));
  return measure.design === 'auto'
    ? {mode: 'auto', processes: pilotProcesses, samplesPerProcess: repeat, budgetMs: measure.budgetMs ?? defaultBudgetMs, reason: 'pilot'}
    : {mode: 'fixed', processes: Math.max(1, Math.floor(measure.processes)), samplesPerProcess: repeat, reason: `processes=${measure.processes} and repeat=${repeat} as set`};
}

/** Runs one more process of a block, and decides its design after the pilot; marks it done when it has them all. */
async function takeProcess(state: MemberState): Promise<void> {
  const {measure} = state.run;
  const repeat = Math.max(1, Math.floor(measure.repeat));
  const warmup = Math.max(0, Math.floor(measure.warmup));
  const auto = measure.design === 'auto';
  const budgetMs = measure.budgetMs ?? defaultBudgetMs;
  const index = state.taken.length;
  const windowSize = index < pilotProcesses || !auto ? repeat : state.design.samplesPerProcess;
  const request: ProcessRequest = {
    index,
    repeat: windowSize,
    warmup,
    maxSamples: Math.max(1000, 4 * (warmup + windowSize)),
    // A JIT may take seconds to warm up; a third of the budget is what one process may spend on it,
    // and a sixth what it spends at least, so that a warm-up after a steady start shows.
    maxNs: Math.round(Math.max(budgetMs / 3, 2 * (warmup + windowSize) * measure.minSampleMs) * 1e6),
    minNs: auto ? Math.round((budgetMs / (2 * pilotProcesses)) * 1e6) : 0,
    envPadding: Math.floor(state.padding() * 4096)
  };
  const outcome = await state.runner(request);
  if ('status' in outcome) {
    state.failure = outcome;
    state.done = true;
    return;
  }
  state.taken.push({process: outcome, steady: steadyState(outcome.trace, {warmup, repeat, capped: outcome.capped}), padding: request.envPadding});
  if (auto && state.taken.length === pilotProcesses) {
    const pilot = state.taken.map(({process, steady}) => ({samples: process.trace.slice(steady.steadyFrom), process}));
    state.design = chooseDesign(
      {
        groups: pilot.map(({samples}) => samples),
        processMs: pilot.map(({process}) => process.wallMs),
        sampleMs: average(pilot.map(({process, samples}) => (medianOf(samples) * process.loops) / 1e6))
      },
      {repeat, budgetMs, spentMs: performance.now() - state.started}
    );
  }
  // The time limit is the hard stop: a chosen design ends early with the processes it has when
  // another would not fit; a design as written runs to the limit and times out like any run.
  const nearLimit = auto && state.taken.length >= pilotProcesses && state.remainingMs() < 1.5 * average(state.taken.map(({process}) => process.wallMs));
  if (state.taken.length >= state.design.processes || nearLimit) state.done = true;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The block's result from its processes: steady samples grouped by process, traces, classes, memory. */
function assemble(taken: Array<{process: HarnessProcess; steady: SteadyState; padding: number}>, design: MeasureDesign): RunOutcome {
  const samples: number[] = [];
  const groups: number[] = [];
  const memory: {peakBytes?: number; maxRssKiB?: number} = {};
  for (const {process, steady} of taken) {
    const part = process.trace.slice(steady.steadyFrom);
    samples.push(...part);
    groups.push(part.length);
    // The largest over processes: each measured the same call, a peak is a peak.
    if (process.peakBytes !== undefined) memory.peakBytes = Math.max(memory.peakBytes ?? 0, process.peakBytes);
    if (process.maxRssKiB !== undefined) memory.maxRssKiB = Math.max(memory.maxRssKiB ?? 0, process.maxRssKiB);
  }
  const firsts = taken.flatMap(({process}) => (process.firstSampleNs === undefined ? [] : [process.firstSampleNs]));
  const first = taken[0]!.process;
  return {
    status: 'ok',
    exitCode: 0,
    timedOut: false,
    stdout: first.stdout,
    stderr: first.stderr,
    samples,
    groups,
    loops: taken.map(({process}) => process.loops),
    timerResolutionNs: Math.max(0, ...taken.map(({process}) => process.timerResolutionNs)),
    unit: 'ns',
    // Only when every process timed its first call: a partial list would misstate the warm-up.
    ...(firsts.length === taken.length ? {warmupNs: firsts} : {}),
    traces: taken.map(({process}) => process.trace),
    steady: taken.map(({process, steady}) => ({
      classification: steady.classification,
      steadyFrom: steady.steadyFrom,
      warmupNs: process.trace.slice(0, steady.steadyFrom).reduce((sum, sample) => sum + sample * process.loops, 0),
      capped: steady.capped
    })),
    design: {...design, processes: taken.length},
    ...(taken.some(({padding}) => padding > 0) ? {envPadding: taken.map(({padding}) => padding)} : {}),
    ...(Object.keys(memory).length > 0 ? {memory} : {})
  };
}

/** One harness process per request: the block's program with the measurement's settings in its environment. */
export function harnessRunner(run: PlannedRun, program: PreparedProgram, options: ExecuteOptions): ProcessRunner {
  return async (request) => {
    const resultFile = path.join(program.workDir, `result-${request.index}.json`);
    const started = performance.now();
    const result = await runProcess(
      program.command.file,
      program.command.args,
      programProcessOptions(run, program, options, {
        BENCHBOOK_RESULT: resultFile,
        BENCHBOOK_FN: run.measure.fn,
        BENCHBOOK_REPEAT: String(request.repeat),
        BENCHBOOK_WARMUP: String(request.warmup),
        BENCHBOOK_MAX_SAMPLES: String(request.maxSamples),
        BENCHBOOK_MAX_NS: String(request.maxNs),
        BENCHBOOK_MIN_NS: String(request.minNs),
        BENCHBOOK_MIN_SAMPLE_NS: String(Math.round(run.measure.minSampleMs * 1e6)),
        // Varied per process so that no one stack alignment decides the result (Mytkowicz et al., ASPLOS 2009).
        BENCHBOOK_PAD: 'x'.repeat(request.envPadding)
      })
    );
    const wallMs = performance.now() - started;
    const outcome = processOutcome(result, run.timeoutMs, run.memoryBytes);
    if (outcome.status !== 'ok') return outcome;
    const measured = await readHarnessResult(resultFile, {least: request.warmup + request.repeat});
    if (typeof measured === 'string') return failedOutcome(`harness produced no result: ${measured}`, {exitCode: 0, stdout: result.stdout, stderr: result.stderr});
    const {samples, ...rest} = measured;
    return {...rest, trace: samples, capped: measured.capped ?? false, wallMs, stdout: result.stdout, stderr: result.stderr};
  };
}

/** A seed from a run's key: the same key pads its processes the same way on every run. */
function seedOf(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function medianOf(values: readonly number[]): number {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/** What a harness writes to `BENCHBOOK_RESULT`. */
export interface HarnessResult {
  /** Nanoseconds per call, every sample after calibration (warm-up included). */
  samples: number[];
  /** Sampling stopped at its cap while still getting faster; optional. */
  capped?: boolean;
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
export async function readHarnessResult(file: string, count: {least: number; most?: number}): Promise<HarnessResult | string> {
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
  if (result.samples.length < count.least || result.samples.length > (count.most ?? Number.POSITIVE_INFINITY)) {
    const expected = count.most === count.least ? `${count.least}` : `at least ${count.least}`;
    return `expected ${expected} samples, saw ${result.samples.length}`;
  }
  const first = isSample(result.firstSampleNs) ? {firstSampleNs: result.firstSampleNs as number} : {};
  const peak = isSample(result.peakBytes) ? {peakBytes: result.peakBytes as number} : {};
  const rss = isSample(result.maxRssKiB) ? {maxRssKiB: result.maxRssKiB as number} : {};
  const capped = typeof result.capped === 'boolean' ? {capped: result.capped} : {};
  return {samples: result.samples, loops: result.loops as number, timerResolutionNs: result.timerResolutionNs, ...first, ...peak, ...rss, ...capped};
}

/** The start of unexpected text, quoted, for an error message. */
function describeText(text: string): string {
  if (text.trim() === '') return 'an empty file';
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
