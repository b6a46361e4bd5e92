import type {ClaimResult, ClaimVerdict} from '../measure/claims.js';
import {medianOfSorted} from '../measure/basics.js';
import {studentT975} from '../measure/hierarchical.js';
import {compareSamples} from '../measure/compare.js';
import type {BlockOutcome, Comparison, StoredResult} from '../model/index.js';
import type {Notebook} from '../parse/types.js';
import type {BaselineSnapshot, BaselineStore} from '../store/baseline.js';
import {checkClaims} from './claims.js';

/**
 * Comparing a build with a baseline: every bench run against the saved result of the same key, and
 * the claims whose verdict changed. Pure: the same results give the same verdicts.
 */

/** How a block's result moved since the baseline; `new` when the baseline has no result of that key. */
export type ChangeVerdict = 'faster' | 'slower' | 'no significant change' | 'new' | 'not comparable';

/** One bench run compared with the baseline's result of the same key. */
export interface BlockChange {
  notebook: string;
  key: string;
  blockId: string;
  /** The block's `label`, else its id. */
  label: string;
  verdict: ChangeVerdict;
  /** median(now) / median(baseline): above 1 is slower. */
  ratio?: number;
  /** Seeded bootstrap 95% interval of the ratio. */
  ci?: [number, number];
  /** Two-sided p-value of the Mann–Whitney U test. */
  p?: number;
  /** Medians now and in the baseline, in `unit`. */
  median?: number;
  baselineMedian?: number;
  unit: 'ns' | 'instructions';
  /** Why the verdict is what it is when that is not obvious (inside the noise band, units differ...). */
  reason?: string;
  /** The baseline's result was measured on another machine: the comparison says little. */
  otherMachine?: boolean;
  /**
   * How much this build's machine ran faster or slower than when the baseline was saved, read from
   * the other blocks of the notebook measured again with the same code, runtime and machine: `ratio`
   * is their median ratio, `range` their lowest and highest, `blocks` how many. Set when the block's own
   * ratio and interval were divided by it (`ratio` above is then the corrected one, `rawRatio` not).
   */
  drift?: {ratio: number; range: [number, number]; blocks: number};
  /** median(now) / median(baseline) before the drift was taken out. */
  rawRatio?: number;
  /** The 95% interval of `rawRatio`: this build's processes and the baseline's alone. */
  rawCi?: [number, number];
  /** The block's own spread between runs (log of the ratio) and the fewer runs it was read from, when its history widened the interval. */
  runSpread?: {spread: number; runs: number};
}

/** A claim whose verdict is not the one it had in the baseline. */
export interface ClaimChange {
  notebook: string;
  blockId: string;
  /** The claim in the article's words. */
  text: string;
  before: ClaimVerdict;
  after: ClaimVerdict;
}

/** One notebook compared with a baseline: what the page and the index show. */
export interface NotebookComparison {
  /** Baseline name (`--baseline NAME`). */
  baseline: string;
  notebook: string;
  title: string;
  /** The notebook's page, relative to the index. */
  href: string;
  /** When the baseline of this notebook was saved (ISO), if it has one. */
  savedAt?: string;
  /** Every measured bench run, in plan order. */
  blocks: BlockChange[];
  claims: ClaimChange[];
}

/** Options of {@link compareWithBaseline}. */
export interface CompareBaselineOptions {
  /** Changes within ± this fraction are "no significant change" however small p is (default 0.05, `--noise 5`). */
  noise?: number;
}

/**
 * Compares every measured bench run of a notebook with the baseline's result of the same key: the
 * ratio of medians with its interval from the two-level bootstrap over processes (`compareSamples`), then
 * the noise band, so a change is reported only when it is both significant and larger than `noise`.
 * Pure: the same results give the same verdicts.
 */
