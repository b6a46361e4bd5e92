import {medianOfSorted, quantileOfSorted, seededRandom} from './basics.js';
import {hierarchicalRatio, splitGroups} from './hierarchical.js';
import type {Comparison} from '../model/index.js';

/** Options of {@link compareSamples}. */
export interface CompareOptions {
  /** Bootstrap resamples for the ratio's interval (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 1): the same samples always give the same interval. */
  seed?: number;
  /** Significance level of the U test (default 0.05, benchstat's). */
  alpha?: number;
  /**
   * How many samples of `a` and of `b` each process took, in order. Given, the ratio's interval and
   * p-value come from the two-level bootstrap (processes, then samples within them: Kalibera and
   * Jones), since samples of one process are not independent; else every sample counts as its own
   * process (process mode: each run is a process) and the U test gives p.
   */
  groups?: [readonly number[] | undefined, readonly number[] | undefined];
}

/** Largest `a.length + b.length` for which the U test's p-value is exact (no ties); above, the normal approximation. */
export const exactUpTo = 50;

/**
 * Compares two samples of the same measurement (times or instruction counts), `a` against `b`:
 * the ratio of their medians with a seeded percentile-bootstrap 95% interval, a two-sided
 * Mann–Whitney U test, and a verdict. `faster` means `a` is smaller (takes less), `slower` larger;
 * benchstat's `~` (`no significant difference`) when p >= alpha or the interval contains 1.
 */
export function compareSamples(a: readonly number[], b: readonly number[], options: CompareOptions = {}): Comparison {
  if (a.length === 0 || b.length === 0) throw new TypeError('compareSamples needs at least one sample on each side');
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new TypeError(`options.alpha must be between 0 and 1, got ${alpha}`);
  const resamples = options.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new TypeError(`options.resamples must be a positive integer, got ${resamples}`);

  const [groupsA, groupsB] = options.groups ?? [undefined, undefined];
  if ((groupsA && groupsA.length > 1) || (groupsB && groupsB.length > 1)) {
    const twoLevel = hierarchicalRatio(splitGroups(a, groupsA), splitGroups(b, groupsB), {resamples, seed: options.seed ?? 1});
    const significant = twoLevel.p < alpha && !(twoLevel.ci[0] <= 1 && 1 <= twoLevel.ci[1]);
    const verdict = !significant ? 'no significant difference' : twoLevel.ratio < 1 ? 'faster' : 'slower';
    return {ratio: twoLevel.ratio, ci: twoLevel.ci, u: Number.NaN, p: twoLevel.p, method: 'hierarchical', n: [a.length, b.length], verdict, summary: significant ? signedPercent(twoLevel.ratio - 1) : '~'};
  }
  const ratio = medianOf(a) / medianOf(b);
  const ci = bootstrapRatioInterval(a, b, resamples, options.seed ?? 1);
  const test = mannWhitneyU(a, b);
  const significant = test.p < alpha && !(ci[0] <= 1 && 1 <= ci[1]);
  const verdict = !significant ? 'no significant difference' : ratio < 1 ? 'faster' : 'slower';
  return {ratio, ci, ...test, n: [a.length, b.length], verdict, summary: significant ? signedPercent(ratio - 1) : '~'};
}

/** Result of {@link mannWhitneyU}. */
export interface UTest {
  /** U of `a`: pairs (x of a, y of b) with x > y, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** `exact` (small samples without ties) or `normal` (normal approximation, tie and continuity corrected). */
  method: 'exact' | 'normal';
}

/**
 * Two-sided Mann–Whitney U test of `a` against `b`. Exact for small samples without ties (the
 * null distribution counted by recursion); otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction (scipy's `mannwhitneyu` defaults).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): UTest {
  const m = a.length;
  const n = b.length;
  const all = [...a.map((value) => ({value, fromA: true})), ...b.map((value) => ({value, fromA: false}))].sort((x, y) => x.value - y.value);
  // Mid-ranks for ties, and the tie term of the variance: sum of (t^3 - t) over tied groups.
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end + 1 < all.length && all[end + 1]!.value === all[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (all[i]!.fromA) rankSumA += rank;
    const t = end - start + 1;
    tieTerm += t ** 3 - t;
    start = end + 1;
  }
  const u = rankSumA - (m * (m + 1)) / 2;
  if (tieTerm === 0 && m + n <= exactUpTo) return {u, p: exactP(u, m, n), method: 'exact'};

  const total = m + n;
  const mean = (m * n) / 2;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return {u, p: 1, method: 'normal'};
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return {u, p: Math.min(1, erfc(z / Math.SQRT2)), method: 'normal'};
}

/** Two-sided exact p of U = u for samples of m and n without ties: 2 min(P(U <= u), P(U >= u)), at most 1. */
function exactP(u: number, m: number, n: number): number {
  // counts[i][j][k]: arrangements of i values of a and j of b with U = k (doubles: C(50, 25) < 2^53).
  const maxU = m * n;
  let previous: Float64Array[] = Array.from({length: n + 1}, () => new Float64Array(maxU + 1));
  for (let j = 0; j <= n; j++) previous[j]![0] = 1;
  for (let i = 1; i <= m; i++) {
    const current: Float64Array[] = Array.from({length: n + 1}, () => new Float64Array(maxU + 1));
    current[0]![0] = 1;
    for (let j = 1; j <= n; j++) {
      for (let k = 0; k <= i * j; k++) {
        // The largest value is from a (it beats all j values of b) or from b.
        current[j]![k] = (k >= j ? previous[j]![k - j]! : 0) + current[j - 1]![k]!;
      }
    }
    previous = current;
  }
  const counts = previous[n]!;
  const all = counts.reduce((sum, count) => sum + count, 0);
  let below = 0;
  let above = 0;
  for (let k = 0; k <= maxU; k++) {
    if (k <= u) below += counts[k]!;
    if (k >= u) above += counts[k]!;
  }
  return Math.min(1, (2 * Math.min(below, above)) / all);
}

/** Percentile bootstrap 95% interval of median(a) / median(b), both resampled independently. */
function bootstrapRatioInterval(a: readonly number[], b: readonly number[], resamples: number, seed: number): [number, number] {
  const random = seededRandom(seed);
  const ratios = new Float64Array(resamples);
  const resampleA = new Array<number>(a.length);
  const resampleB = new Array<number>(b.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < a.length; i++) resampleA[i] = a[Math.floor(random() * a.length)]!;
    for (let i = 0; i < b.length; i++) resampleB[i] = b[Math.floor(random() * b.length)]!;
    ratios[r] = medianOf(resampleA) / medianOf(resampleB);
  }
  const sorted = Array.from(ratios).sort((x, y) => x - y);
  return [quantileOfSorted(sorted, 0.025), quantileOfSorted(sorted, 0.975)];
}

function medianOf(values: readonly number[]): number {
  return medianOfSorted([...values].sort((x, y) => x - y));
}

/**
 * The complementary error function, with fractional error below 1.2e-7 everywhere (the Chebyshev
 * fit of Numerical Recipes' `erfcc`): enough for p-values.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    );
  return x >= 0 ? r : 2 - r;
}

/** `-0.123` -> `-12.3%`, `0.05` -> `+5.0%` (benchstat's delta column). */
function signedPercent(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}
