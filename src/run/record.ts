import {summarizeResult} from '../measure/index.js';
import type {Machine, RunResult, RuntimeInfo, StoredResult} from '../model/index.js';
import type {Plan, PlannedRun} from '../plan/types.js';

/** The stored record of one run's result: everything needed to trust it, reuse it and show it. */
export function toRecord(plan: Plan, run: PlannedRun, runtime: RuntimeInfo, machine: Machine, result: RunResult, date = new Date()): StoredResult {
  // `per=iterations`: the stored samples are per iteration, so tables, charts and claims compare
  // runs of different sizes (the article's full size and the quick profile's) on one scale.
  if (run.per && result.samples) result = {...result, samples: result.samples.map((sample) => sample / run.per!.value)};
  const stats = run.kind === 'bench' && result.status === 'ok' ? summarizeResult(result, run.per ? {per: run.per.value} : {}) : undefined;
  return {
    format: 1,
    notebook: plan.notebook.name,
    key: run.key,
    blockId: run.blockId,
    kind: run.kind,
    hash: run.hash,
    ...(run.sweep ? {sweep: run.sweep} : {}),
    ...(run.per ? {per: run.per} : {}),
    ...(run.size === undefined ? {} : {size: run.size}),
    profile: plan.profile,
    runtime,
    machine,
    date: date.toISOString(),
    result,
    ...(stats ? {stats} : {})
  };
}