export function compareWithBaseline(
  notebook: Notebook,
  outcomes: Record<string, BlockOutcome[]>,
  snapshot: BaselineSnapshot | undefined,
  options: CompareBaselineOptions = {}
): BlockChange[] {
  const noise = options.noise ?? 0.05;
  if (!(noise >= 0 && noise < 1)) throw new TypeError(`options.noise must be a fraction in [0, 1), e.g. 0.05 for 5%, got ${noise}`);
  const compared: Compared[] = [];
  for (const block of notebook.blocks) {
    if (block.kind !== 'bench') continue;
    const label = typeof block.options.label === 'string' ? block.options.label : block.id;
    for (const outcome of outcomes[block.id] ?? []) {
      const current = outcome.stored;
      if (!current || current.result.status !== 'ok' || !current.result.samples?.length) continue;
      compared.push(compareRecord(current, snapshot?.records.get(current.key), label));
    }
  }
  const controls = compared.filter(isControl);
  return compared.map((item) => decide(item, controls.filter((control) => control !== item), noise));
}

/** One run against the baseline, before the verdict: the comparison, when there is one to make. */
interface Compared {
  change: BlockChange;
  current: StoredResult;
  before?: StoredResult;
  comparison?: Comparison;
}

/** Fewest other unchanged blocks from which the machine's drift is read. */
const minControls = 2;

/**
 * Whether a run can tell how the machine itself changed: the same code, runtime and machine as in the
 * baseline, measured again in this build. Any difference it shows is the machine's (its load, its
 * clock, what else ran), not the code's: as Mytkowicz et al. (ASPLOS 2009) show, the setting alone
 * moves timings by more than many changes being looked for.
 */
function isControl({current, before, comparison}: Compared): boolean {
  return (
    comparison !== undefined &&
    before !== undefined &&
    current.hash === before.hash &&
    current.runtime.name === before.runtime.name &&
    current.runtime.version === before.runtime.version &&
    current.machine.fingerprint === before.machine.fingerprint &&
    current.date !== before.date
  );
}

function compareRecord(current: StoredResult, before: StoredResult | undefined, label: string): Compared {
  const unit = current.result.unit ?? 'ns';
  const base = {notebook: current.notebook, key: current.key, blockId: current.blockId, label, unit, ...(current.stats ? {median: current.stats.median} : {})};
  const samples = current.result.samples!;
  const previous = before?.result.status === 'ok' ? before.result.samples : undefined;
  if (!before || !previous?.length) return {current, change: {...base, verdict: 'new', reason: 'the baseline has no result of this block'}};
  const otherMachine = before.machine.fingerprint !== current.machine.fingerprint ? {otherMachine: true} : {};
  if ((before.result.unit ?? 'ns') !== unit) {
    return {current, before, change: {...base, ...otherMachine, verdict: 'not comparable', reason: `the baseline counted ${before.result.unit ?? 'ns'}, this run ${unit}`}};
  }
  const comparison = compareSamples(samples, previous, {groups: [current.result.groups, before.result.groups]});
  const figures = {...otherMachine, ratio: comparison.ratio, ci: comparison.ci, p: comparison.p, ...(before.stats ? {baselineMedian: before.stats.median} : {})};
  return {current, before, comparison, change: {...base, ...figures, verdict: comparison.verdict === 'no significant difference' ? 'no significant change' : comparison.verdict}};
}

/**
 * The verdict of one run. With enough unchanged blocks measured again beside it, the median of their
 * log ratios is how much faster or slower the machine ran than when the baseline was saved; the
 * run's ratio is divided by it. How far a block strays from the machine on its own is what the others
 * stray by: the standard deviation of their log ratios, the farthest one left out when there are four
 * or more (so that one erratic block, a Go map whose time doubles now and then, does not blind the
 * rest), with Student's t for their number, plus the uncertainty of the drift itself. That, and the block's own
 * spread between runs when its history has one (Kalibera and Jones's third level), widen the run's
 * interval. A change must then be significant and larger than the noise band.
 */
