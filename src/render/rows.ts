import type {Block, Notebook} from '../parse/types.js';
import {instructionsSuffix, type Stats} from '../model/index.js';
import type {StoredResult} from '../model/index.js';
import type {BlockOutcome, ResultRow, SampleRow} from './types.js';

/**
 * Reads a block option that lists block ids (`blocks=[a, b]` or `blocks=a,b`); `undefined` when unset.
 */
export function listOption(block: Block, name: string): string[] | undefined {
  const value = block.options[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(/[\s,]+/)
    .filter((item) => item !== '');
}

/** Whether a stored result has statistics to show: an `ok` bench run. */
export function isMeasured(stored: StoredResult | undefined): stored is StoredResult & {stats: Stats} {
  return stored?.kind === 'bench' && stored.result.status === 'ok' && stored.stats !== undefined;
}

/**
 * One row per measured bench result (status `ok` with stats), in block order.
 * `blockIds` limits the rows to those blocks, in that order (default: every block). Rows of a swept block carry
 * `speedup` (and `ideal`, `efficiency` for numeric values) relative to its first measured value;
 * rows with a figure in the front matter's `published:` carry it as `published`.
 */
export function resultRows(
  outcomes: Record<string, BlockOutcome[]>,
  notebook: Notebook,
  blockIds?: string[]
): ResultRow[] {
  // Instruction counts are runs of their own (`key#instructions`); they join their time's row.
  const counted = new Map<string, number>();
  for (const {stored} of measuredResults(outcomes, notebook, blockIds)) {
    if (stored.key.endsWith(instructionsSuffix)) counted.set(stored.key.slice(0, -instructionsSuffix.length), stored.stats.median);
  }
  const rows: ResultRow[] = [];
  for (const {block, stored, stale} of measuredResults(outcomes, notebook, blockIds)) {
    if (stored.key.endsWith(instructionsSuffix) && counted.size > 0 && hasTime(outcomes, stored)) continue;
    const {stats, sweep} = stored;
    const published = publishedMedian(notebook, stored.key);
    const instructions = counted.get(stored.key);
    rows.push({
      key: stored.key,
      block: block.id,
      label: labelOf(block),
      runtime: stored.runtime.name,
      version: stored.runtime.version,
      status: stored.result.status,
      ...(sweep === undefined ? {} : {param: sweep.name, value: sweep.value}),
      n: stats.n,
      min: stats.min,
      median: stats.median,
      mean: stats.mean,
      max: stats.max,
      stddev: stats.stddev,
      mad: stats.mad,
      ciLow: stats.ci[0],
      ciHigh: stats.ci[1],
      ...(published === undefined ? {} : {published}),
      ...(stored.result.unit === 'instructions' ? {unit: 'instructions' as const} : {}),
      ...memoryOf(notebook, stored),
      ...(stale === undefined ? {} : {stale: {date: stored.date, reason: stale}}),
      ...(instructions === undefined ? {} : {instructions})
    });
  }
  addScaling(rows);
  return rows;
}

/**
 * One row per raw sample of every measured result, in block order then sample order: what `plot`
 * blocks get as `samples`, for dot and box plots of the distribution.
 */
export function sampleRows(
  outcomes: Record<string, BlockOutcome[]>,
  notebook: Notebook,
  blockIds?: string[]
): SampleRow[] {
  const rows: SampleRow[] = [];
  for (const {block, stored} of measuredResults(outcomes, notebook, blockIds)) {
    const samples = stored.result.samples ?? [];
    const outliers = new Set(stored.stats.outliers);
    const perProcess = samplesPerProcess(stored);
    samples.forEach((value, index) => {
      rows.push({
        key: stored.key,
        block: block.id,
        label: labelOf(block),
        runtime: stored.runtime.name,
        ...(stored.sweep === undefined ? {} : {param: stored.sweep.name, paramValue: stored.sweep.value}),
        value,
        index,
        process: Math.floor(index / perProcess),
        outlier: outliers.has(index),
        ...(stored.result.unit === 'instructions' ? {unit: 'instructions' as const} : {})
      });
    });
  }
  return rows;
}

/** Whether the time of an instruction-count run was measured too: then the count joins the time's row. */
function hasTime(outcomes: Record<string, BlockOutcome[]>, counted: StoredResult): boolean {
  const key = counted.key.slice(0, -instructionsSuffix.length);
  return (outcomes[counted.blockId] ?? []).some((outcome) => outcome.key === key && isMeasured(outcome.stored));
}

/** The block's `label` option, else its id. */
export function labelOf(block: Block): string {
  return block.options['label'] === undefined ? block.id : String(block.options['label']);
}

/**
 * The measured results of the wanted blocks, in the order `blockIds` names them (the author's order,
 * which charts and tables both follow), else in block order; then in plan order; each with why it is
 * stale when it is.
 */
export function measuredResults(
  outcomes: Record<string, BlockOutcome[]>,
  notebook: Notebook,
  blockIds?: string[]
): Array<{block: Block; stored: StoredResult & {stats: Stats}; stale?: string}> {
  const byId = new Map(notebook.blocks.map((block) => [block.id, block]));
  const blocks = blockIds === undefined ? notebook.blocks : [...new Set(blockIds)].flatMap((id) => byId.get(id) ?? []);
  const results: Array<{block: Block; stored: StoredResult & {stats: Stats}; stale?: string}> = [];
  for (const block of blocks) {
    for (const outcome of outcomes[block.id] ?? []) {
      if (isMeasured(outcome.stored)) results.push({block, stored: outcome.stored, ...(outcome.stale === undefined ? {} : {stale: outcome.stale})});
    }
  }
  return results;
}

/** The article's median for a result key, ns, from the front matter's `published:`. */
function publishedMedian(notebook: Notebook, key: string): number | undefined {
  return finite(publishedFigure(notebook, key)?.median);
}

function publishedFigure(notebook: Notebook, key: string): {median?: number; peakBytes?: number} | undefined {
  // Notebooks built by hand (tests, older callers) may have no `published` at all.
  const figures = (notebook as {published?: Record<string, {median?: number; peakBytes?: number}>}).published;
  return figures !== undefined && Object.hasOwn(figures, key) ? figures[key] : undefined;
}

/** Memory fields of a row: `peak` (tracemalloc), `rss` (bytes), `publishedPeak`, those that are known. */
function memoryOf(notebook: Notebook, stored: StoredResult): Pick<ResultRow, 'peak' | 'rss' | 'publishedPeak'> {
  const {memory, process} = stored.result;
  const rssKiB = process !== undefined && process.maxRssKiB.length > 0 ? Math.max(...process.maxRssKiB) : memory?.maxRssKiB;
  const peak = finite(memory?.peakBytes);
  const rss = finite(rssKiB === undefined ? undefined : rssKiB * 1024);
  const publishedPeak = finite(publishedFigure(notebook, stored.key)?.peakBytes);
  return {
    ...(peak === undefined ? {} : {peak}),
    ...(rss === undefined ? {} : {rss}),
    ...(publishedPeak === undefined ? {} : {publishedPeak})
  };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Speed-up, ideal speed-up and efficiency of swept rows, against each block's first measured value. */
function addScaling(rows: ResultRow[]): void {
  const first = new Map<string, ResultRow>();
  for (const row of rows) {
    if (row.param === undefined) continue;
    const base = first.get(row.block) ?? row;
    first.set(row.block, base);
    if (row.median > 0) row.speedup = base.median / row.median;
    if (typeof row.value === 'number' && typeof base.value === 'number' && base.value !== 0) {
      row.ideal = row.value / base.value;
      if (row.speedup !== undefined && row.ideal !== 0) row.efficiency = row.speedup / row.ideal;
    }
  }
}

/** Samples are pooled process after process, `repeat` each; process mode times one process per sample. */
function samplesPerProcess(stored: StoredResult): number {
  const count = stored.result.samples?.length ?? 0;
  const processes = stored.result.process === undefined ? (stored.result.loops?.length ?? 0) : count;
  return processes > 0 && count % processes === 0 ? count / processes : Math.max(count, 1);
}

/**
 * The blocks a `plot` or `table` block draws from (its `blocks` option, else every `bench` block)
 * that have no measured result among `rows`, in the order referenced.
 */
export function missingBlocks(block: Block, notebook: Notebook, rows: ResultRow[]): string[] {
  const referenced =
    listOption(block, 'blocks') ?? notebook.blocks.filter((other) => other.kind === 'bench').map((other) => other.id);
  const measured = new Set(rows.map((row) => row.block));
  return referenced.filter((id) => !measured.has(id));
}
