import type {StoredResult} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';

/**
 * How long a run should take: its last duration when it ran before (even with other code: the
 * same key usually takes about as long), else a guess from its measurement settings.
 */
export function estimateRunMs(run: PlannedRun, previous?: StoredResult): {ms: number; from: 'previous run' | 'settings'} {
  if (previous && previous.result.durationMs > 0) return {ms: previous.result.durationMs, from: 'previous run'};
  if (run.kind === 'run') return {ms: 500, from: 'settings'};
  const {warmup, repeat, processes, minSampleMs, mode, runs, minTimeMs} = run.measure;
  // Process mode times an empty program alongside: twice the minimum time, plus the runs themselves.
  if (mode === 'process') return {ms: 2 * (minTimeMs ?? 1000) + (warmup + (runs ?? 10)) * 20, from: 'settings'};
  // Calibration doubles the loop count until a sample lasts min-sample: about two samples more per process.
  return {ms: processes * (200 + (warmup + repeat + 2) * minSampleMs), from: 'settings'};
}
