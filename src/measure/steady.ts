/**
 * Steady state of one process execution, after Barrett, Bolz-Tereick, Killick, Mount and Tratt,
 * "Virtual machine warmup blows hot and cold" (OOPSLA 2017): the in-process samples are split at
 * their changepoints (optimal partitioning on the mean, the exact form of PELT, with a penalty that
 * grows with log n), segments whose means are equivalent are merged, and the execution is
 * classified by its last segment: `flat` (one segment), `warm-up` (the last segment is faster than
 * the one before), `slow-down` (slower), or `no steady state` (the last segment is too short to be
 * a steady state, or sampling stopped at its cap while still getting faster). Statistics come from
 * the steady segment only.
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
  /** Means within this fraction of each other are one segment (default 0.02: timing noise, not a change). */
  equivalence?: number;
  /** Penalty of a changepoint, in multiples of log(n) (default 3: conservative on short traces). */
  penalty?: number;
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
  const cuts = mergeEquivalent(series, changepoints(series, options.penalty ?? 3), options.equivalence ?? 0.02);
  const starts = [0, ...cuts];
  const lastStart = starts.at(-1)!;
  const lastLength = series.length - lastStart;
  let classification: SteadyClass;
  if (capped || (cuts.length > 0 && lastLength < repeat)) classification = 'no steady state';
  else if (cuts.length === 0) classification = 'flat';
  else {
    const previousStart = starts.at(-2)!;
    classification = mean(series, lastStart, series.length) < mean(series, previousStart, lastStart) ? 'warm-up' : 'slow-down';
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
 * Changepoints in the mean by optimal partitioning: the segmentation that minimises the sum of
 * squared deviations (scaled by a robust noise variance) plus `penalty * log(n)` per changepoint.
 * Segments are at least two samples long, so one preempted sample is never a segment of its own.
 */
export function changepoints(series: readonly number[], penalty = 3): number[] {
  const n = series.length;
  if (n < 4) return [];
  const variance = noiseVariance(series);
  if (!(variance > 0)) return [];
  const prefix = new Float64Array(n + 1);
  const prefixSquares = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    prefix[i + 1] = prefix[i]! + series[i]!;
    prefixSquares[i + 1] = prefixSquares[i]! + series[i]! ** 2;
  }
  const cost = (from: number, to: number): number => {
    const length = to - from;
    const sum = prefix[to]! - prefix[from]!;
    return (prefixSquares[to]! - prefixSquares[from]! - (sum * sum) / length) / variance;
  };
  const beta = penalty * Math.log(n);
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const previous = new Int32Array(n + 1).fill(-1);
  best[0] = -beta;
  const minimum = 2;
  for (let end = minimum; end <= n; end++) {
    for (let start = 0; start <= end - minimum; start++) {
      if (start !== 0 && start < minimum) continue;
      if (!Number.isFinite(best[start]!)) continue;
      const total = best[start]! + cost(start, end) + beta;
      if (total < best[end]!) {
        best[end] = total;
        previous[end] = start;
      }
    }
  }
  const cuts: number[] = [];
  for (let end = n; end > 0; end = previous[end]!) {
    const start = previous[end]!;
    if (start > 0) cuts.push(start);
    if (start <= 0) break;
  }
  return cuts.reverse();
}

/**
 * The noise variance of a series whose mean may shift: from the differences of neighbours, which a
 * shift touches once (MAD of the differences, scaled for a normal distribution, halved for the
 * difference of two samples).
 */
function noiseVariance(series: readonly number[]): number {
  const differences = [];
  for (let i = 1; i < series.length; i++) differences.push(Math.abs(series[i]! - series[i - 1]!));
  const mad = medianOfSorted(differences.sort((a, b) => a - b));
  const sigma = mad / 0.6745 / Math.SQRT2;
  // A floor of 0.1% of the level: a quantised clock can make neighbours exactly equal.
  const level = medianOfSorted([...series].sort((a, b) => a - b));
  return Math.max(sigma, 0.001 * Math.abs(level)) ** 2;
}

/** Drops the changepoints between segments whose means are within `equivalence` of each other. */
function mergeEquivalent(series: readonly number[], cuts: number[], equivalence: number): number[] {
  const kept = [...cuts];
  let changed = true;
  while (changed && kept.length > 0) {
    changed = false;
    const bounds = [0, ...kept, series.length];
    for (let i = 0; i < kept.length; i++) {
      const left = mean(series, bounds[i]!, bounds[i + 1]!);
      const right = mean(series, bounds[i + 1]!, bounds[i + 2]!);
      if (Math.abs(left - right) <= equivalence * Math.max(Math.abs(left), Math.abs(right))) {
        kept.splice(i, 1);
        changed = true;
        break;
      }
    }
  }
  return kept;
}

function mean(series: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += series[i]!;
  return sum / Math.max(1, to - from);
}
