/**
 * The third level of Kalibera and Jones's design ("Rigorous benchmarking in reasonable time", ISMM
 * 2013): runs. Processes started within one build share its minutes on the machine, and a shared
 * machine's speed drifts over minutes (other tenants, the host's clock), so the processes of one build
 * cannot show how far another build of the same code will land. Only earlier builds can: each build of
 * an unchanged block on the same machine leaves its median and interval in the block's history, and
 * once there are three runs the variance between their medians, beyond what each run's own interval
 * explains, widens the interval. Until then the interval is this build's processes alone, and the
 * page says so.
 */
import type {RunSummary, Stats} from '../model/index.js';
import {medianOfSorted} from './basics.js';
import {studentT975} from './hierarchical.js';

/** Runs kept in a block's history: enough to estimate the spread between runs, not a growing file. */
export const historyLength = 20;

/** Fewest runs (this one included) from which the spread between runs is estimated. */
export const minRuns = 3;

/** One run's figures as its history keeps them. */
export function runSummary(stats: Pick<Stats, 'median' | 'ci' | 'runs'>, date: string, processes: number): RunSummary {
  const own = stats.runs?.ownCi ?? stats.ci;
  return {date, median: stats.median, ci: [own[0], own[1]], processes};
}

/**
 * The statistics of this run with the spread between runs added, from earlier runs of the same code
 * on the same machine (`history`, oldest first). In logs, each run's own variance is read back from its
 * interval; the variance between runs is what the runs' medians vary by beyond the median of those
 * (method of moments, never below zero); the interval's half-width becomes sqrt(own² + (t · between)²), with Student's t
 * for the runs' degrees of freedom since a few runs estimate it roughly.
 */
export function withRunSpread(stats: Stats, history: readonly RunSummary[]): Stats {
  const runs = [...history, {median: stats.median, ci: stats.ci}].filter((run) => run.median > 0 && run.ci[0] > 0 && run.ci[1] >= run.ci[0]);
  if (runs.length < minRuns || !(stats.median > 0) || !(stats.ci[0] > 0)) return stats;
  const logs = runs.map((run) => Math.log(run.median));
  const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
  const observed = logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (logs.length - 1);
  const own = runs.map((run) => ((Math.log(run.ci[1]) - Math.log(run.ci[0])) / (2 * 1.96)) ** 2).sort((a, b) => a - b);
  // The typical run's own variance, its median: one run with a wild process (an interval of ±20%)
  // would otherwise raise the mean above the spread of all the medians and hide it.
  const between = Math.max(0, observed - medianOfSorted(own));
  const centre = Math.log(stats.median);
  const ownHalf = Math.max(centre - Math.log(stats.ci[0]), Math.log(stats.ci[1]) - centre);
  const half = Math.sqrt(ownHalf ** 2 + (studentT975(runs.length - 1) * Math.sqrt(between)) ** 2);
  return {
    ...stats,
    ci: between === 0 ? stats.ci : [Math.min(stats.ci[0], Math.exp(centre - half)), Math.max(stats.ci[1], Math.exp(centre + half))],
    runs: {count: runs.length, spread: Math.expm1(Math.sqrt(between)), ownCi: [stats.ci[0], stats.ci[1]]}
  };
}
