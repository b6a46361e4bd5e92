import {historyLength, runSummary, summarizeResult, withRunSpread} from '../measure/index.js';
import type {Machine, RunResult, RunSummary, RuntimeInfo, StoredResult} from '../model/index.js';
import type {Plan, PlannedRun} from '../plan/types.js';

/** The stored record of one run's result: everything needed to trust it, reuse it and show it. */
export function toRecord(plan: Plan, run: PlannedRun, runtime: RuntimeInfo, machine: Machine, result: RunResult, previous?: StoredResult, date = new Date()): StoredResult {
  // `per=iterations`: the stored samples are per iteration, so tables, charts and claims compare
  // runs of different sizes (the article's full size and the quick profile's) on one scale.
  if (run.per && result.samples) result = {...result, samples: result.samples.map((sample) => sample / run.per!.value)};
  const own = run.kind === 'bench' && result.status === 'ok' ? summarizeResult(result, run.per ? {per: run.per.value} : {}) : undefined;
  const history = own ? historyOf(previous, plan.profile, run, runtime, machine, result) : [];
  const stats = own && history.length > 0 ? withRunSpread(own, history) : own;
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
    ...(stats ? {stats} : {}),
    ...(history.length > 0 ? {history} : {})
  };
}

/**
 * The runs before this one that measured the same thing: the previous record's history and the
 * previous record itself, when it ran the same code, options, profile and unit with the same runtime on the
 * same machine. Anything else (changed code, another interpreter, a file from another machine)
 * starts a new history: its spread says nothing of this run.
 */
function historyOf(previous: StoredResult | undefined, profile: string, run: PlannedRun, runtime: RuntimeInfo, machine: Machine, result: RunResult): RunSummary[] {
  if (!previous?.stats || previous.result.status !== 'ok') return [];
  const same =
    previous.hash === run.hash &&
    previous.kind === 'bench' &&
    (previous.result.unit ?? 'ns') === (result.unit ?? 'ns') &&
    previous.runtime.executable === runtime.executable &&
    previous.runtime.version === runtime.version &&
    previous.machine.fingerprint === machine.fingerprint &&
    previous.profile === profile;
  if (!same) return [];
  return [...(previous.history ?? []), runSummary(previous.stats, previous.date, previous.result.groups?.length ?? 1)].slice(-historyLength);
}
