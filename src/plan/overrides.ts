import type {MeasureSettings} from '../model/index.js';
import {hashOf} from './index.js';
import type {Plan} from './types.js';

/**
 * Measurement settings given on the command line, with hyperfine's and pytest-benchmark's meanings;
 * they win over the notebook's and the block's options.
 */
export interface MeasureOverrides {
  /** `--warmup N`: untimed samples (inline) or untimed runs (process mode) before timing. */
  warmup?: number;
  /**
   * `--runs N`: process mode, exactly N timed runs (hyperfine's `--runs`: no minimum time unless
   * `minTimeMs` is given too); inline blocks, N timed samples per process (`repeat`).
   */
  runs?: number;
  /**
   * `--min-time DURATION` in ms: process mode, keep running until the timed runs add up to it
   * (`min-time`); inline blocks, the shortest sample (`min-sample`, pytest-benchmark's `--benchmark-min-time`).
   */
  minTimeMs?: number;
}

/**
 * Applies command-line measurement settings to every bench run of a plan. A run whose settings
 * change gets a new hash (its stored result was measured differently, so it is re-run); a run whose
 * settings already were these keeps its hash and its stored result.
 */
export function applyMeasureOverrides(plan: Plan, overrides: MeasureOverrides): Plan {
  checkOverrides(overrides);
  const runs = plan.runs.map((run) => {
    if (run.kind !== 'bench') return run;
    const measure = overriddenMeasure(run.measure, overrides);
    if (sameSettings(measure, run.measure)) return run;
    return {...run, measure, hash: hashOf({own: run.hash, measure})};
  });
  return {...plan, runs};
}

function overriddenMeasure(measure: MeasureSettings, overrides: MeasureOverrides): MeasureSettings {
  const next: MeasureSettings = {...measure};
  if (overrides.warmup !== undefined) next.warmup = overrides.warmup;
  if (measure.mode === 'process') {
    if (overrides.runs !== undefined) {
      next.runs = overrides.runs;
      // hyperfine's --runs is an exact count: no minimum time keeps it going.
      if (overrides.minTimeMs === undefined) next.minTimeMs = 0;
    }
    if (overrides.minTimeMs !== undefined) next.minTimeMs = overrides.minTimeMs;
  } else {
    if (overrides.runs !== undefined) next.repeat = overrides.runs;
    if (overrides.minTimeMs !== undefined) next.minSampleMs = overrides.minTimeMs;
  }
  return next;
}

function sameSettings(a: MeasureSettings, b: MeasureSettings): boolean {
  return a.warmup === b.warmup && a.repeat === b.repeat && a.minSampleMs === b.minSampleMs && a.runs === b.runs && a.minTimeMs === b.minTimeMs;
}

function checkOverrides(overrides: MeasureOverrides): void {
  const {warmup, runs, minTimeMs} = overrides;
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) throw new TypeError(`overrides.warmup must be an integer >= 0, got ${warmup}`);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) throw new TypeError(`overrides.runs must be an integer >= 1, got ${runs}`);
  if (minTimeMs !== undefined && !(Number.isFinite(minTimeMs) && minTimeMs > 0)) throw new TypeError(`overrides.minTimeMs must be a positive number of milliseconds, got ${minTimeMs}`);
}
