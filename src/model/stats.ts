/** Summary statistics of a sample of timings or instruction counts (all in the samples' unit: ns per call or per run, or instructions). */
export interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  stddev: number;
  /** Median absolute deviation (unscaled). */
  mad: number;
  /** 95% bootstrap confidence interval of the median (seeded, so reproducible). */
  ci: [number, number];
  /** Indices of samples outside Tukey's fences (1.5 IQR); flagged, never dropped. */
  outliers: number[];
  /** Warnings about the spread, each saying what to do next. */
  warnings: string[];
  /** Unit of every figure above: `ns` (default) or `instructions`. */
  unit?: 'ns' | 'instructions';
  /**
   * The spread between runs, when three or more runs of the same code on the same machine are on
   * record: `ci` includes it; `ownCi` is the interval from this run's processes alone.
   */
  runs?: {count: number; spread: number; ownCi: [number, number]};
}

/** One earlier run of a block, as its stored history keeps it (the third level: runs, over processes and samples). */
export interface RunSummary {
  /** ISO date the run finished. */
  date: string;
  median: number;
  /** The run's own 95% interval of the median. */
  ci: [number, number];
  processes: number;
}

/** How two samples of one measurement compare (`compareSamples(a, b)`): `a` against `b`. */
export interface Comparison {
  /** median(a) / median(b): below 1, `a` takes less time (or fewer instructions) than `b`. */
  ratio: number;
  /** Seeded percentile-bootstrap 95% interval of the ratio. */
  ci: [number, number];
  /** Mann–Whitney U of `a`: pairs (x of a, y of b) with x > y, ties counting one half. */
  u: number;
  /** Two-sided p-value of the U test. */
  p: number;
  /** How p was computed: the U test `exact` (small samples without ties) or `normal` (approximation), or the two-level bootstrap over processes. */
  method: 'exact' | 'normal' | 'hierarchical';
  /** Sample sizes of `a` and `b`. */
  n: [number, number];
  /** `faster` / `slower` when p < alpha and the interval excludes 1; else `no significant difference` (benchstat's `~`). */
  verdict: 'faster' | 'slower' | 'no significant difference';
  /** benchstat's delta column: `-12.3%`, `+4.0%`, or `~`. */
  summary: string;
}
