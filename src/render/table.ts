import type {Block} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatTimeValue, pickTimeUnit, type TimeUnit} from './format.js';
import {listOption} from './rows.js';
import type {ResultRow} from './types.js';

/** Columns of a `table` block when its `columns` option is unset. */
export const DEFAULT_TABLE_COLUMNS: readonly string[] = ['label', 'runtime', 'n', 'min', 'median', 'max'];

/** Columns holding a time in nanoseconds, shown in the table's one unit. */
const TIME_COLUMNS = new Set(['min', 'median', 'mean', 'max', 'stddev', 'mad', 'ciLow', 'ciHigh', 'ci']);

/**
 * Renders a `table` block as an HTML `<table>`. Options: `blocks` (ids, default all rows), `columns`
 * (default {@link DEFAULT_TABLE_COLUMNS}), `caption`. Times use one unit per table, chosen from the
 * smallest median and stated in the header.
 */
export function renderTable(block: Block, rows: ResultRow[]): string {
  const blockIds = listOption(block, 'blocks');
  const shown = blockIds === undefined ? rows : rows.filter((row) => blockIds.includes(row.block));
  const columns = tableColumns(block, shown);
  const unit = pickTimeUnit(Math.min(...shown.map((row) => row.median)));
  const caption = block.options['caption'];
  const lines = ['<table>'];
  if (caption !== undefined) lines.push(`<caption>${escapeHtml(String(caption))}</caption>`);
  const headers = columns.map((column) => {
    const name = column === 'value' ? sweptParam(shown) : column;
    const title = TIME_COLUMNS.has(column) ? `${name} (${unit.name})` : name;
    return `<th scope="col"${isNumeric(column) ? ' class="num"' : ''}>${escapeHtml(title)}</th>`;
  });
  lines.push(`<thead><tr>${headers.join('')}</tr></thead>`, '<tbody>');
  for (const row of shown) {
    const cells = columns.map((column) => {
      const text = escapeHtml(cellText(row, column, unit));
      return isNumeric(column) ? `<td class="num">${text}</td>` : `<td>${text}</td>`;
    });
    lines.push(`<tr>${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>');
  return lines.join('\n');
}

/** The `columns` option, else the defaults with the swept value after the label when rows are swept. */
function tableColumns(block: Block, rows: ResultRow[]): string[] {
  const columns = listOption(block, 'columns');
  if (columns !== undefined) return columns;
  if (!rows.some((row) => row.param !== undefined)) return [...DEFAULT_TABLE_COLUMNS];
  return DEFAULT_TABLE_COLUMNS.flatMap((column) => (column === 'label' ? ['label', 'value'] : [column]));
}

/** Header of the `value` column: the swept parameter's name when every swept row shares it. */
function sweptParam(rows: ResultRow[]): string {
  const names = new Set(rows.flatMap((row) => (row.param === undefined ? [] : [row.param])));
  return names.size === 1 ? [...names][0]! : 'value';
}

function isNumeric(column: string): boolean {
  return column === 'n' || TIME_COLUMNS.has(column);
}

function cellText(row: ResultRow, column: string, unit: TimeUnit): string {
  if (column === 'ci') return `[${formatTimeValue(row.ciLow, unit)}, ${formatTimeValue(row.ciHigh, unit)}]`;
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  if (value === undefined) return '';
  if (TIME_COLUMNS.has(column) && typeof value === 'number') return formatTimeValue(value, unit);
  return String(value);
}
