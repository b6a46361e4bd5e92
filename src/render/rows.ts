import type {Block, Notebook, PublishedFigure} from '../parse/types.js';
import {instructionsSuffix, type Stats} from '../model/index.js';
import type {StoredResult} from '../model/index.js';
import type {ArticleRow, BlockOutcome, ResultRow, SampleRow} from './types.js';

/** Options of {@link resultRows} and {@link articleRows}. */
export interface RowOptions {
  /** Which of the article's tables the published figures come from: a set written `key#set:` (default: figures without a set). */
  published?: string;
}

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
  blockIds?: string[],
  options: RowOptions = {}
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
    const figure = publishedFigure(notebook, stored.key, options.published);
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
      ...publishedFields(figure),
      ...(stored.result.unit === 'instructions' ? {unit: 'instructions' as const} : {}),
      ...memoryOf(notebook, stored, options.published),
      ...(block.options['work'] === 'grows' ? {work: 'grows' as const} : {}),
      ...(stale === undefined ? {} : {stale: {date: stored.date, reason: stale}}),
      ...(instructions === undefined ? {} : {instructions})
    });
  }
  addScaling(rows);
  return rows;
}

/**
 * One row per figure the article gives for the wanted blocks (front matter `published:`, of the set
 * `options.published`), whether or not this run measured that key: the article's own series, at its
 * sizes (its 12 worker counts where the quick profile runs 4). `measured` says whether `measured`
 * rows hold the same key; charts draw every row, tables add those not measured. Rows of a block come
 * in the order of its swept values (numbers ascending), with the article's change from the previous
 * row as it printed it, else computed from its figures.
 */
export function articleRows(notebook: Notebook, blockIds: string[] | undefined, measured: readonly ResultRow[], options: RowOptions = {}): ArticleRow[] {
  const figures = (notebook as {published?: Record<string, PublishedFigure>}).published ?? {};
  const byId = new Map(notebook.blocks.map((block) => [block.id, block]));
  const ids = blockIds === undefined ? notebook.blocks.filter((block) => block.kind === 'bench').map((block) => block.id) : [...new Set(blockIds)];
  const keys = new Set(measured.map((row) => row.key));
  const rows: ArticleRow[] = [];
  for (const id of ids) {
    const block = byId.get(id);
    if (block === undefined) continue;
    const own: ArticleRow[] = [];
    for (const [written, figure] of Object.entries(figures)) {
      const [key, set] = splitPublishedKey(written);
      if ((set ?? undefined) !== options.published || key.split('@')[0] !== id) continue;
      const sweep = key.includes('@') ? key.slice(key.indexOf('@') + 1) : undefined;
      const [param, raw] = sweep === undefined ? [undefined, undefined] : (sweep.split('=') as [string, string]);
      const value = raw === undefined ? undefined : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      own.push({
        key,
        block: id,
        label: labelOf(block),
        ...(param === undefined ? {} : {param, value: value!}),
        measured: keys.has(key),
        ...publishedFields(figure),
        ...(finite(figure.peakBytes) === undefined ? {} : {publishedPeak: figure.peakBytes!})
      });
    }
    if (own.every((row) => typeof row.value === 'number')) own.sort((a, b) => (a.value as number) - (b.value as number));
    own.forEach((row, index) => {
      const previous = own[index - 1];
      if (row.publishedImprovement === undefined && previous?.published !== undefined && row.published !== undefined && previous.published > 0) {
        row.publishedImprovement = (previous.published - row.published) / previous.published;
      }
    });
    rows.push(...own);
  }
  return rows;
}

/** A published key's result key and set: `gsum-go#first-table` gives `gsum-go` and `first-table`. */
function splitPublishedKey(written: string): [string, string | undefined] {
  const at = written.indexOf('#');
  return at === -1 ? [written, undefined] : [written.slice(0, at), written.slice(at + 1)];
}

