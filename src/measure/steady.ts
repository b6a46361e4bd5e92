/**
 * Steady state of one process execution, after Barrett, Bolz-Tereick, Killick, Mount and Tratt,
 * "Virtual machine warmup blows hot and cold" (OOPSLA 2017): the in-process samples are split at
 * their changepoints, and the execution is classified by its last segment: `flat` (no change),
 * `warm-up` (the last segment is faster than the one before), `slow-down` (slower), or `no steady
 * state` (sampling stopped at its cap while still getting faster, or the last segment still moves:
 * the medians of its halves differ materially). Statistics come from the steady segment only.
 *
 * Barrett et al. ran 2000 in-process iterations and used PELT; a benchmark of ours has tens of
 * samples on a shared machine, where one preempted sample or a burst of them is common. So the
 * changepoints are found by robust binary segmentation: the split that most separates the medians
 * of its two sides, in units of their robust standard error, kept when that is both large (more
 * than 5 standard errors) and material (more than `equivalence` of the level), then the same again
 * on the later side. A steady segment must be at least twice the `repeat` window long, so a burst
 * of noise at the very end is never taken for a new steady state.
 */
import {medianOfSorted} from './basics.js';

/** Barrett et al.'s classes of a process execution. */
export type SteadyClass = 'flat' | 'warm-up' | 'slow-down' | 'no steady state';

/** One process execution's steady state. */
export interface SteadyState {
  classification: SteadyClass;
  /** Index in the trace where the steady segment starts (the samples before it are warm-up). */
  steadyFrom: number;
  /** Samples before the steady segment: the declared minimum warm-up plus any found. */
  warmupSamples: number;
  /** Where the trace changes, as indices in it (the start of each segment after the first). */
  changepoints: number[];
  /** Sampling stopped at its cap while the samples were still getting faster. */
  capped: boolean;
}

/** Options of {@link steadyState}. */
export interface SteadyOptions {
  /** Samples always treated as warm-up, from the start (the `warmup` setting; default 0). */
  warmup?: number;
  /** Length of a steady window (the `repeat` setting): a last segment shorter than this is no steady state (default 5). */
  repeat?: number;
  /** The harness stopped at its cap while still getting faster (default false). */
  capped?: boolean;
  /** A change of the median smaller than this fraction is none (default 0.1: on a shared machine the level drifts by several percent over a second; a JIT's warm-up is a factor). */
  equivalence?: number;
}

/**
 * Classifies one process's trace (every sample after calibration, in order) and says where its
 * steady part starts. Pure: the same trace gives the same answer.
 */
export function steadyState(trace: readonly number[], options: SteadyOptions = {}): SteadyState {
  const warmup = Math.min(Math.max(0, Math.floor(options.warmup ?? 0)), Math.max(0, trace.length - 1));
  const repeat = Math.max(1, Math.floor(options.repeat ?? 5));
  const capped = options.capped ?? false;
  const series = trace.slice(warmup);
  const cuts = changepoints(series, {equivalence: options.equivalence ?? 0.1, minimumSteady: 2 * repeat});
  const lastStart = cuts.at(-1) ?? 0;
  let classification: SteadyClass;
  if (capped || drifts(series.slice(lastStart), options.equivalence ?? 0.1)) classification = 'no steady state';
  else if (cuts.length === 0) classification = 'flat';
  else {
    const previousStart = cuts.at(-2) ?? 0;
    classification = median(series.slice(lastStart)) < median(series.slice(previousStart, lastStart)) ? 'warm-up' : 'slow-down';
  }
  // Without a steady state the last window is the best there is; the classification says so.
  const steadyLocal = classification === 'no steady state' ? Math.max(0, series.length - repeat) : lastStart;
  return {
    classification,
    steadyFrom: warmup + steadyLocal,
    warmupSamples: warmup + steadyLocal,
    changepoints: cuts.map((cut) => cut + warmup),
    capped
  };
}

/**
 * Whether a would-be steady segment still moves: the medians of its halves differ by more than
 * `equivalence` of its level and by more than 3 robust standard errors (one test at a fixed split,
 * not the most telling of many, so 3 is as strict as 5 is there). A steady state holds still.
 */
function drifts(segment: readonly number[], equivalence: number): boolean {
  if (segment.length < 6) return false;
  const half = segment.length >> 1;
  const split = bestSplitAt(segment, half);
  return split.z >= 3 && split.difference > equivalence * split.level;
}

/** Options of {@link changepoints}. */
export interface ChangepointOptions {
  /** A change smaller than this fraction of the level is not one (default 0.05). */
  equivalence?: number;
  /** A later side shorter than this is never split off (default 10): a steady segment is a run of samples. */
  minimumSteady?: number;
  /** A change must be this many robust standard errors large (default 5). */
  threshold?: number;
}

/**
 * The changepoints of a series, in order: robust binary segmentation (see the module's comment).
 * Each split is searched in what follows the last one, so the last changepoint starts the steady part.
 */
export function changepoints(series: readonly number[], options: ChangepointOptions = {}): number[] {
  const equivalence = options.equivalence ?? 0.05;
  const minimumSteady = Math.max(2, options.minimumSteady ?? 10);
  const threshold = options.threshold ?? 5;
  const cuts: number[] = [];
  let from = 0;
  for (;;) {
    const split = bestSplit(series, from, minimumSteady);
    if (!split || split.z < threshold || split.difference <= equivalence * split.level) break;
    cuts.push(split.at);
    from = split.at;
  }
  return cuts;
}

/** The split of `series[from..]` that most separates the medians of its sides, with how much. */
function bestSplit(series: readonly number[], from: number, minimumSteady: number): {at: number; z: number; difference: number; level: number} | undefined {
  let best: {at: number; z: number; difference: number; level: number} | undefined;
  const rest = series.slice(from);
  for (let at = 3; at <= rest.length - minimumSteady; at++) {
    const split = bestSplitAt(rest, at);
    if (!best || split.z > best.z) best = {...split, at: from + at};
  }
  return best;
}

/** How much the medians of `series[..at]` and `series[at..]` differ, in robust standard errors and in the series' unit. */
function bestSplitAt(series: readonly number[], at: number): {at: number; z: number; difference: number; level: number} {
  const left = series.slice(0, at);
  const right = series.slice(at);
  const [leftMedian, rightMedian] = [median(left), median(right)];
  // A robust standard deviation of the samples about their own side's median, pooled.
  const deviations = [...left.map((x) => Math.abs(x - leftMedian)), ...right.map((x) => Math.abs(x - rightMedian))];
  const sigma = Math.max(median(deviations) / 0.6745, 1e-9 * Math.abs(rightMedian));
  // The standard error of a median is about 1.25 times that of a mean.
  const z = Math.abs(leftMedian - rightMedian) / (1.2533 * sigma * Math.sqrt(1 / left.length + 1 / right.length));
  return {at, z, difference: Math.abs(leftMedian - rightMedian), level: Math.max(Math.abs(leftMedian), Math.abs(rightMedian))};
}

function median(values: readonly number[]): number {
  return medianOfSorted([...values].sort((a, b) => a - b));
}
