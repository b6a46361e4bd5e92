/**
 * Process-level statistics, after Kalibera and Jones, "Rigorous benchmarking in reasonable time"
 * (ISMM 2013): the samples of one process are not independent of each other (a process keeps its
 * memory layout, its CPU, its JIT decisions), so intervals and comparisons resample at both levels
 * — processes first, then samples within each chosen process — instead of pooling the samples as
 * if they were one population. The same samples and seed always give the same interval.
 */
import {medianOfSorted, quantileOfSorted, seededRandom} from './basics.js';

/** Samples split by the process that took them (`groups`: how many each took, in order); one group when absent. */
export function splitGroups(samples: readonly number[], groups?: readonly number[]): number[][] {
  if (!groups || groups.length === 0 || groups.reduce((sum, size) => sum + size, 0) !== samples.length) return [[...samples]];
  const split: number[][] = [];
  let at = 0;
  for (const size of groups) {
    if (size > 0) split.push(samples.slice(at, at + size));
    at += size;
  }
  return split;
}

/** Options of the hierarchical bootstrap. */
export interface HierarchicalOptions {
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Seed (default 1). */
  seed?: number;
}

/**
 * Resamples of the median: each picks as many processes as there are, with replacement, then in
 * each picked process as many of its samples as it has, with replacement, and takes the median of
 * all picked samples. With a single process this is the ordinary bootstrap of its samples.
 */
export function bootstrapMedians(groups: readonly (readonly number[])[], options: HierarchicalOptions = {}): Float64Array {
  const resamples = options.resamples ?? 2000;
  const random = seededRandom(options.seed ?? 1);
  const largest = Math.max(0, ...groups.map((group) => group.length));
  const medians = new Float64Array(resamples);
  const picked = new Float64Array(largest * groups.length);
  for (let r = 0; r < resamples; r++) {
    let count = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[groups.length === 1 ? 0 : Math.floor(random() * groups.length)]!;
      for (let i = 0; i < group.length; i++) {
        picked[count++] = group[Math.floor(random() * group.length)]!;
      }
    }
    const sample = picked.subarray(0, count).sort();
    medians[r] = medianOfSorted(sample as unknown as number[]);
  }
  return medians;
}

/**
 * The 95% interval of the median by the two-level bootstrap, widened to Student's t interval over
 * the processes' medians when that is wider. With few processes the bootstrap cannot see how far
 * processes differ (resampling three processes draws from only three), and its intervals are too
 * narrow: Kalibera and Jones use the t distribution at the top level for this reason.
 */
export function hierarchicalMedianInterval(groups: readonly (readonly number[])[], options: HierarchicalOptions = {}): [number, number] {
  const medians = Array.from(bootstrapMedians(groups, options)).sort((a, b) => a - b);
  const bootstrap: [number, number] = [quantileOfSorted(medians, 0.025), quantileOfSorted(medians, 0.975)];
  const level = processLevel(groups);
  if (!level) return bootstrap;
  const centre = Math.log(medianOfSorted(groups.flat().sort((x, y) => x - y)));
  const half = studentT975(level.n - 1) * Math.sqrt(level.variance / level.n);
  return widest(bootstrap, [Math.exp(centre - half), Math.exp(centre + half)]);
}

/** The log medians of the processes: how many, and their variance (undefined with fewer than two). */
function processLevel(groups: readonly (readonly number[])[]): {n: number; variance: number} | undefined {
  const logs = groups.filter((group) => group.length > 0).map((group) => Math.log(medianOfSorted([...group].sort((x, y) => x - y))));
  if (logs.length < 2 || logs.some((value) => !Number.isFinite(value))) return undefined;
  const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
  return {n: logs.length, variance: logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (logs.length - 1)};
}

