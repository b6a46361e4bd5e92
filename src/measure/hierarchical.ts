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

/** The 95% interval of the median by the two-level bootstrap. */
export function hierarchicalMedianInterval(groups: readonly (readonly number[])[], options: HierarchicalOptions = {}): [number, number] {
  const medians = Array.from(bootstrapMedians(groups, options)).sort((a, b) => a - b);
  return [quantileOfSorted(medians, 0.025), quantileOfSorted(medians, 0.975)];
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
  return {
    ratio: median(a) / median(b),
    ci: [quantileOfSorted(ratios, 0.025), quantileOfSorted(ratios, 0.975)],
    p: Math.min(1, Math.max(1 / ratios.length, 2 * Math.min(below, above)))
  };
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
