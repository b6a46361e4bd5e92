import type {Block} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatDay, formatPercent, formatPublished, formatRatio, formatSignificant, formatTimeValue, pickColumnUnit, type TimeUnit} from './format.js';
import {PARAMETERS_ID} from './parameters.js';
import {listOption} from './rows.js';
import type {ArticleRow, ResultRow} from './types.js';

/** A row of a table: a measured result, or a figure of the article at a size this run did not measure. */
type TableRow = ResultRow | (ArticleRow & {articleOnly: true});

function isArticleOnly(row: TableRow): row is ArticleRow & {articleOnly: true} {
  return 'articleOnly' in row;
}

/** Columns of a `table` block when its `columns` option is unset (see {@link tableColumns} for additions). */
export const DEFAULT_TABLE_COLUMNS: readonly string[] = ['label', 'runtime', 'n', 'min', 'median', 'max'];

/** Columns holding a time in nanoseconds, shown in the table's one unit. */
const TIME_COLUMNS = new Set(['min', 'median', 'mean', 'max', 'stddev', 'mad', 'ciLow', 'ciHigh', 'ci', 'published', 'publishedMedian', 'publishedMin', 'publishedMax', 'share', 'publishedShare']);

/** Columns of the article's figures, shown as it printed them: every digit it gave. */
const PUBLISHED_COLUMNS = new Set(['published', 'publishedMedian', 'publishedMin', 'publishedMax', 'publishedShare', 'publishedImprovement']);

/** Columns of the change from the previous row, a signed percentage. */
const CHANGE_COLUMNS = new Set(['improvement', 'publishedImprovement']);

/** Columns measured by this run: empty in a row of the article's figures alone. */
const MEASURED_COLUMNS = new Set(['runtime', 'version', 'status', 'n', 'min', 'median', 'mean', 'max', 'stddev', 'mad', 'ci', 'ciLow', 'ciHigh', 'ratio', 'peak', 'rss', 'speedup', 'ideal', 'efficiency', 'improvement', 'share']);

/** Every column a table may show, with the header readers see. `value` is headed by the swept parameter. */
export const TABLE_COLUMNS: Readonly<Record<string, string>> = {
  label: 'Benchmark',
  key: 'Run',
  block: 'Block',
  runtime: 'Runtime',
  version: 'Version',
  status: 'Status',
  param: 'Parameter',
  value: 'Value',
  n: 'Samples',
  min: 'Min',
  median: 'Median',
  mean: 'Mean',
  max: 'Max',
  stddev: 'Std dev',
  mad: 'MAD',
  ci: '95% CI of median',
  ciLow: 'CI low',
  ciHigh: 'CI high',
  published: 'Published',
  publishedMedian: 'Published median',
  publishedMin: 'Published min',
  publishedMax: 'Published max',
  publishedNote: "The article's figure as given",
  ratio: 'Measured ÷ published',
  share: 'Time ÷ value',
  publishedShare: 'Published time ÷ value',
  improvement: 'Change from previous row',
  publishedImprovement: 'Published change from previous row',
  peak: 'Peak memory per call',
  rss: 'Peak RSS',
  publishedPeak: 'Published peak memory',
  speedup: 'Speed-up',
  ideal: 'Ideal speed-up',
  efficiency: 'Efficiency',
  instructions: 'Instructions per call'
};

/** Columns holding the article's figures, left out when no row has one. */
const ARTICLE_COLUMNS = new Set(['published', 'publishedMedian', 'publishedMin', 'publishedMax', 'publishedNote', 'publishedShare', 'publishedImprovement', 'ratio', 'publishedPeak']);

/** Columns holding bytes, shown in the table's one size unit. */
const MEMORY_COLUMNS = new Set(['peak', 'rss', 'publishedPeak']);

const NUMERIC_COLUMNS = new Set([...TIME_COLUMNS, ...MEMORY_COLUMNS, ...CHANGE_COLUMNS, 'n', 'ratio', 'speedup', 'ideal', 'efficiency', 'instructions']);

/** Units of memory columns, smallest first (binary, as the kernel and tracemalloc count). */
const BYTE_UNITS: ReadonlyArray<{name: string; scale: number}> = [
  {name: 'B', scale: 1},
  {name: 'KiB', scale: 1024},
  {name: 'MiB', scale: 1024 ** 2},
  {name: 'GiB', scale: 1024 ** 3}
];

/**
 * Renders a `table` block's table: an HTML `<table>` in a box that scrolls sideways on its own on
 * narrow screens, labelled by the caption (which the block shows under the box, where a phone never
 * cuts it: see {@link tableCaptionId}). Options: `blocks` (ids, default all rows), `columns`
 * (default {@link tableColumns}), `sort` (a column, `-column` for descending; default: the order
 * of `blocks`, else block order), `caption`. Each column of times or sizes has one unit, chosen from
 * its middle value and stated in its header; numbers have thousands separators. An unknown column or
 * sort key gives a notice under the table rather than an empty column.
 */
