import {readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import type {ClaimResult, ClaimVerdict} from '../measure/claims.js';
import {compareSamples} from '../measure/compare.js';
import type {Notebook} from '../parse/types.js';
import type {BlockOutcome} from '../render/types.js';
import {fileNameOfKey, writeFileAtomic} from './index.js';
import type {StoredResult} from '../model/index.js';

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

/** One notebook's part of a baseline as read back: when it was saved and its results by key. */
export interface BaselineSnapshot {
  savedAt: string;
  records: Map<string, StoredResult>;
}

/** File beside a notebook's baseline results saying when it was saved (block ids start with a letter: no clash). */
const manifestName = '_baseline.json';

/** Throws a TypeError unless `name` is usable as a folder name: letters, digits, `.`, `_`, `-`. */
export function checkBaselineName(name: string, option = 'baseline'): string {
  if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(name)) {
    throw new TypeError(`invalid ${option} ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. main)`);
  }
  return name;
}

/**
 * Named snapshots of results: `data/baselines/<name>/<notebook>/<key>.json`, the stored records
 * themselves (samples included), so a later run compares sample against sample.
 */
export class BaselineStore {
  constructor(readonly dataDir: string) {}

  /** Folder of one baseline. */
  dirOf(name: string): string {
    return path.join(this.dataDir, 'baselines', checkBaselineName(name));
  }

  /** Names of the saved baselines, sorted. */
  async names(): Promise<string[]> {
    try {
      const entries = await readdir(path.join(this.dataDir, 'baselines'), {withFileTypes: true});
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    } catch {
      return [];
    }
  }

  /**
   * Saves a notebook's results under a baseline, replacing what the baseline held for that notebook
   * (other notebooks keep theirs). Only successful runs are saved: a failure is nothing to compare
   * with. Every file is written atomically. Returns how many results were saved.
   */
  async save(name: string, notebook: string, records: StoredResult[], savedAt = new Date().toISOString()): Promise<number> {
    const dir = path.join(this.dirOf(name), notebook);
    const good = records.filter((record) => record.result.status === 'ok');
    const written = new Set<string>();
    for (const record of good) {
      const file = `${fileNameOfKey(record.key)}.json`;
      await writeFileAtomic(path.join(dir, file), JSON.stringify(record, null, 1) + '\n');
      written.add(file);
    }
    await writeFileAtomic(path.join(dir, manifestName), JSON.stringify({format: 1, baseline: name, notebook, savedAt, keys: good.map((record) => record.key)}, null, 1) + '\n');
    // Keys the notebook no longer has would otherwise linger in the baseline.
    for (const file of await readdir(dir)) {
      if (file.endsWith('.json') && file !== manifestName && !written.has(file)) await rm(path.join(dir, file), {force: true});
    }
    return good.length;
  }

  /** A notebook's part of a baseline, or undefined when the baseline has none. */
  async read(name: string, notebook: string): Promise<BaselineSnapshot | undefined> {
    const dir = path.join(this.dirOf(name), notebook);
    let manifest: {savedAt?: unknown; keys?: unknown};
    try {
      manifest = JSON.parse(await readFile(path.join(dir, manifestName), 'utf8')) as typeof manifest;
    } catch {
      return undefined;
    }
    const keys = Array.isArray(manifest.keys) ? manifest.keys.filter((key): key is string => typeof key === 'string') : [];
    const records = new Map<string, StoredResult>();
    for (const key of keys) {
      try {
        const record = JSON.parse(await readFile(path.join(dir, `${fileNameOfKey(key)}.json`), 'utf8')) as StoredResult;
        if (record.format === 1 && record.key === key && record.result) records.set(key, record);
      } catch {
        // A missing or unreadable file is a result the baseline does not have: the block shows as new.
      }
    }
    return {savedAt: typeof manifest.savedAt === 'string' ? manifest.savedAt : '', records};
  }
}

/**
 * Compares every measured bench run of a notebook with the baseline's result of the same key: the
 * ratio of medians with its bootstrap interval and the Mann–Whitney U test (`compareSamples`), then
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
  const changes: BlockChange[] = [];
  for (const block of notebook.blocks) {
    if (block.kind !== 'bench') continue;
    const label = typeof block.options.label === 'string' ? block.options.label : block.id;
    for (const outcome of outcomes[block.id] ?? []) {
      const current = outcome.stored;
      if (!current || current.result.status !== 'ok' || !current.result.samples?.length) continue;
      changes.push(compareRecord(current, snapshot?.records.get(current.key), label, noise));
    }
  }
  return changes;
}

function compareRecord(current: StoredResult, before: StoredResult | undefined, label: string, noise: number): BlockChange {
  const unit = current.result.unit ?? 'ns';
  const base = {notebook: current.notebook, key: current.key, blockId: current.blockId, label, unit, ...(current.stats ? {median: current.stats.median} : {})};
  const samples = current.result.samples!;
  const previous = before?.result.status === 'ok' ? before.result.samples : undefined;
  if (!before || !previous?.length) return {...base, verdict: 'new', reason: 'the baseline has no result of this block'};
  const otherMachine = before.machine.fingerprint !== current.machine.fingerprint ? {otherMachine: true} : {};
  if ((before.result.unit ?? 'ns') !== unit) {
    return {...base, ...otherMachine, verdict: 'not comparable', reason: `the baseline counted ${before.result.unit ?? 'ns'}, this run ${unit}`};
  }
  const comparison = compareSamples(samples, previous);
  const figures = {
    ...otherMachine,
    ratio: comparison.ratio,
    ci: comparison.ci,
    p: comparison.p,
    ...(before.stats ? {baselineMedian: before.stats.median} : {})
  };
  if (comparison.verdict === 'no significant difference') return {...base, ...figures, verdict: 'no significant change'};
  if (Math.abs(comparison.ratio - 1) <= noise) {
    return {...base, ...figures, verdict: 'no significant change', reason: `within the ±${formatPercent(noise)} noise band`};
  }
  return {...base, ...figures, verdict: comparison.verdict};
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

/** The changes that fail `--fail-on-regression PCT`: significantly slower by more than `percent` %. */
export function regressionsOf(changes: Iterable<BlockChange>, percent: number): BlockChange[] {
  return [...changes].filter((change) => change.verdict === 'slower' && change.ratio !== undefined && (change.ratio - 1) * 100 > percent);
}

/**
 * A ratio as a signed percentage change, `1.452` -> `+45.2%`, `0.8` -> `-20.0%`; from twice as slow
 * on, as a factor (`3163` -> `3163×`), which reads better than `+316200.0%`.
 */
export function formatChange(ratio: number): string {
  if (ratio >= 2) return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3)}×`;
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : '-'}${Math.abs(percent).toFixed(1)}%`;
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
