import type {Machine, RuntimeInfo, StoredResult} from '../model/index.js';
import {groupKey} from '../plan/index.js';
import type {Plan, PlannedRun} from '../plan/types.js';

/** What the run stage does with one planned run, decided before anything runs. */
export type RunDecision =
  /** The stored result is current: same hash, succeeded, measured on this machine (or, left out by `--filter`, the latest for this code). */
  | {action: 'reuse'; stored: StoredResult}
  /** Measure now; `why` says why a stored result is not reused (absent when there is none). */
  | {action: 'run'; why?: string; stored?: StoredResult}
  /**
   * Not run in this build: its runtime is missing, `--filter` left it out, or `--from-data` reads
   * results only. `stored`, when there is one, is shown as it is (`--from-data`) or marked stale.
   */
  | {action: 'skip'; reason: string; stored?: StoredResult; counted: boolean; stale: boolean};

/** What a decision depends on besides the plan. */
export interface DecideOptions {
  /** `--rerun`: measure again whatever is stored. */
  rerun?: boolean;
  /** `--from-data`: show stored results, run nothing. */
  fromData?: boolean;
  /** `--filter`: only these block ids run. */
  filter?: string[];
}

/**
 * The one reuse rule, for the progress display's estimate and for the run alike, so that the plan
 * never says "reused" for a run that then runs. A stored result is reused only when it is this
 * machine's, for the same hash, and succeeded, and `--rerun` is off; every member of a measured
 * group runs when any of them does (they are measured together, interleaved). `stored` holds each
 * run's stored record by key (for `--from-data`, the newest of any machine).
 */
export function decideRuns(plan: Plan, stored: ReadonlyMap<string, StoredResult | undefined>, machine: Pick<Machine, 'fingerprint'>, options: DecideOptions = {}): RunDecision[] {
  const decisions = plan.runs.map((run) => decideRun(run, plan, stored.get(run.key), machine, options));
  // A group is measured at once by its first member that runs: the others' stored results are then stale.
  const running = new Set(plan.runs.flatMap((run, index) => (decisions[index]!.action === 'run' ? [groupKey(run)] : [])));
  return decisions.map((decision, index) => {
    const run = plan.runs[index]!;
    const key = groupKey(run);
    if (decision.action !== 'reuse' || key === undefined || !running.has(key) || run.measure.metric === 'instructions') return decision;
    return {action: 'run', why: 'measured again with its group (another member re-runs)', stored: decision.stored};
  });
}

function decideRun(run: PlannedRun, plan: Plan, stored: StoredResult | undefined, machine: Pick<Machine, 'fingerprint'>, options: DecideOptions): RunDecision {
  const withStored = stored ? {stored} : {};
  if (options.fromData) {
    return stored
      ? {action: 'skip', reason: 'shown from stored results (--from-data)', stored, counted: false, stale: false}
      : {action: 'skip', reason: 'no stored result — run npm run report without --from-data', counted: false, stale: false};
  }
  const current = stored !== undefined && isCurrent(stored, run, machine);
  if (options.filter !== undefined && !options.filter.includes(run.blockId)) {
    // Left out by --filter: the latest result for this very code is shown as it is, even a failure.
    if (stored && stored.machine.fingerprint === machine.fingerprint && stored.hash === run.hash) return {action: 'reuse', stored};
    if (stored) return {action: 'skip', reason: `not selected by --filter: ${whyNotCurrent(stored, run, machine, plan.runtimes[run.runtime])}`, stored, counted: false, stale: true};
    return {action: 'skip', reason: 'not selected by --filter and never run', counted: false, stale: false};
  }
  if (!plan.runtimes[run.runtime]) {
    const reason = plan.missing[run.runtime] ?? `${run.runtime} not found — run npm run setup`;
    return {action: 'skip', reason, ...withStored, counted: true, stale: stored !== undefined};
  }
  if (stored && current && !options.rerun) return {action: 'reuse', stored};
  return {action: 'run', ...withStored, ...(stored ? {why: options.rerun ? '--rerun' : whyNotCurrent(stored, run, machine, plan.runtimes[run.runtime])} : {})};
}

/** Whether a stored result stands for this run now: this machine's, for the same hash, succeeded. */
function isCurrent(stored: StoredResult, run: PlannedRun, machine: Pick<Machine, 'fingerprint'>): boolean {
  return stored.machine.fingerprint === machine.fingerprint && stored.hash === run.hash && stored.result.status === 'ok';
}

/** Why a stored result does not stand for the run now, in the words of the progress display. */
function whyNotCurrent(stored: StoredResult, run: PlannedRun, machine: Pick<Machine, 'fingerprint'>, runtime: RuntimeInfo | undefined): string {
  if (stored.machine.fingerprint !== machine.fingerprint) return `the stored result was measured on another machine (${stored.machine.fingerprint})`;
  if (stored.result.status !== 'ok') return `previous run ${stored.result.status}`;
  if (stored.hash === run.hash) return 'its group re-runs';
  if (runtime && stored.runtime.version !== runtime.version) return `${run.runtime} changed from ${stored.runtime.version} to ${runtime.version}`;
  if (runtime && stored.runtime.executable !== runtime.executable) return `${run.runtime} is now ${runtime.executable}`;
  if (runtime && (stored.runtime.flags ?? []).join(' ') !== (runtime.flags ?? []).join(' ')) return `${run.runtime} flags changed to ${(runtime.flags ?? []).join(' ') || 'none'}`;
  return 'code, options or parameters changed';
}