/** The row fields of an article's figure: median, extremes, time per swept unit, change from the previous row, note. */
function publishedFields(figure: PublishedFigure | undefined): Pick<ResultRow, 'published' | 'publishedMin' | 'publishedMax' | 'publishedShare' | 'publishedImprovement' | 'publishedNote'> {
  if (figure === undefined) return {};
  const fields: Pick<ResultRow, 'published' | 'publishedMin' | 'publishedMax' | 'publishedShare' | 'publishedImprovement' | 'publishedNote'> = {};
  if (finite(figure.median) !== undefined) fields.published = figure.median!;
  if (finite(figure.min) !== undefined) fields.publishedMin = figure.min!;
  if (finite(figure.max) !== undefined) fields.publishedMax = figure.max!;
  if (finite(figure.share) !== undefined) fields.publishedShare = figure.share!;
  if (finite(figure.improvement) !== undefined) fields.publishedImprovement = figure.improvement!;
  if (figure.note !== undefined) fields.publishedNote = figure.note;
  return fields;
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

/** The article's figure for a result key (of a set: `key#set`), from the front matter's `published:`. */
function publishedFigure(notebook: Notebook, key: string, set?: string): PublishedFigure | undefined {
  // Notebooks built by hand (tests, older callers) may have no `published` at all.
  const figures = (notebook as {published?: Record<string, PublishedFigure>}).published;
  const written = set === undefined ? key : `${key}#${set}`;
  return figures !== undefined && Object.hasOwn(figures, written) ? figures[written] : undefined;
}

/** Memory fields of a row: `peak` (tracemalloc), `rss` (bytes), `publishedPeak`, those that are known. */
function memoryOf(notebook: Notebook, stored: StoredResult, set?: string): Pick<ResultRow, 'peak' | 'rss' | 'publishedPeak'> {
  const {memory, process} = stored.result;
  const rssKiB = process !== undefined && process.maxRssKiB.length > 0 ? Math.max(...process.maxRssKiB) : memory?.maxRssKiB;
  const peak = finite(memory?.peakBytes);
  const rss = finite(rssKiB === undefined ? undefined : rssKiB * 1024);
  const publishedPeak = finite(publishedFigure(notebook, stored.key, set)?.peakBytes);
  return {
    ...(peak === undefined ? {} : {peak}),
    ...(rss === undefined ? {} : {rss}),
    ...(publishedPeak === undefined ? {} : {publishedPeak})
  };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Speed-up, ideal speed-up and efficiency of swept rows, against each block's first measured value;
 * the change from the previous measured value of the block (`improvement`); and, for numeric values,
 * the time per unit of the swept value (`share`). When the block's work grows with the value
 * (`work=grows`: each thread a task of its own), the speed-up is the work done over the time: the
 * first value's time scaled to this value's work, divided by this time.
 */
function addScaling(rows: ResultRow[]): void {
  const first = new Map<string, ResultRow>();
  const previous = new Map<string, ResultRow>();
  for (const row of rows) {
    if (row.param === undefined) continue;
    const base = first.get(row.block) ?? row;
    first.set(row.block, base);
    const before = previous.get(row.block);
    previous.set(row.block, row);
    if (before !== undefined && before.median > 0) row.improvement = (before.median - row.median) / before.median;
    const numeric = typeof row.value === 'number' && typeof base.value === 'number' && base.value !== 0;
    if (typeof row.value === 'number' && row.value > 0) row.share = row.median / row.value;
    const grows = row.work === 'grows' && numeric;
    if (row.median > 0) row.speedup = (grows ? base.median * ((row.value as number) / (base.value as number)) : base.median) / row.median;
    if (numeric) {
      row.ideal = (row.value as number) / (base.value as number);
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

/** A result named in a claim's words: the block's label, with the swept value of a swept run (`Go goroutines, workers=4`). */
export function resultLabel(notebook: Notebook, key: string): string {
  const [id, sweep] = key.split('@') as [string, string | undefined];
  const block = notebook.blocks.find((candidate) => candidate.id === id);
  const name = block ? labelOf(block) : id;
  return sweep === undefined ? name : `${name}, ${sweep}`;
}
