import type {StoredResult} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';

/** Where an estimate comes from: a result of this very run, results of the block at other sizes, or its settings alone. */
export type EstimateSource = 'previous run' | 'scaled' | 'settings';

/** Calls longer than this (ms) are not traced for their peak memory by the Python harness. */
const longCallMs = 2000;

/** What starting one harness process costs before its first call (interpreter start, imports, loading the block), ms. */
const processStartMs = 300;

/**
 * How long a run should take. With a stored result of the block (this key, or another swept value
 * or profile of it), its time per call scaled by the runs' `size=` gives the run's call time, and the
 * measurement settings give how many calls it makes: at least three pilot processes of warm-up,
 * steady samples and one traced call each for an inline block, `warmup` plus `runs` runs for a
 * process-mode one. Without one, a guess from the settings alone: the budget, or the samples asked for.
 */
export function estimateRunMs(run: PlannedRun, previous?: StoredResult, related: readonly StoredResult[] = [], profile?: string): {ms: number; from: EstimateSource} {
  // A result of another profile with other code or sizes, and no size= to scale it by, says nothing of
  // this run's time: the quick profile's call is not the full one's (000's pool: 0.3 s against 100 s).
  const comparable = (record: StoredResult) => profile === undefined || record.profile === profile || record.hash === run.hash || (record.size !== undefined && run.size !== undefined);
  const candidates = [...(previous ? [previous] : []), ...related.filter((record) => record !== previous && record.blockId === run.blockId)].filter(comparable);
  const scaled = scaledCall(run, candidates, candidates.includes(previous!) ? previous : undefined);
  if (scaled !== undefined) {
    const from: EstimateSource = scaled.record === previous && scaled.ratio === 1 ? 'previous run' : 'scaled';
    // The same run measured the same way: its own duration says it best.
    if (from === 'previous run' && (scaled.record.hash === undefined || sameSettings(scaled.record, run))) return {ms: scaled.record.result.durationMs, from};
    if (run.kind === 'run') return {ms: Math.round(scaled.record.result.durationMs * scaled.ratio), from};
    if (scaled.callMs !== undefined) return {ms: Math.round(fromCallTime(run, scaled.callMs, scaled.record)), from};
    return {ms: Math.round(scaled.record.result.durationMs * scaled.ratio), from};
  }
  return {ms: Math.round(fromSettings(run)), from: 'settings'};
}

/**
 * The candidate that best tells this run's time: this key first, then the one of the nearest size;
 * its time per call (ms) at this run's size, and the size ratio. A candidate of another key counts
 * only when both sizes are known.
 */
function scaledCall(run: PlannedRun, candidates: StoredResult[], previous: StoredResult | undefined): {record: StoredResult; ratio: number; callMs?: number} | undefined {
  const own = (record: StoredResult) => record === previous || record.key === run.key;
  const usable = candidates.filter((record) => record.result?.durationMs > 0 && (own(record) || (record.size !== undefined && run.size !== undefined)));
  if (usable.length === 0) return undefined;
  const distance = (record: StoredResult) => (own(record) && record.size === run.size ? -1 : Math.abs(Math.log((record.size ?? 1) / (run.size ?? 1))));
  const record = [...usable].sort((a, b) => distance(a) - distance(b))[0]!;
  const ratio = record.size !== undefined && run.size !== undefined ? run.size / record.size : 1;
  const median = record.stats?.median;
  if (median === undefined || !(median > 0) || record.result.unit === 'instructions') return {record, ratio};
  // Stored samples of a `per=` block are per iteration: a call is `per` iterations.
  const callNs = median * (record.per?.value ?? 1) * ratio;
  return {record, ratio, callMs: callNs / 1e6};
}

