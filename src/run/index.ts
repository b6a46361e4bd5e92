/**
 * The run stage: a plan's runs executed (or reused, or skipped) under one decision per run, each
 * result stored the moment it is known, and one outcome per run that every later stage (claims,
 * tables, charts, the block box) reads the same way.
 */
import {RunScheduler} from '../execute/groups.js';
import {formatDuration, type BlockOutcome, type Machine, type MeasureSettings, type RunPhase, type RuntimeInfo, type StoredResult} from '../model/index.js';
import type {Plan, PlannedRun} from '../plan/types.js';
import type {ResultStore} from '../store/index.js';
import {decideRuns, type DecideOptions, type RunDecision} from './decide.js';
import {estimateRunMs, type EstimateSource} from './estimate.js';
import {toRecord} from './record.js';

export {decideRuns, type DecideOptions, type RunDecision} from './decide.js';
export {estimateRunMs, type EstimateSource} from './estimate.js';
export {dryRunPlan, formatDryRun, type DryRunNotebook, type DryRunRun} from './dry-run.js';
export {toRecord} from './record.js';
export {formatEvent} from './format-event.js';
export {checkShard, parseShard, shardPlans, shardRunsOf, shardUnits, type Shard, type ShardUnit} from './shard.js';
export {machineOutcomes, type MachineOutcomes} from './machines.js';

/** What happened to one planned run; `queued` comes for every run of every notebook before the first runs. */
export type RunEvent = {notebook: string; key: string} & (
  | {type: 'queued'; kind: 'bench' | 'run'; reuse: boolean; estimateMs: number; estimatedFrom: EstimateSource}
  | {type: 'running'; kind: 'bench' | 'run'; runtime: RuntimeInfo; measure: MeasureSettings; estimateMs: number; why?: string}
  | {type: 'phase'; phase: RunPhase}
  | {type: 'built'; libraries: string[]; durationMs: number}
  | {type: 'done'; durationMs: number; stored: StoredResult}
  | {type: 'failed'; reason: string; stored: StoredResult}
  | {type: 'reused'; stored: StoredResult}
  | {type: 'skipped'; reason: string}
);

/** Options of {@link runPlan}. */
export interface RunOptions extends DecideOptions {
  /** Where results are read and saved. */
  store: ResultStore;
  /** The machine this build runs on: its results are its own. */
  machine: Machine;
  /** Root of the build cache. */
  cacheDir: string;
  /** Aborts running blocks (Ctrl-C): every finished result is kept, the rest is left. */
  signal?: AbortSignal;
  /** Aborts when `--timeout-total` is reached: the running block is stopped, the rest are skipped. */
  budget?: AbortSignal;
  /** The total time limit, for the reason of the runs it stops. */
  timeoutTotalMs?: number;
}

/** Side effects of {@link runPlan}. */
export interface RunEffects {
  /** Told every event as it happens. */
  onEvent?(event: RunEvent): void;
}

/** Runs by what happened to them. */
export interface RunCounts {
  run: number;
  reused: number;
  failed: number;
  skipped: number;
}

/** What {@link runPlan} returns: an outcome per run, by block id in plan order, and the counts. */
export interface RunPlanResult {
  outcomes: Record<string, BlockOutcome[]>;
  counts: RunCounts;
  /** Set when `signal` stopped the run stage. */
  interrupted: boolean;
}

/** Each run's stored record by key: this machine's, or for `fromData` the newest of any machine. */
export async function readStored(plan: Plan, store: ResultStore, machine: Pick<Machine, 'fingerprint'>, options: Pick<DecideOptions, 'fromData'> = {}): Promise<Map<string, StoredResult | undefined>> {
  const stored = new Map<string, StoredResult | undefined>();
  const name = plan.notebook.name;
  const others = options.fromData ? (await store.machines(name)).filter((fingerprint) => fingerprint !== machine.fingerprint) : [];
  // All at once: a build that reuses everything spends most of its time waiting on these small reads.
  const records = await Promise.all(
    plan.runs.map(async (run) => {
      const record = await store.read(name, machine.fingerprint, run.key);
      if (record || others.length === 0) return record;
      const candidates = await Promise.all(others.map((fingerprint) => store.read(name, fingerprint, run.key)));
      return candidates.filter((candidate) => candidate !== undefined).sort((a, b) => b!.date.localeCompare(a!.date))[0];
    })
  );
  plan.runs.forEach((run, index) => stored.set(run.key, records[index]));
  return stored;
}

/**
 * Every stored result of this machine for the plan's blocks, whatever its key (other swept values,
 * other profiles' keys): what estimates of runs never measured at their size scale from.
 */
export async function readRelated(plan: Plan, store: ResultStore, machine: Pick<Machine, 'fingerprint'>): Promise<StoredResult[]> {
  const blocks = new Set(plan.runs.map((run) => run.blockId));
  const records = await store.list(plan.notebook.name, machine.fingerprint);
  return records.filter((record) => blocks.has(record.blockId));
}

/** The `queued` events of a plan: whether each run will be reused, and how long the others should take. */
export function queuedEvents(plan: Plan, decisions: RunDecision[], related: readonly StoredResult[] = []): RunEvent[] {
  return plan.runs.map((run, index) => {
    const decision = decisions[index]!;
    const reuse = decision.action !== 'run';
    const estimate = reuse ? {ms: 0, from: 'previous run' as const} : estimateRunMs(run, decision.stored, related, plan.profile);
    return {type: 'queued', notebook: plan.notebook.name, key: run.key, kind: run.kind, reuse, estimateMs: estimate.ms, estimatedFrom: estimate.from};
  });
}