export function renderTable(block: Block, rows: ResultRow[], article: readonly ArticleRow[] = []): string {
  const blockIds = listOption(block, 'blocks');
  const selected = withArticleRows(blockIds === undefined ? rows : rows.filter((row) => blockIds.includes(row.block)), article);
  const requested = tableColumns(block, selected);
  // The article's figures may exist only at other sizes (`--profile full`): an empty column says nothing.
  const empty = requested.filter((column) => ARTICLE_COLUMNS.has(column) && selected.length > 0 && selected.every((row) => valueAt(row, column === 'ratio' ? 'published' : column === 'publishedMedian' ? 'published' : column) === undefined));
  const columns = requested.filter((column) => Object.hasOwn(TABLE_COLUMNS, column) && !empty.includes(column));
  const unknown = requested.filter((column) => !Object.hasOwn(TABLE_COLUMNS, column));
  const sort = sortOption(block);
  const shown = sort === undefined || !Object.hasOwn(TABLE_COLUMNS, sort.column) ? selected : sortRows(selected, sort.column, sort.descending);
  const units = new Map(columns.map((column) => [column, columnUnit(column, shown)]));
  const caption = block.options['caption'];
  // A region's name must be unique on the page: the block id makes it so, the caption says what it is.
  const label = caption === undefined ? `Table ${block.id}` : `Table ${block.id}: ${String(caption)}`;
  const labelledBy = caption === undefined ? '' : ` aria-labelledby="${escapeHtml(tableCaptionId(block))}"`;
  const lines = [`<section class="table-scroll" aria-label="${escapeHtml(label)}" tabindex="0">`, `<table${labelledBy}>`];
  const headers = columns.map((column) => {
    const sorted = sort?.column === column ? ` aria-sort="${sort.descending ? 'descending' : 'ascending'}"` : '';
    const numeric = NUMERIC_COLUMNS.has(column) ? ' class="num"' : '';
    return `<th scope="col"${numeric}${sorted}>${escapeHtml(headerText(column, shown, units.get(column)))}</th>`;
  });
  lines.push(`<thead><tr>${headers.join('')}</tr></thead>`, '<tbody>');
  for (const row of shown) {
    const cells = columns.map((column) => {
      const stale = column === 'label' && !isArticleOnly(row) && row.stale !== undefined ? ` (stale: measured ${formatDay(row.stale.date)})` : '';
      const text = escapeHtml(cellText(row, column, units.get(column)) + stale);
      return NUMERIC_COLUMNS.has(column) ? `<td class="num">${text}</td>` : `<td>${text}</td>`;
    });
    lines.push(`<tr>${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>', '</section>');
  if (shown.some(isArticleOnly) && columns.some((column) => MEASURED_COLUMNS.has(column))) {
    lines.push(`<p class="table-note">Rows with the article's figures only are sizes this run did not measure (see <a href="#${PARAMETERS_ID}">Parameters</a>).</p>`);
  }
  if (empty.length > 0) lines.push(`<p class="table-note">The article gives no figure for these rows at this run's sizes (see <a href="#${PARAMETERS_ID}">Parameters</a>).</p>`);
  const known = Object.keys(TABLE_COLUMNS).join(', ');
  if (unknown.length > 0) {
    const names = unknown.map((column) => `\`${column}\``).join(', ');
    lines.push(`<p class="notice">Unknown ${unknown.length === 1 ? 'column' : 'columns'} ${escapeHtml(names)} in columns=: use ${escapeHtml(known)}.</p>`);
  }
  if (sort !== undefined && !Object.hasOwn(TABLE_COLUMNS, sort.column)) {
    lines.push(`<p class="notice">Unknown sort column \`${escapeHtml(sort.column)}\`: use one of ${escapeHtml(known)}, with a leading - to sort descending.</p>`);
  }
  return lines.join('\n');
}

/** The id of a table block's caption, which names its table (`aria-labelledby`). */
export function tableCaptionId(block: Block): string {
  return `${block.id}-caption`;
}

/**
 * The `columns` option, else {@link DEFAULT_TABLE_COLUMNS} plus: the swept value after the label and
 * `speedup` (and `efficiency`) after the max when rows are swept; `published` and `ratio` when some row
 * has a published figure.
 */
export function tableColumns(block: Block, rows: readonly TableRow[]): string[] {
  const columns = listOption(block, 'columns');
  if (columns !== undefined) return columns;
  const swept = rows.some((row) => row.param !== undefined);
  const result = DEFAULT_TABLE_COLUMNS.flatMap((column) => (column === 'label' && swept ? ['label', 'value'] : [column]));
  if (rows.some((row) => !isArticleOnly(row) && row.speedup !== undefined)) result.push('speedup');
  if (rows.some((row) => !isArticleOnly(row) && row.efficiency !== undefined)) result.push('efficiency');
  if (rows.some((row) => row.published !== undefined)) result.push('published', 'ratio');
  return result;
}

/** The `sort` option: `median` sorts ascending, `-median` descending. */
function sortOption(block: Block): {column: string; descending: boolean} | undefined {
  const value = block.options['sort'];
  if (value === undefined) return undefined;
  const text = String(value).trim();
  return text.startsWith('-') ? {column: text.slice(1), descending: true} : {column: text, descending: false};
}

/** Rows sorted by a column (stable; rows without a value last, whatever the direction). */
function sortRows(rows: TableRow[], column: string, descending: boolean): TableRow[] {
  const keyed = rows.map((row) => ({row, key: sortKey(row, column)}));
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return a.key === undefined ? (b.key === undefined ? 0 : 1) : -1;
    const order =
      typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : String(a.key).localeCompare(String(b.key), 'en', {numeric: true});
    return descending ? -order : order;
  });
  return keyed.map(({row}) => row);
}