/** A bench run's duration from the time of one call (inline) or one run of the program (process mode). */
function fromCallTime(run: PlannedRun, callMs: number, record: StoredResult): number {
  const {warmup, repeat, minSampleMs, mode, runs, minTimeMs, processes, design, budgetMs} = run.measure;
  const buildMs = record.result.buildMs ?? 0;
  if (mode === 'process') {
    const timed = Math.max(runs ?? 10, Math.ceil((minTimeMs ?? 1000) / Math.max(callMs, 1e-3)));
    const startupMs = (record.result.process?.startupNs ?? 50e6) / 1e6;
    return buildMs + (warmup + timed) * callMs + (runs ?? 10) * startupMs;
  }
  const sampleMs = Math.max(callMs, minSampleMs);
  const auto = design === 'auto';
  const budget = budgetMs ?? 5000;
  const least = (warmup + repeat) * sampleMs;
  const wanted = Math.max(auto ? budget / 6 : 0, 2 * repeat * sampleMs);
  const cap = Math.max(budget / 3, 2 * (warmup + repeat) * minSampleMs);
  const samplingMs = Math.max(least, Math.min(wanted, cap));
  const processMs = processStartMs + overheadMs(record, callMs, minSampleMs) + samplingMs;
  return buildMs + (auto ? Math.max(3 * processMs, budget) : Math.max(1, processes) * processMs);
}

/**
 * What one process spends besides its samples at the run's size: calibration, and the extra call
 * Python's harness makes under tracemalloc (often ten times slower than a plain call, for code that
 * allocates). Taken from the stored result's own processes when it records them (their wall time less
 * their samples and start-up, scaled to the run's call time when its calls lasted longer than a
 * sample's minimum, so were made one at a time), else calibration and one call.
 */
function overheadMs(record: StoredResult, callMs: number, minSampleMs: number): number {
  // A call of more than 2 s is calibrated by itself and not traced (the Python harness's rule).
  if (callMs > longCallMs) return callMs;
  const {design, traces, loops} = record.result;
  const recordedCallMs = (record.stats?.median ?? 0) * (record.per?.value ?? 1) / 1e6;
  const counts = traces?.map((trace) => trace.length) ?? [];
  if (design?.processMs !== undefined && design.sampleMs !== undefined && counts.length > 0 && recordedCallMs > 0) {
    const samples = counts.reduce((sum, count) => sum + count, 0) / counts.length;
    const own = Math.max(0, design.processMs - processStartMs - samples * design.sampleMs);
    const oneAtATime = (loops ?? []).every((count) => count === 1);
    return oneAtATime ? own * (callMs / recordedCallMs) : own;
  }
  // Calibration: one call when it lasts ten samples' minimum, else a climb and a confirmation; then one traced call.
  return (callMs >= 10 * minSampleMs ? callMs : 3 * Math.max(callMs, minSampleMs)) + callMs;
}

/** A guess from the measurement settings alone, for a run never measured at any size. */
function fromSettings(run: PlannedRun): number {
  if (run.kind === 'run') return 500;
  const {warmup, repeat, processes, minSampleMs, mode, runs, minTimeMs, design, budgetMs} = run.measure;
  // Process mode: the runs (of a program guessed to last 200 ms) until they add up to the minimum
  // time, and as many runs of the runtime's empty program.
  if (mode === 'process') return Math.max((minTimeMs ?? 1000) * 2, (warmup + (runs ?? 10)) * 200 + (runs ?? 10) * 50);
  if (design === 'auto') return (budgetMs ?? 5000) + 3 * processStartMs;
  // Calibration doubles the loop count until a sample lasts min-sample: about two samples more per process.
  return processes * (200 + (warmup + repeat + 2) * minSampleMs);
}

/** Whether a stored result was measured with the run's settings (its design and budget), so its duration stands for the run's. */
function sameSettings(record: StoredResult, run: PlannedRun): boolean {
  const design = record.result.design;
  if (run.kind !== 'bench' || run.measure.mode === 'process' || design === undefined) return true;
  return design.mode === (run.measure.design ?? 'fixed') && (design.mode === 'fixed' || design.budgetMs === run.measure.budgetMs);
}