function widest(a: [number, number], b: [number, number]): [number, number] {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** Student's t 97.5% quantiles for 1 to 10 degrees of freedom. */
const t975Table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/**
 * Student's t distribution's 97.5% quantile for `df` degrees of freedom (not necessarily whole, as
 * Welch's are): the table up to 10, interpolated, then the Cornish-Fisher expansion, within 0.001.
 */
export function studentT975(df: number): number {
  if (!(df > 0)) return Number.POSITIVE_INFINITY;
  if (df < 1) return t975Table[0]! / df;
  if (df <= 10) {
    const low = Math.floor(df);
    const high = Math.min(10, low + 1);
    const fraction = df - low;
    return t975Table[low - 1]! * (1 - fraction) + t975Table[high - 1]! * fraction;
  }
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** The ratio of two medians with its two-level bootstrap interval and a two-sided bootstrap p-value of "the ratio is 1". */
export interface HierarchicalRatio {
  ratio: number;
  ci: [number, number];
  /** Twice the share of resampled ratios on the far side of 1 (at least 1 / resamples). */
  p: number;
}

/** median(a) / median(b), both resampled at both levels independently (different processes measured each). */
export function hierarchicalRatio(a: readonly (readonly number[])[], b: readonly (readonly number[])[], options: HierarchicalOptions = {}): HierarchicalRatio {
  const seed = options.seed ?? 1;
  const ma = bootstrapMedians(a, {...options, seed});
  const mb = bootstrapMedians(b, {...options, seed: seed + 7919});
  const ratios = Array.from(ma, (value, index) => value / mb[index]!).sort((x, y) => x - y);
  const median = (groups: readonly (readonly number[])[]) => medianOfSorted(groups.flat().sort((x, y) => x - y));
  const below = ratios.filter((ratio) => ratio <= 1).length / ratios.length;
  const above = ratios.filter((ratio) => ratio >= 1).length / ratios.length;
  const ratio = median(a) / median(b);
  let ci: [number, number] = [quantileOfSorted(ratios, 0.025), quantileOfSorted(ratios, 0.975)];
  // Widened to Welch's t interval over the two sides' process medians when that is wider (see hierarchicalMedianInterval).
  const [levelA, levelB] = [processLevel(a), processLevel(b)];
  if (levelA && levelB) {
    const [va, vb] = [levelA.variance / levelA.n, levelB.variance / levelB.n];
    const df = (va + vb) ** 2 / ((va ** 2) / (levelA.n - 1) + (vb ** 2) / (levelB.n - 1));
    const half = studentT975(Number.isFinite(df) ? df : levelA.n + levelB.n - 2) * Math.sqrt(va + vb);
    ci = widest(ci, [ratio * Math.exp(-half), ratio * Math.exp(half)]);
  }
  return {ratio, ci, p: Math.min(1, Math.max(1 / ratios.length, 2 * Math.min(below, above)))};
}

/**
 * The variance at each level (Kalibera and Jones's two-level model): within a process (the pooled
 * variance of samples about their process's mean) and between processes (the variance of process
 * means beyond what the within-process variance explains), both in the samples' unit squared.
 */
export function varianceComponents(groups: readonly (readonly number[])[]): {within: number; between: number; mean: number} {
  const all = groups.flat();
  const mean = all.reduce((sum, x) => sum + x, 0) / Math.max(1, all.length);
  let withinSum = 0;
  let withinDf = 0;
  const means: number[] = [];
  for (const group of groups) {
    if (group.length === 0) continue;
    const m = group.reduce((sum, x) => sum + x, 0) / group.length;
    means.push(m);
    for (const x of group) withinSum += (x - m) ** 2;
    withinDf += group.length - 1;
  }
  const within = withinDf > 0 ? withinSum / withinDf : 0;
  const grand = means.reduce((sum, x) => sum + x, 0) / Math.max(1, means.length);
  const meansVariance = means.length > 1 ? means.reduce((sum, x) => sum + (x - grand) ** 2, 0) / (means.length - 1) : 0;
  const perProcess = groups.reduce((sum, group) => sum + group.length, 0) / Math.max(1, groups.length);
  return {within, between: Math.max(0, meansVariance - within / Math.max(1, perProcess)), mean};
}