function sortKey(row: TableRow, column: string): number | string | undefined {
  if (isArticleOnly(row) && MEASURED_COLUMNS.has(column)) return undefined;
  if (column === 'ci') return (row as ResultRow).ciLow;
  if (column === 'ratio') return row.published === undefined ? undefined : (row as ResultRow).median / row.published;
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  return typeof value === 'number' || typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : undefined;
}

/** A column's unit: a time unit, instruction counts, a size unit, or none. */
type ColumnUnit = TimeUnit | {name: 'instructions'; scale: 1} | {name: string; scale: number; bytes: true};

/** Times are ns, except in rows counting instructions. */
function isInstructions(rows: TableRow[]): boolean {
  const measured = rows.filter((row): row is ResultRow => !isArticleOnly(row));
  return measured.length > 0 && measured.every((row) => row.unit === 'instructions');
}

/**
 * The unit of one column. Times: the medians' unit (that of their middle value), which `ci`,
 * `ciLow` and `ciHigh` share as they bound the median, and which any other time column shares when
 * its middle value reads well in it (0.1 to 10,000), so that figures side by side compare at a
 * glance; else the column's own. Sizes: the binary unit of the middle value. Instruction counts
 * when every row counts instructions.
 */
function columnUnit(column: string, rows: TableRow[]): ColumnUnit | undefined {
  if (MEMORY_COLUMNS.has(column)) {
    const values = rows.flatMap((row) => valueAt(row, column) ?? []).filter((value) => value > 0).sort((a, b) => a - b);
    const middle = values[Math.floor((values.length - 1) / 2)] ?? 1;
    let unit = BYTE_UNITS[0]!;
    for (const candidate of BYTE_UNITS) if (middle >= candidate.scale) unit = candidate;
    return {...unit, bytes: true};
  }
  if (!TIME_COLUMNS.has(column)) return undefined;
  if (isInstructions(rows)) return {name: 'instructions', scale: 1};
  const times = rows.filter((row) => isArticleOnly(row) || row.unit !== 'instructions');
  const values = (source: string) => times.flatMap((row) => valueAt(row, source === 'publishedMedian' ? 'published' : source) ?? []);
  // A table of the article's figures alone takes its unit from them.
  const medians = pickColumnUnit(values('median').length > 0 ? values('median') : values('published'));
  if (column === 'median' || column === 'ci' || column === 'ciLow' || column === 'ciHigh') return medians;
  const own = values(column).filter((value) => value > 0).sort((a, b) => a - b);
  const middle = own[Math.floor((own.length - 1) / 2)];
  if (middle === undefined) return medians;
  const inMedians = middle / medians.scale;
  return inMedians >= 0.1 && inMedians < 10_000 ? medians : pickColumnUnit(own);
}