function decide(item: Compared, controls: Compared[], noise: number): BlockChange {
  const {comparison} = item;
  let {change} = item;
  if (!comparison) return change;
  const runs = runSpreadOf(item);
  const runLevel = runs.spread === 0 ? 0 : studentT975(runs.count - 1) * runs.spread;
  if (runLevel > 0) change = {...change, runSpread: {spread: runs.spread, runs: runs.count}};
  const ratios = controls.map((control) => control.comparison!.ratio).sort((a, b) => a - b);
  if (ratios.length < minControls || item.current.machine.fingerprint !== item.before?.machine.fingerprint) {
    if (runLevel === 0) return bandVerdict(change, comparison.verdict !== 'no significant difference', noise);
    return judged({...change, ci: widened(comparison.ratio, comparison.ci, runLevel)}, comparison.ratio, noise);
  }
  const logs = ratios.map((ratio) => Math.log(ratio));
  const centre = medianOfSorted(logs);
  // The controls' spread without the one farthest from the rest when there are four or more: one
  // erratic block does not blind the others, and three or fewer are all kept, since a robust scale
  // from so few (their median absolute deviation) is zero whenever two of them happen to agree.
  const byDistance = [...logs].sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre));
  const kept = byDistance.length >= 4 ? byDistance.slice(0, -1) : byDistance;
  const mean = kept.reduce((sum, value) => sum + value, 0) / kept.length;
  const deviation = Math.sqrt(kept.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (kept.length - 1));
  // A new block's deviation from the machine, and the drift's own error (a median's: π/2 / n in variance).
  const stray = deviation * Math.sqrt(1 + Math.PI / 2 / logs.length);
  // The block's own spread between runs holds the machine's drift from build to build, which the
  // controls' runs spread by too and which dividing by the drift has already taken out: only what it
  // spreads beyond the typical control is its own, and widens its interval on top of the controls'.
  const others = controls.map(runSpreadOf).filter((other) => other.spread > 0).map((other) => other.spread ** 2).sort((a, b) => a - b);
  const ownLevel = runLevel === 0 ? 0 : studentT975(runs.count - 1) * Math.sqrt(Math.max(0, runs.spread ** 2 - (others.length > 0 ? medianOfSorted(others) : 0)));
  const extra = Math.hypot(studentT975(kept.length - 1) * stray, ownLevel);
  const drift = Math.exp(centre);
  const ratio = comparison.ratio / drift;
  const ci = widened(ratio, [comparison.ci[0] / drift, comparison.ci[1] / drift], extra);
  const range: [number, number] = [ratios[0]!, ratios.at(-1)!];
  // The test's p is of the raw ratio: the corrected one is judged by its interval alone.
  return judged({...change, ratio, ci, rawRatio: comparison.ratio, rawCi: comparison.ci, drift: {ratio: drift, range, blocks: ratios.length}}, ratio, noise);
}

/** A verdict from the interval alone: significant when it excludes 1, then the noise band. */
function judged(change: BlockChange, ratio: number, noise: number): BlockChange {
  const significant = !(change.ci![0] <= 1 && 1 <= change.ci![1]);
  return bandVerdict({...change, verdict: significant ? (ratio < 1 ? 'faster' : 'slower') : 'no significant change'}, significant, noise);
}

/** `ci` about `ratio` widened on each side by `extra` in logs, in quadrature with its own half-widths. */
function widened(ratio: number, ci: [number, number], extra: number): [number, number] {
  const centre = Math.log(ratio);
  const low = Math.hypot(centre - Math.log(ci[0]), extra);
  const high = Math.hypot(Math.log(ci[1]) - centre, extra);
  return [Math.exp(centre - low), Math.exp(centre + high)];
}

/**
 * The log spread between runs of the ratio of this block, from the histories of its result now and in
 * the baseline (each a run of its own, so the ratio's variance is the sum of theirs), with the fewer
 * runs of the two; a spread of 0 without one.
 */
