import {claimReferences} from '../parse/claim-expression.js';
import {groupKey} from '../plan/index.js';
import type {RunDecision} from './decide.js';
import type {RunPlanResult} from './index.js';
import type {Plan, PlannedRun} from '../plan/types.js';
import {estimateRunMs} from './estimate.js';

/** One part of a split build: `--shard K/N`, K from 1. */
export interface Shard {
  /** Which part, from 1 to `count`. */
  index: number;
  /** How many parts the runs are split into. */
  count: number;
}

/** Runs that must be measured in one shard, on one machine: a comparison is never split. */
export interface ShardUnit {
  notebook: string;
  /** Keys of the unit's runs, in plan order. */
  keys: string[];
  /** Estimated time from the measurement settings only (never from stored results, which differ between machines). */
  weightMs: number;
}

/** Checks a shard: `index` and `count` whole numbers with 1 <= index <= count. */
export function checkShard(shard: Shard): Shard {
  if (!Number.isInteger(shard.count) || shard.count < 1) throw new TypeError(`invalid shard count ${shard.count}: expected a whole number >= 1`);
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new TypeError(`invalid shard ${shard.index}/${shard.count}: expected K/N with 1 <= K <= N, e.g. 1/${shard.count}`);
  }
  return shard;
}

/**
 * The units of a plan: runs joined when they are compared with each other. The runs of one block
 * (a sweep), the blocks of one `group=` (measured interleaved) and the blocks one claim refers to
 * stay together, so each comparison is measured on one machine in one job.
 */
export function shardUnits(plan: Plan): ShardUnit[] {
  const order = new Map<string, number>();
  const parent = new Map<string, string>();
  for (const run of plan.runs) {
    if (order.has(run.blockId)) continue;
    order.set(run.blockId, order.size);
    parent.set(run.blockId, run.blockId);
  }
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  // The root is the block met first, so a unit is named the same way however it was joined.
  const join = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    const [keep, drop] = order.get(ra)! <= order.get(rb)! ? [ra, rb] : [rb, ra];
    parent.set(drop, keep);
  };
  // A group=: every member, whatever its swept value (the group is one comparison).
  const firstOfGroup = new Map<string, string>();
  for (const run of plan.runs) {
    const group = groupKey(run) === undefined ? undefined : run.measure.group!;
    if (group === undefined) continue;
    const first = firstOfGroup.get(group);
    if (first === undefined) firstOfGroup.set(group, run.blockId);
    else join(first, run.blockId);
  }
  // A claim: the blocks of every key it reads (`pool@workers=4` is block `pool`).
  const blockOfKey = new Map(plan.runs.map((run) => [run.key, run.blockId]));
  for (const block of plan.notebook.blocks) {
    if (!block.claim) continue;
    const ids = claimReferences(block.claim.expression).flatMap(({key}) => {
      const id = blockOfKey.get(key) ?? (order.has(key) ? key : undefined);
      return id === undefined ? [] : [id];
    });
    for (const id of ids.slice(1)) join(ids[0]!, id);
  }
  const units = new Map<string, PlannedRun[]>();
  for (const run of plan.runs) {
    const root = find(run.blockId);
    units.set(root, [...(units.get(root) ?? []), run]);
  }
  return [...units.values()].map((runs) => ({
    notebook: plan.notebook.name,
    keys: runs.map((run) => run.key),
    weightMs: runs.reduce((sum, run) => sum + estimateRunMs(run).ms, 0)
  }));
}

/**
 * Splits the runs of several plans into `shard.count` parts and returns the plans of part
 * `shard.index`, each keeping only its runs (a plan with none is left out). Deterministic: the same
 * notebooks and profile give every machine and every job the same split. Units (see
 * {@link shardUnits}) go, longest first, to the part with the least estimated time so far; ties
 * go to the lower part and, among units, to the notebook and key that sort first.
 */
export function shardPlans(plans: Plan[], shard: Shard): Plan[] {
  const {index, count} = checkShard(shard);
  const units = plans.flatMap(shardUnits);
  const name = (unit: ShardUnit): string => `${unit.notebook}\0${unit.keys[0]}`;
  units.sort((a, b) => b.weightMs - a.weightMs || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const totals = Array.from({length: count}, () => 0);
  const mine = new Set<string>();
  for (const unit of units) {
    let part = 0;
    for (let candidate = 1; candidate < count; candidate++) if (totals[candidate]! < totals[part]!) part = candidate;
    totals[part]! += unit.weightMs;
    if (part === index - 1) for (const key of unit.keys) mine.add(`${unit.notebook}\0${key}`);
  }
  return plans
    .map((plan) => ({...plan, runs: plan.runs.filter((run) => mine.has(`${plan.notebook.name}\0${run.key}`))}))
    .filter((plan) => plan.runs.length > 0);
}

/** Reads `K/N` as a shard, e.g. `2/4`; undefined when the text is not of that form. */
export function parseShard(text: string): Shard | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const shard = {index: Number(match[1]), count: Number(match[2])};
  return shard.index >= 1 && shard.index <= shard.count ? shard : undefined;
}

/** What each run of a shard came to, for its manifest: measured now, reused, failed or skipped. */
export function shardRunsOf(plan: Plan, decisions: RunDecision[], ran: RunPlanResult): Array<{key: string; hash: string; status: 'run' | 'reused' | 'failed' | 'skipped'}> {
  const outcomes = new Map(Object.values(ran.outcomes).flat().map((outcome) => [outcome.key, outcome]));
  return plan.runs.map((run, index) => {
    const outcome = outcomes.get(run.key);
    const status = decisions[index]!.action === 'reuse' ? 'reused' : outcome?.skipped !== undefined ? 'skipped' : outcome?.failure || outcome?.stored?.result.status !== 'ok' ? 'failed' : 'run';
    return {key: run.key, hash: run.hash, status};
  });
}
