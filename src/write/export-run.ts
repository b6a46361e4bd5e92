import {formatTime, formatCount} from '../render/format.js';
import {labelOf} from '../render/rows.js';
import type {BlockChange} from '../check/baseline.js';
import {formatChange} from '../render/baseline.js';
import {CSV_COLUMNS, serializeCsv, serializeJson, type ExportInput} from './exports.js';

/**
 * The results of one `report` run over several notebooks as one JSON document (`--export-json`):
 * each notebook's page export (`<name>.json`) in order, and the baseline changes when compared.
 */
export function serializeRunJson(inputs: ExportInput[], baseline?: {name: string; changes: BlockChange[]}): string {
  const document = {
    format: 1,
    generator: 'benchbook',
    notebooks: inputs.map((input) => JSON.parse(serializeJson(input)) as unknown),
    ...(baseline ? {baseline} : {})
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Every notebook's measured runs as one CSV (`--export-csv`): the page CSV's columns after a `notebook` column. */
export function serializeRunCsv(inputs: ExportInput[]): string {
  const lines = [['notebook', ...CSV_COLUMNS].join(',')];
  for (const input of inputs) {
    const rows = serializeCsv(input).split('\n').slice(1).filter((line) => line !== '');
    const name = /[",\r\n]/.test(input.notebook.name) ? `"${input.notebook.name.replace(/"/g, '""')}"` : input.notebook.name;
    lines.push(...rows.map((row) => `${name},${row}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The measured runs as a Markdown table (`--export-markdown`), as hyperfine's: one row per run with
 * its median, interval, range and sample count, and a `vs baseline` column when compared with one.
 */
export function serializeRunMarkdown(inputs: ExportInput[], baseline?: {name: string; changes: BlockChange[]}): string {
  const byKey = new Map((baseline?.changes ?? []).map((change) => [`${change.notebook}\u0000${change.key}`, change]));
  const header = ['Notebook', 'Block', 'Runtime', 'Median', '95% CI', 'Min', 'Max', 'n', ...(baseline ? [`vs ${baseline.name}`] : [])];
  const lines = [row(header), row(header.map((_, index) => (index >= 3 && index <= 7 ? '---:' : '---')))];
  for (const input of inputs) {
    for (const block of input.notebook.blocks) {
      for (const outcome of input.outcomes[block.id] ?? []) {
        const stored = outcome.stored;
        if (!stored || stored.kind !== 'bench' || stored.result.status !== 'ok' || !stored.stats) continue;
        const {stats} = stored;
        const format = (value: number): string => (stored.result.unit === 'instructions' ? formatCount(Math.round(value)) : formatTime(value));
        const where = stored.sweep === undefined ? '' : ` (${stored.sweep.name}=${String(stored.sweep.value)})`;
        const change = byKey.get(`${input.notebook.name}\u0000${stored.key}`);
        lines.push(
          row([
            input.notebook.name,
            `${labelOf(block)}${where}`,
            stored.runtime.version,
            format(stats.median),
            `${format(stats.ci[0])} – ${format(stats.ci[1])}`,
            format(stats.min),
            format(stats.max),
            formatCount(stats.n),
            ...(baseline ? [change ? describe(change) : ''] : [])
          ])
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function describe(change: BlockChange): string {
  if (change.verdict === 'faster' || change.verdict === 'slower') return `${formatChange(change.ratio!)} ${change.verdict}`;
  return change.verdict === 'no significant change' ? '~' : change.verdict;
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