/**
 * Executes a plan's runs one after the other (never two benchmarks at once on a small machine),
 * as `decisions` (from {@link decideRuns}) say, saving each result the moment it is known. A run
 * that is skipped or fails keeps its last good result, marked stale with why: every later stage
 * shows it as the block box does.
 */
export async function runPlan(plan: Plan, decisions: RunDecision[], options: RunOptions, effects: RunEffects = {}): Promise<RunPlanResult> {
  const {store, machine, budget} = options;
  const notebook = plan.notebook.name;
  const counts: RunCounts = {run: 0, reused: 0, failed: 0, skipped: 0};
  // No prototype: a block may be called `constructor` or `toString`.
  const outcomes: Record<string, BlockOutcome[]> = Object.create(null);
  const add = (run: PlannedRun, outcome: BlockOutcome): void => {
    (outcomes[run.blockId] ??= []).push(outcome);
  };
  const emit = (event: RunEvent): void => effects.onEvent?.(event);
  // Skipped with a result kept from before: shown, marked stale with why it was not run.
  const skip = (run: PlannedRun, reason: string, stored: StoredResult | undefined, counted = true): void => {
    if (counted) {
      counts.skipped++;
      emit({type: 'skipped', notebook, key: run.key, reason});
    }
    add(run, {key: run.key, skipped: reason, ...(stored ? {stored, stale: reason} : {})});
  };

  const signal = budget && options.signal ? AbortSignal.any([options.signal, budget]) : (budget ?? options.signal);
  const overBudget = `the total time limit of ${formatDuration(options.timeoutTotalMs ?? 0)} was reached (--timeout-total)`;
  // Runs of one group are measured together by the first that needs it; the others take their results from it.
  const scheduler = new RunScheduler(plan.runs, {
    cacheDir: options.cacheDir,
    ...(signal ? {signal} : {}),
    runtimes: plan.runtimes,
    missing: plan.missing,
    ...(options.filter ? {filter: options.filter} : {}),
    running: new Set(plan.runs.filter((_, index) => decisions[index]!.action === 'run').map((run) => run.key))
  });
  let interrupted = false;
  for (const [index, run] of plan.runs.entries()) {
    // After Ctrl-C, stop: every result finished so far is already saved.
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const decision = decisions[index]!;
    if (decision.action === 'reuse') {
      counts.reused++;
      emit({type: 'reused', notebook, key: run.key, stored: decision.stored});
      add(run, {key: run.key, stored: decision.stored});
      continue;
    }
    if (decision.action === 'skip') {
      if (decision.stored && !decision.stale) add(run, {key: run.key, stored: decision.stored});
      else skip(run, decision.reason, decision.stored, decision.counted);
      continue;
    }
    const {stored} = decision;
    if (budget?.aborted) {
      skip(run, overBudget, stored);
      continue;
    }
    const runtime = plan.runtimes[run.runtime]!;
    emit({type: 'running', notebook, key: run.key, kind: run.kind, runtime, measure: run.measure, estimateMs: estimateRunMs(run, stored, [], plan.profile).ms, ...(decision.why ? {why: decision.why} : {})});
    const result = await scheduler.execute(run, runtime, (phase) => emit({type: 'phase', notebook, key: run.key, phase}));
    // An interrupted block measured nothing worth keeping.
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    // Nor does one stopped at the total time limit: it is skipped like the runs after it.
    if (budget?.aborted && result.status !== 'ok' && result.reason === 'aborted') {
      skip(run, `stopped: ${overBudget}`, stored);
      continue;
    }
    if (result.status === 'skipped') {
      // A library's compiler (or maturin) is missing: nothing ran, so nothing is stored.
      skip(run, result.reason ?? 'skipped', stored);
      continue;
    }
    if (result.libraryBuildMs && result.status === 'ok') emit({type: 'built', notebook, key: run.key, libraries: run.libraries!.map((library) => library.id), durationMs: result.libraryBuildMs});
    const record = toRecord(plan, run, runtime, machine, result, stored);
    const saved = await store.save(record);
    if (result.status === 'ok') {
      counts.run++;
      emit({type: 'done', notebook, key: run.key, durationMs: result.durationMs, stored: record});
      add(run, {key: run.key, stored: record});
    } else {
      counts.failed++;
      emit({type: 'failed', notebook, key: run.key, reason: result.reason ?? result.status, stored: record});
      add(run, saved === 'kept-previous' ? {key: run.key, stored: stored!, failure: record, stale: `the latest run failed: ${result.reason ?? result.status}`} : {key: run.key, stored: record});
    }
  }
  return {outcomes, counts, interrupted};
}

/**
 * The outcomes stored results give a plan, as `--from-data` shows them: what the index lists for a
 * notebook this build did not build, and what a library session shows before running anything.
 */
export async function storedOutcomes(plan: Plan, store: ResultStore, machine: Pick<Machine, 'fingerprint'>): Promise<Record<string, BlockOutcome[]>> {
  const stored = await readStored(plan, store, machine, {fromData: true});
  const outcomes: Record<string, BlockOutcome[]> = Object.create(null);
  for (const run of plan.runs) {
    const record = stored.get(run.key);
    (outcomes[run.blockId] ??= []).push(record ? {key: run.key, stored: record} : {key: run.key, skipped: 'no stored result — run npm run report without --from-data'});
  }
  return outcomes;
}