function valueAt(row: TableRow, column: string): number | undefined {
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The rows of a table: the measured ones, with the article's figures at sizes this run did not
 * measure added among the rows of their block in the order of the swept values (numbers ascending).
 * A measured row takes the article's change from its previous row from the article's series.
 */
function withArticleRows(rows: ResultRow[], article: readonly ArticleRow[]): TableRow[] {
  const byKey = new Map(article.map((row) => [row.key, row]));
  const measured = rows.map((row): ResultRow => {
    const figure = byKey.get(row.key);
    return figure?.publishedImprovement !== undefined && row.publishedImprovement === undefined ? {...row, publishedImprovement: figure.publishedImprovement} : row;
  });
  const extra = article.filter((row) => !row.measured && rows.some((other) => other.block === row.block));
  if (extra.length === 0) return measured;
  const blocks = [...new Set([...measured.map((row) => row.block), ...extra.map((row) => row.block)])];
  return blocks.flatMap((block) => {
    const own: TableRow[] = [...measured.filter((row) => row.block === block), ...extra.filter((row) => row.block === block).map((row) => ({...row, articleOnly: true as const}))];
    return own.every((row) => typeof row.value === 'number') ? own.sort((a, b) => (a.value as number) - (b.value as number)) : own;
  });
}

function headerText(column: string, rows: TableRow[], unit: ColumnUnit | undefined): string {
  const param = sweptParam(rows);
  const per = param === 'Value' ? 'value' : param;
  const grows = rows.some((row) => !isArticleOnly(row) && row.work === 'grows');
  const names: Record<string, string> = {
    value: param,
    share: `Time ÷ ${per}`,
    publishedShare: `Published time ÷ ${per}`,
    // Each value adds a task: the speed-up counts the tasks done in the time of one.
    ...(grows ? {speedup: `Speed-up (tasks done in the time of one; the work grows with ${per})`} : {})
  };
  const name = names[column] ?? TABLE_COLUMNS[column]!;
  return unit === undefined ? name : `${name} (${unit.name})`;
}

/** Header of the `value` column: the swept parameter's name when every swept row shares it. */
function sweptParam(rows: TableRow[]): string {
  const names = new Set(rows.flatMap((row) => (row.param === undefined ? [] : [row.param])));
  return names.size === 1 ? [...names][0]! : 'Value';
}

function cellText(row: TableRow, column: string, unit: ColumnUnit | undefined): string {
  if (isArticleOnly(row) && MEASURED_COLUMNS.has(column)) return '';
  if (column === 'publishedMedian') return cellText(row, 'published', unit);
  if (PUBLISHED_COLUMNS.has(column)) return publishedCell(valueAt(row, column), column, unit);
  if (isArticleOnly(row)) {
    const value: unknown = (row as unknown as Record<string, unknown>)[column];
    return value === undefined ? '' : String(value);
  }
  const measure = (value: number) => formatMeasure(value, row, unit);
  switch (column) {
    case 'ci':
      return `${measure(row.ciLow)}–${measure(row.ciHigh)}`;
    case 'ratio':
      return row.published === undefined || row.published <= 0
        ? ''
        : `${formatRatio(row.median / row.published)} (${formatSignificant(row.ciLow / row.published)}–${formatSignificant(row.ciHigh / row.published)})`;
    case 'speedup':
    case 'ideal':
      return row[column] === undefined ? '' : formatRatio(row[column]);
    case 'efficiency':
      return row.efficiency === undefined ? '' : formatPercent(row.efficiency);
    case 'improvement':
      return row.improvement === undefined ? '' : formatChange(row.improvement);
    case 'n':
      return formatCount(row.n);
    case 'instructions':
      return row.instructions === undefined ? '' : formatCount(Math.round(row.instructions));
  }
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  if (value === undefined) return '';
  if (typeof value === 'number' && unit !== undefined) {
    return 'bytes' in unit ? (unit.scale === 1 ? formatCount(Math.round(value)) : formatSignificant(value / unit.scale)) : measure(value);
  }
  if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value) : formatSignificant(value);
  return String(value);
}

/** The article's figure in its column's unit, every digit it printed (`100.77`, `49.5377%`). */
function publishedCell(value: number | undefined, column: string, unit: ColumnUnit | undefined): string {
  if (value === undefined) return '';
  // Six digits: as many as the article's percentages have, and no more for those computed from its times.
  if (CHANGE_COLUMNS.has(column)) return `${formatPublished(value * 100, 6)}%`;
  if (unit === undefined || unit.name === 'instructions' || 'bytes' in unit) return formatPublished(value);
  return formatPublished(value / unit.scale);
}

/** A change from the previous row as a signed percentage with three significant digits: `+49.5%`, `-2.79%`. */
function formatChange(fraction: number): string {
  const percent = fraction * 100;
  return `${percent > 0 ? '+' : ''}${formatSignificant(percent)}%`;
}

/** A measure in its column's unit; an instruction count in a column of times says so. */
function formatMeasure(value: number, row: ResultRow, unit: ColumnUnit | undefined): string {
  if (row.unit === 'instructions') return unit?.name === 'instructions' ? formatCount(Math.round(value)) : `${formatCount(Math.round(value))} instr.`;
  if (unit === undefined || unit.name === 'instructions' || 'bytes' in unit) return formatTimeValue(value);
  return formatTimeValue(value, unit as TimeUnit);
}
