/** How a bench block is measured (all in one place so the hash covers them). */
export interface MeasureSettings {
  /** Steady samples per process at least: the window of the harness's stop rule. */
  repeat: number;
  /** Samples per process always treated as warm-up; more are when the trace shows them (Barrett et al.). */
  warmup: number;
  /** Fresh processes (or pool workers) per block, when `design` is `fixed`; the pilot's size is set by the measurement when `auto`. */
  processes: number;
  /**
   * `auto` (default): processes and samples per process are chosen from a pilot's variances within
   * `budgetMs` (Kalibera and Jones); `fixed`: `processes` and `repeat` as written.
   */
  design?: 'auto' | 'fixed';
  /** `auto` designs: the time the block's measurement may take, ms. */
  budgetMs?: number;
  /** Calibrate the loop count so one sample lasts at least this long. */
  minSampleMs: number;
  /** Name of the function the harness times. */
  fn: string;
  /** `inline` (default): the harness times calls of `fn`; `process`: each run is a whole program, timed like hyperfine. */
  mode?: 'inline' | 'process';
  /** Process mode: timed runs at least (default 10). */
  runs?: number;
  /** Process mode: keep running until the timed runs add up to this much wall time (default 1000 ms). */
  minTimeMs?: number;
  /** Process mode: blocks with the same group are measured together, their runs interleaved. */
  group?: string;
  /** What a sample counts: wall time (default) or instructions under callgrind (`--measure instructions`). */
  metric?: 'time' | 'instructions';
}

/** The key suffix of a run's instruction counts, stored beside its time: `pi-go#instructions`. */
export const instructionsSuffix = '#instructions';