function runSpreadOf({current, before}: Compared): {spread: number; count: number} {
  const sides = [current, before?.hash === current.hash ? before : undefined].map((record) => record?.stats?.runs).filter((runs) => runs !== undefined);
  if (sides.length === 0) return {spread: 0, count: 0};
  const logs = sides.map((runs) => Math.log1p(runs.spread));
  // One side known: the other side's run is as uncertain (the same block on the same machine).
  const [now, then = logs[0]!] = logs;
  return {spread: Math.hypot(now!, then), count: Math.min(...sides.map((runs) => runs.count))};
}

/** A significant change inside the noise band is no change, said so. */
function bandVerdict(change: BlockChange, significant: boolean, noise: number): BlockChange {
  if (!significant) return {...change, verdict: 'no significant change'};
  if (Math.abs(change.ratio! - 1) <= noise) return {...change, verdict: 'no significant change', reason: `within the ±${formatPercent(noise)} noise band`};
  return change;
}

/** Claims whose verdict differs from the one computed over the baseline's results. */
export function compareClaims(notebook: Notebook, now: Record<string, ClaimResult>, before: Record<string, ClaimResult>): ClaimChange[] {
  const changes: ClaimChange[] = [];
  for (const block of notebook.blocks) {
    const after = now[block.id]?.verdict;
    const previous = before[block.id]?.verdict;
    if (!block.claim || after === undefined || previous === undefined || after === previous) continue;
    changes.push({notebook: notebook.name, blockId: block.id, text: block.claim.text, before: previous, after});
  }
  return changes;
}

/** A baseline's results as page outcomes, so claims can be checked against them as they were. */
export function baselineOutcomes(snapshot: BaselineSnapshot): Record<string, BlockOutcome[]> {
  const outcomes: Record<string, BlockOutcome[]> = {};
  for (const stored of snapshot.records.values()) (outcomes[stored.blockId] ??= []).push({key: stored.key, stored});
  return outcomes;
}

/**
 * The smallest change the comparisons could see: the half-widths of their 95% intervals, as fractions
 * of their ratios (the wider side), at the median and at both ends. A "no significant change" means
 * little where that is wide: on a machine whose speed swings, no interval of one build is narrow.
 * Undefined when nothing was compared.
 */
export function resolutionOf(changes: Iterable<BlockChange>): {median: number; low: number; high: number; count: number} | undefined {
  const halves = [...changes]
    .filter((change) => change.ci !== undefined && change.ratio !== undefined && change.ratio > 0)
    .map((change) => Math.max(change.ci![1] / change.ratio! - 1, 1 - change.ci![0] / change.ratio!))
    .sort((a, b) => a - b);
  if (halves.length === 0) return undefined;
  return {median: medianOfSorted(halves), low: halves[0]!, high: halves.at(-1)!, count: halves.length};
}

/** The changes that fail `--fail-on-regression PCT`: significantly slower by more than `percent` %. */
export function regressionsOf(changes: Iterable<BlockChange>, percent: number): BlockChange[] {
  return [...changes].filter((change) => change.verdict === 'slower' && change.ratio !== undefined && (change.ratio - 1) * 100 > percent);
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/**
 * A built notebook compared with its part of a baseline: every bench run, and the claims whose
 * verdict changed (decided again over the baseline's results).
 */
export async function compareNotebook(
  baselines: BaselineStore,
  name: string,
  notebook: Notebook,
  outcomes: Record<string, BlockOutcome[]>,
  claims: Record<string, ClaimResult>,
  options: CompareBaselineOptions = {}
): Promise<NotebookComparison> {
  const snapshot = await baselines.read(name, notebook.name);
  return {
    baseline: name,
    notebook: notebook.name,
    title: notebook.title,
    href: `${notebook.name}.html`,
    ...(snapshot?.savedAt ? {savedAt: snapshot.savedAt} : {}),
    blocks: compareWithBaseline(notebook, outcomes, snapshot, options),
    claims: snapshot ? compareClaims(notebook, claims, checkClaims(notebook, baselineOutcomes(snapshot))) : []
  };
}
