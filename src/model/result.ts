import {formatDuration} from './units.js';

/** Final state of one execution, as in execa's result. */
export type RunStatus = 'ok' | 'failed' | 'timed-out' | 'skipped';

/** What executing one planned run produced: execa's result shape plus samples. */
export interface RunResult {
  status: RunStatus;
  /** Why it failed or was skipped, in one line. */
  reason?: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** Wall time of the whole execution, build included. */
  durationMs: number;
  /** Compile time for compiled runtimes (0 when the build was cached). */
  buildMs?: number;
  /** Time spent building the `lib` blocks the run uses (0 when every one was cached); part of `durationMs`. */
  libraryBuildMs?: number;
  /** Captured output, capped; for bench blocks the output of the first process. */
  stdout: string;
  stderr: string;
  /** Time per call in nanoseconds, one entry per steady sample, processes in order (see `groups`). */
  samples?: number[];
  /** How many of `samples` each process took, in order: the processes of the two-level statistics. */
  groups?: number[];
  /** Inline bench blocks: every sample of each process after calibration, warm-up included, in order. */
  traces?: number[][];
  /** Inline bench blocks: each process's steady state (Barrett et al.): its class, and where its steady samples start in its trace. */
  steady?: Array<{classification: 'flat' | 'warm-up' | 'slow-down' | 'no steady state'; steadyFrom: number; warmupNs: number; capped: boolean}>;
  /** How many processes and samples were taken, and why (the dimensioning pass, or fixed settings). */
  design?: MeasureDesign;
  /** Environment padding of each process, in bytes (varied so that no one stack alignment decides a result: Mytkowicz et al.). */
  envPadding?: number[];
  /** Calls per sample chosen by calibration, per process. */
  loops?: number[];
  /** Smallest measurable step of the harness's clock, in ns (the coarsest over processes). */
  timerResolutionNs?: number;
  /** The first call of the function in each process, timed alone, in ns: JIT warm-up (PyPy, Numba) shows here, not in `samples`. */
  warmupNs?: number[];
  /** Unit of `samples`: nanoseconds (default) or instructions (`--measure instructions`). */
  unit?: 'ns' | 'instructions';
  /** Process mode: the kernel's accounting of every timed run (wait4), in run order; `samples` holds `wallNs`. */
  process?: {
    wallNs: number[];
    userNs: number[];
    sysNs: number[];
    maxRssKiB: number[];
    /** Median wall time of an empty program of the same runtime, measured alongside: the start-up cost included in every run. */
    startupNs?: number;
  };
  /** Memory: peak bytes allocated by one call (Python, tracemalloc) and the peak resident set of the measuring process. */
  memory?: {peakBytes?: number; maxRssKiB?: number};
}

/** How a block's processes and samples were chosen (Kalibera and Jones's dimensioning, or fixed settings). */
export interface MeasureDesign {
  /** `auto`: chosen from a pilot within the time budget; `fixed`: `processes=` and `repeat=` as written. */
  mode: 'auto' | 'fixed';
  processes: number;
  /** Steady samples asked of each process. */
  samplesPerProcess: number;
  /** Variance of one sample within a process, and of process means beyond it (ns²), from the pilot. */
  within?: number;
  between?: number;
  /** What one process costs (start, calibration, warm-up) and one sample, ms. */
  processMs?: number;
  sampleMs?: number;
  /** The time budget of the block's measurement, ms. */
  budgetMs?: number;
  /** One line: why these numbers. */
  reason: string;
}

/** A result before the executor adds its own timings (`durationMs`, `buildMs`). */
export type RunOutcome = Omit<RunResult, 'durationMs' | 'buildMs'>;

/**
 * What a run is doing. `building` only when something is compiled (not for a cached build);
 * `measuring` counts the fresh processes of a bench block (in process mode, its timed runs, with
 * `processes` the runs expected so far); `running` is a `run` block executing once.
 */
export type RunPhase =
  | {phase: 'building'}
  | {phase: 'warming-up'}
  | {phase: 'measuring'; process: number; processes: number}
  | {phase: 'running'};

/** A failed outcome: `reason` in one line, no output unless given in `fields`. */
export function failedOutcome(reason: string, fields: Partial<RunOutcome> = {}): RunOutcome {
  return {status: 'failed', reason, timedOut: false, stdout: '', stderr: '', ...fields};
}

/** The outcome of a run stopped at its time limit. */
export function timedOutOutcome(timeoutMs: number, fields: Partial<RunOutcome> = {}): RunOutcome {
  return {status: 'timed-out', reason: `timed out after ${formatDuration(timeoutMs)}`, timedOut: true, stdout: '', stderr: '', ...fields};
}

/** The outcome of a run stopped by Ctrl-C (or `--timeout-total`): it measured nothing worth keeping. */
export function abortedOutcome(fields: Partial<RunOutcome> = {}): RunOutcome {
  return failedOutcome('aborted', fields);
}

/** A run that did not start: a runtime, tool or library compiler is missing. Nothing ran, so nothing is stored. */
export function skippedOutcome(reason: string): RunOutcome {
  return {status: 'skipped', reason, timedOut: false, stdout: '', stderr: ''};
}

/** {@link skippedOutcome} as a result that took no time. */
export function skippedResult(reason: string): RunResult {
  return withTimings(skippedOutcome(reason), 0);
}

/** An error of our own machinery (temp files, the cache, a helper process) as a failed outcome: first line as the reason, stack as stderr. */
export function internalFailure(error: unknown): RunOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const stderr = error instanceof Error && error.stack ? error.stack : message;
  return failedOutcome(message.split('\n')[0] || 'internal error', {stderr});
}

/** An outcome with the executor's timings: the result stored and shown. */
export function withTimings(outcome: RunOutcome, durationMs: number, buildMs?: number): RunResult {
  return {...outcome, durationMs, ...(buildMs === undefined ? {} : {buildMs})};
}
