import type {Block} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatDay, formatPercent, formatRatio, formatSignificant, formatTimeValue, pickTimeUnit, type TimeUnit} from './format.js';
import {listOption} from './rows.js';
import type {ResultRow} from './types.js';

/** Columns of a `table` block when its `columns` option is unset (see {@link tableColumns} for additions). */
export const DEFAULT_TABLE_COLUMNS: readonly string[] = ['label', 'runtime', 'n', 'min', 'median', 'max'];

/** Columns holding a time in nanoseconds, shown in the table's one unit. */
const TIME_COLUMNS = new Set(['min', 'median', 'mean', 'max', 'stddev', 'mad', 'ciLow', 'ciHigh', 'ci', 'published']);

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
  ratio: 'Measured ÷ published',
  peak: 'Peak memory per call',
  rss: 'Peak RSS',
  publishedPeak: 'Published peak memory',
  speedup: 'Speed-up',
  ideal: 'Ideal speed-up',
  efficiency: 'Efficiency'
};

/** Columns holding bytes, shown in the table's one size unit. */
const MEMORY_COLUMNS = new Set(['peak', 'rss', 'publishedPeak']);

const NUMERIC_COLUMNS = new Set([...TIME_COLUMNS, ...MEMORY_COLUMNS, 'n', 'ratio', 'speedup', 'ideal', 'efficiency']);

/** Units of memory columns, smallest first (binary, as the kernel and tracemalloc count). */
const BYTE_UNITS: ReadonlyArray<{name: string; scale: number}> = [
  {name: 'B', scale: 1},
  {name: 'KiB', scale: 1024},
  {name: 'MiB', scale: 1024 ** 2},
  {name: 'GiB', scale: 1024 ** 3}
];

/** A table's unit: a time unit, or instruction counts when every row counts instructions. */
type TableUnit = TimeUnit | {name: 'instructions'; scale: 1};

/**
 * Renders a `table` block as an HTML `<table>` in a box that scrolls sideways on its own on narrow
 * screens. Options: `blocks` (ids, default all rows), `columns` (default {@link tableColumns}),
 * `sort` (a column, `-column` for descending; default: block order), `caption`. Times use one unit per
 * table, chosen from the smallest median and stated in the headers. An unknown column or sort key
 * gives a notice under the table rather than an empty column.
 */
