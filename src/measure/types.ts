/** Summary statistics of a sample of timings (all in the samples' unit, ns per call). */
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
}
