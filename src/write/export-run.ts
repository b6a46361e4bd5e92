import {formatCount, formatSignificant, formatTime, pickTimeUnit} from '../render/format.js';
import type {BlockChange} from '../check/baseline.js';
import {formatChange} from '../render/baseline.js';
import {commandOf, csvOf, hyperfineResults, measuredRuns, serializeJson, type ExportInput, type MeasuredRun} from './exports.js';

/** The baseline a run was compared with, and every change found. */
export interface RunBaseline {
  name: string;
  changes: BlockChange[];
}

/**
 * The results of one `report` run in hyperfine's `--export-json` schema (`--export-json`):
 * `{"results": [...]}`, one entry per measured result of every notebook built, times in seconds.
 * With several notebooks, each command starts with its notebook's name (`fast: Python`).
 */
export function serializeRunHyperfine(inputs: ExportInput[]): string {
  const results = inputs.flatMap((input) => hyperfineResults(input, inputs.length > 1 ? `${input.notebook.name}: ` : ''));
  return `${JSON.stringify({results}, null, 2)}\n`;
}

/**
 * The results of one `report` run in benchbook's own format (`--export-benchbook-json`): each
 * notebook's page export (`<name>.json`: statistics, raw samples in ns, runtime, machine) in order,
 * and the baseline changes when compared.
 */
export function serializeRunBenchbook(inputs: ExportInput[], baseline?: RunBaseline): string {
  const document = {
    format: 1,
    generator: 'benchbook',
    notebooks: inputs.map((input) => JSON.parse(serializeJson(input)) as unknown),
    ...(baseline ? {baseline} : {})
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Every notebook's measured runs as one CSV (`--export-csv`): the page CSV's columns, with a `notebook` column before `key`. */
export function serializeRunCsv(inputs: ExportInput[]): string {
  return csvOf(inputs.map((input) => ({prefix: [input.notebook.name], runs: measuredRuns(input)})), ['notebook']);
}

/**
 * The measured runs as Markdown (`--export-markdown`), one table per notebook as hyperfine's:
 * `Command`, `Mean [unit]` (± standard deviation), `Min`, `Max` and `Relative` (to the fastest
 * mean, ± its propagated deviation), then benchbook's `Median`, `95% CI`, `n`, `Runtime`, and
 * `vs NAME` when compared with a baseline. Times share one unit per table, chosen from the smallest
 * mean, unless they span more than a thousandfold: then every cell has its own. With several notebooks, each table is under a `###` heading naming it.
 */
export function serializeRunMarkdown(inputs: ExportInput[], baseline?: RunBaseline): string {
  const byKey = new Map((baseline?.changes ?? []).map((change) => [`${change.notebook}\u0000${change.key}`, change]));
  const sections: string[] = [];
  for (const input of inputs) {
    const runs = measuredRuns(input);
    // A notebook's runs count one thing; a stored result of another --measure gets a table of its own.
    for (const unit of ['ns', 'instructions'] as const) {
      const group = runs.filter((run) => (run.stored.result.unit ?? 'ns') === unit);
      if (group.length === 0) continue;
      const heading = inputs.length > 1 ? [`### ${input.notebook.name}${unit === 'instructions' ? ' (instructions)' : ''}`, ''] : [];
      const changeOf = (run: MeasuredRun): BlockChange | undefined => byKey.get(`${input.notebook.name}\u0000${run.stored.key}`);
      sections.push([...heading, ...markdownTable(group, unit, baseline ? {name: baseline.name, changeOf} : undefined)].join('\n'));
    }
  }
  return `${sections.join('\n\n')}\n`;
}

function markdownTable(runs: MeasuredRun[], unit: 'ns' | 'instructions', baseline?: {name: string; changeOf(run: MeasuredRun): BlockChange | undefined}): string[] {
  const means = runs.map((run) => run.stats.mean);
  // One unit in the headers, as hyperfine, unless the times span more than a thousandfold: then each
  // cell has its own (a 50 ns call beside a 40 ms run would be `0.00005` or `40000000`).
  const shared = unit === 'instructions' || Math.max(...means) < 1000 * Math.max(Math.min(...means), 1e-9);
  const timeUnit = unit === 'ns' && shared ? pickTimeUnit(Math.min(...means)) : undefined;
  const notation = !shared ? '' : ` [${timeUnit?.name ?? 'instructions'}]`;
  const value = (x: number): string => (unit === 'instructions' ? formatCount(Math.round(x)) : timeUnit ? formatSignificant(x / timeUnit.scale) : formatTime(x));
  const fastest = runs.reduce((best, run) => (run.stats.mean < best.stats.mean ? run : best));
  const header = ['Command', `Mean${notation}`, `Min${notation}`, `Max${notation}`, 'Relative', `Median${notation}`, `95% CI${notation}`, 'n', 'Runtime', ...(baseline ? [`vs ${baseline.name}`] : [])];
  const alignment = [':---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', ':---', ...(baseline ? [':---'] : [])];
  const lines = [row(header), `|${alignment.map((cell) => `${cell}|`).join('')}`];
  for (const run of runs) {
    const {stats} = run;
    const change = baseline?.changeOf(run);
    lines.push(
      row([
        `\`${commandOf(run).replace(/`/g, "'")}\``,
        `${value(stats.mean)}${stats.n > 1 ? ` ± ${value(stats.stddev)}` : ''}`,
        value(stats.min),
        value(stats.max),
        relative(run, fastest),
        value(stats.median),
        `${value(stats.ci[0])} – ${value(stats.ci[1])}`,
        formatCount(stats.n),
        run.stored.runtime.version,
        ...(baseline ? [change ? describe(change) : ''] : [])
      ])
    );
  }
  return lines;
}

/** hyperfine's relative speed: mean over the fastest mean, with the deviation of a ratio of independent means. */
function relative(run: MeasuredRun, fastest: MeasuredRun): string {
  if (run === fastest) return '1.00';
  const a = run.stats;
  const b = fastest.stats;
  if (b.mean === 0) return '∞';
  const ratio = a.mean / b.mean;
  const deviation = a.n > 1 && b.n > 1 && a.mean !== 0 ? ratio * Math.sqrt((a.stddev / a.mean) ** 2 + (b.stddev / b.mean) ** 2) : undefined;
  return `${ratio.toFixed(2)}${deviation === undefined ? '' : ` ± ${deviation.toFixed(2)}`}`;
}

function describe(change: BlockChange): string {
  if (change.verdict === 'faster' || change.verdict === 'slower') return `${formatChange(change.ratio!)} ${change.verdict}`;
  return change.verdict === 'no significant change' ? '~' : change.verdict;
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