export function renderTable(block: Block, rows: ResultRow[]): string {
  const blockIds = listOption(block, 'blocks');
  const selected = blockIds === undefined ? rows : rows.filter((row) => blockIds.includes(row.block));
  const requested = tableColumns(block, selected);
  const columns = requested.filter((column) => Object.hasOwn(TABLE_COLUMNS, column));
  const unknown = requested.filter((column) => !Object.hasOwn(TABLE_COLUMNS, column));
  const sort = sortOption(block);
  const shown = sort === undefined || !Object.hasOwn(TABLE_COLUMNS, sort.column) ? selected : sortRows(selected, sort.column, sort.descending);
  const unit = tableUnit(shown);
  const bytes = byteUnit(shown, columns);
  const caption = block.options['caption'];
  // A region's name must be unique on the page: the block id makes it so, the caption says what it is.
  const label = caption === undefined ? `Table ${block.id}` : `Table ${block.id}: ${String(caption)}`;
  const lines = [`<section class="table-scroll" aria-label="${escapeHtml(label)}" tabindex="0">`, '<table>'];
  if (caption !== undefined) lines.push(`<caption>${escapeHtml(String(caption))}</caption>`);
  const headers = columns.map((column) => {
    const sorted = sort?.column === column ? ` aria-sort="${sort.descending ? 'descending' : 'ascending'}"` : '';
    const numeric = NUMERIC_COLUMNS.has(column) ? ' class="num"' : '';
    const header = MEMORY_COLUMNS.has(column) ? `${TABLE_COLUMNS[column]!} (${bytes.name})` : headerText(column, shown, unit);
    return `<th scope="col"${numeric}${sorted}>${escapeHtml(header)}</th>`;
  });
  lines.push(`<thead><tr>${headers.join('')}</tr></thead>`, '<tbody>');
  for (const row of shown) {
    const cells = columns.map((column) => {
      const stale = column === 'label' && row.stale !== undefined ? ` (stale: measured ${formatDay(row.stale.date)})` : '';
      const text = escapeHtml((MEMORY_COLUMNS.has(column) ? bytesText(row, column, bytes) : cellText(row, column, unit)) + stale);
      return NUMERIC_COLUMNS.has(column) ? `<td class="num">${text}</td>` : `<td>${text}</td>`;
    });
    lines.push(`<tr>${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>', '</section>');
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

/**
 * The `columns` option, else {@link DEFAULT_TABLE_COLUMNS} plus: the swept value after the label and
 * `speedup` (and `efficiency`) after the max when rows are swept; `published` and `ratio` when some row
 * has a published figure.
 */
export function tableColumns(block: Block, rows: ResultRow[]): string[] {
  const columns = listOption(block, 'columns');
  if (columns !== undefined) return columns;
  const swept = rows.some((row) => row.param !== undefined);
  const result = DEFAULT_TABLE_COLUMNS.flatMap((column) => (column === 'label' && swept ? ['label', 'value'] : [column]));
  if (rows.some((row) => row.speedup !== undefined)) result.push('speedup');
  if (rows.some((row) => row.efficiency !== undefined)) result.push('efficiency');
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
function sortRows(rows: ResultRow[], column: string, descending: boolean): ResultRow[] {
  const keyed = rows.map((row) => ({row, key: sortKey(row, column)}));
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return a.key === undefined ? (b.key === undefined ? 0 : 1) : -1;
    const order =
      typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : String(a.key).localeCompare(String(b.key), 'en', {numeric: true});
    return descending ? -order : order;
  });
  return keyed.map(({row}) => row);
}

function sortKey(row: ResultRow, column: string): number | string | undefined {
  if (column === 'ci') return row.ciLow;
  if (column === 'ratio') return row.published === undefined ? undefined : row.median / row.published;
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  return typeof value === 'number' || typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : undefined;
}

/** The size unit of the table's memory columns: the largest in which the smallest value is at least 1. */
function byteUnit(rows: ResultRow[], columns: string[]): {name: string; scale: number} {
  const values = rows.flatMap((row) =>
    columns.filter((column) => MEMORY_COLUMNS.has(column)).flatMap((column) => {
      const value: unknown = (row as unknown as Record<string, unknown>)[column];
      return typeof value === 'number' && value > 0 ? [value] : [];
    })
  );
  const smallest = Math.min(...values);
  let unit = BYTE_UNITS[0]!;
  for (const candidate of BYTE_UNITS) if (smallest >= candidate.scale) unit = candidate;
  return unit;
}

function bytesText(row: ResultRow, column: string, unit: {name: string; scale: number}): string {
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  if (typeof value !== 'number') return '';
  return unit.scale === 1 ? formatCount(Math.round(value)) : formatSignificant(value / unit.scale);
}

/** Instruction counts when every row counts instructions, else the time unit of the smallest median. */
function tableUnit(rows: ResultRow[]): TableUnit {
  if (rows.length > 0 && rows.every((row) => row.unit === 'instructions')) return {name: 'instructions', scale: 1};
  const times = rows.filter((row) => row.unit !== 'instructions');
  return pickTimeUnit(Math.min(...times.map((row) => row.median)));
}

function headerText(column: string, rows: ResultRow[], unit: TableUnit): string {
  const name = column === 'value' ? sweptParam(rows) : TABLE_COLUMNS[column]!;
  return TIME_COLUMNS.has(column) ? `${name} (${unit.name})` : name;
}

/** Header of the `value` column: the swept parameter's name when every swept row shares it. */
function sweptParam(rows: ResultRow[]): string {
  const names = new Set(rows.flatMap((row) => (row.param === undefined ? [] : [row.param])));
  return names.size === 1 ? [...names][0]! : 'Value';
}

function cellText(row: ResultRow, column: string, unit: TableUnit): string {
  const time = (ns: number) => formatMeasure(ns, row, unit);
  switch (column) {
    case 'ci':
      return `[${time(row.ciLow)}, ${time(row.ciHigh)}]`;
    case 'ratio':
      return row.published === undefined || row.published <= 0
        ? ''
        : `${formatRatio(row.median / row.published)} [${formatSignificant(row.ciLow / row.published)}, ${formatSignificant(row.ciHigh / row.published)}]`;
    case 'speedup':
    case 'ideal':
      return row[column] === undefined ? '' : formatRatio(row[column]);
    case 'efficiency':
      return row.efficiency === undefined ? '' : formatPercent(row.efficiency);
    case 'n':
      return formatCount(row.n);
  }
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  if (value === undefined) return '';
  if (TIME_COLUMNS.has(column) && typeof value === 'number') return time(value);
  return String(value);
}

/** A measure in the table's unit; an instruction count in a table of times says so. */
function formatMeasure(value: number, row: ResultRow, unit: TableUnit): string {
  if (row.unit === 'instructions') return unit.name === 'instructions' ? formatCount(Math.round(value)) : `${formatCount(Math.round(value))} instr.`;
  return unit.name === 'instructions' ? formatTimeValue(value) : formatTimeValue(value, unit);
}
