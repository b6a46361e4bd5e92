import type {RunResult} from '../model/index.js';
import type {Stats} from '../model/index.js';
import {medianOfSorted, quantileOfSorted, seededRandom} from './basics.js';
import {hierarchicalMedianInterval, splitGroups} from './hierarchical.js';

export {medianOfSorted, quantileOfSorted, seededRandom} from './basics.js';

/** Options of `summarize`. */
export interface SummarizeOptions {
  /** Bootstrap resamples for the median's interval (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
  /** Unit of the samples (default `ns`); instruction counts get no timer warning and no small-sample one. */
  unit?: 'ns' | 'instructions';
  /** Smallest step of the clock that timed the samples, ns: samples near it get a warning (tinybench's check). */
  timerResolutionNs?: number;
  /** Calls per sample, one per process (a sample is ns per call, so it lasted `sample * loops`). */
  loops?: readonly number[];
  /**
   * How many of the samples each process took, in order. With two or more processes the median's
   * interval comes from the two-level bootstrap (processes, then samples: Kalibera and Jones), not
   * from the pooled samples as if they were independent.
   */
  groups?: readonly number[];
  /** Samples were divided by this (`per=` on a block: ns per iteration), so a sample lasted `sample * per * loops`. */
  per?: number;
  /** What the spread warnings tell to raise (default `repeat/processes`; process mode: `runs/min-time`). */
  raise?: string;
}

/** A sample that lasts less than this many clock steps is read with more than 0.1% error from the clock alone. */
export const minSampleResolutions = 1000;

/**
 * Summarizes timing samples: location, spread, a bootstrap 95% interval of the median and Tukey outliers.
 * Outliers are flagged, never dropped (as criterion does): on a shared machine they are part of the truth.
 */
export function summarize(samples: readonly number[], options: SummarizeOptions = {}): Stats {
  const n = samples.length;
  if (n === 0) throw new TypeError('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((sum, x) => sum + x, 0) / n;
  const median = medianOfSorted(sorted);
  const variance = n > 1 ? samples.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  const mad = medianOfSorted(samples.map((x) => Math.abs(x - median)).sort((a, b) => a - b));

  const q1 = quantileOfSorted(sorted, 0.25);
  const q3 = quantileOfSorted(sorted, 0.75);
  const iqr = q3 - q1;
  const outliers: number[] = [];
  samples.forEach((x, index) => {
    if (x < q1 - 1.5 * iqr || x > q3 + 1.5 * iqr) outliers.push(index);
  });

  const stats: Stats = {
    n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    median,
    stddev,
    mad,
    ci: medianInterval(samples, options),
    outliers,
    warnings: [],
    ...(options.unit === 'instructions' ? {unit: 'instructions' as const} : {})
  };
  stats.warnings = [...timerWarnings(sorted[0]!, options), ...spreadWarnings(stats, options.raise)];
  return stats;
}

/** The statistics of a run's samples with the run's unit, clock and loop counts; `undefined` without samples. */
export function summarizeResult(
  result: Pick<RunResult, 'samples' | 'unit' | 'timerResolutionNs' | 'loops' | 'process' | 'groups' | 'steady'>,
  options: SummarizeOptions = {}
): Stats | undefined {
  if (!result.samples || result.samples.length === 0) return undefined;
  const stats = summarize(result.samples, {
    ...(result.process ? {raise: 'runs/min-time'} : {}),
    ...(result.unit ? {unit: result.unit} : {}),
    ...(result.timerResolutionNs ? {timerResolutionNs: result.timerResolutionNs} : {}),
    ...(result.loops && result.loops.length > 0 ? {loops: result.loops} : {}),
    ...(result.groups && result.groups.length > 1 ? {groups: result.groups} : {}),
    ...options
  });
  stats.warnings.push(...steadyWarnings(result.steady));
  return stats;
}

/** A warning when some processes reached no steady state (Barrett et al.): their figure is the last window, not a steady one. */
function steadyWarnings(steady: RunResult['steady']): string[] {
  const unsettled = (steady ?? []).filter((state) => state.classification === 'no steady state').length;
  if (unsettled === 0) return [];
  return [
    `no steady state in ${unsettled} of ${steady!.length} processes: the samples were still changing when the harness stopped, so the figure is its last window; raise budget=, or look for a cache, a leak or a JIT that never settles`
  ];
}

/** A warning when the shortest sample lasted too few clock steps to be read accurately. */
function timerWarnings(shortest: number, options: SummarizeOptions): string[] {
  const resolution = options.timerResolutionNs;
  if (options.unit === 'instructions' || !resolution || resolution <= 0) return [];
  const loops = options.loops && options.loops.length > 0 ? Math.min(...options.loops) : 1;
  const lasted = shortest * loops * (options.per ?? 1);
  if (lasted >= minSampleResolutions * resolution) return [];
  return [
    `the shortest sample lasted ${Math.round(lasted)} ns, only ${Math.round(lasted / resolution)}× the clock's resolution of ${resolution} ns: raise min-sample so the clock's step stays under 0.1% of a sample`
  ];
}

/** The median's 95% interval: two-level over processes when the samples come from several, else over the samples. */
function medianInterval(samples: readonly number[], options: SummarizeOptions): [number, number] {
  const groups = splitGroups(samples, options.groups);
  if (groups.length > 1) return hierarchicalMedianInterval(groups, {resamples: options.resamples ?? 2000, seed: options.seed ?? 1});
  return bootstrapMedianInterval(samples, options.resamples ?? 2000, options.seed ?? 1);
}

/** Percentile bootstrap 95% interval of the median. */
export function bootstrapMedianInterval(samples: readonly number[], resamples: number, seed: number): [number, number] {
  const n = samples.length;
  if (n === 1) return [samples[0]!, samples[0]!];
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const resample = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(random() * n)]!;
    resample.sort((a, b) => a - b);
    medians[r] = medianOfSorted(resample);
  }
  medians.sort();
  return [quantileOfSorted(Array.from(medians), 0.025), quantileOfSorted(Array.from(medians), 0.975)];
}

/** pyperf's `check`: warnings when the spread makes a result doubtful, each with what to do next. */
export function spreadWarnings(stats: Stats, raise = 'repeat/processes'): string[] {
  const warnings: string[] = [];
  const advice = `rerun on a quieter machine or raise ${raise}`;
  // Instruction counts barely vary: a few of them are as good as many.
  if (stats.n < 5 && stats.unit !== 'instructions') warnings.push(`only ${stats.n} samples: raise ${raise.replace('/', ' or ')} for a trustworthy interval`);
  if (stats.mean > 0 && stats.stddev >= 0.1 * stats.mean) {
    warnings.push(`standard deviation is ${percent(stats.stddev / stats.mean)} of the mean: ${advice}`);
  }
  if (stats.mean > 0 && stats.max >= 1.5 * stats.mean) {
    warnings.push(`the maximum is ${percent(stats.max / stats.mean - 1)} above the mean: ${advice}`);
  }
  if (stats.mean > 0 && stats.min <= 0.5 * stats.mean) {
    warnings.push(`the minimum is ${percent(1 - stats.min / stats.mean)} below the mean: ${advice}`);
  }
  if (stats.outliers.length > 0.1 * stats.n) {
    warnings.push(`${stats.outliers.length} of ${stats.n} samples are outliers: ${advice}`);
  }
  return warnings;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
