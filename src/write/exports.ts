import type {Block} from '../parse/types.js';
import {capOutput, fullOutputName} from '../render/output.js';
import {labelOf} from '../render/rows.js';
import {comparisonOf} from '../render/comparison.js';
import {placeholderPattern} from '../parse/index.js';
import type {BlockOutcome, Download, PageInput} from '../render/types.js';
import type {Machine, StoredResult} from '../model/index.js';

/** One file written beside a page: its name in the output folder, what it is, and its text. */
export interface ExportFile extends Download {
  content: string;
}

/** What the exporters read: a page's notebook and outcomes, and the sizes and machine of the build when known. */
export type ExportInput = Pick<PageInput, 'notebook' | 'profile' | 'outcomes'> & Partial<Pick<PageInput, 'params' | 'machine'>>;

/** Columns of `<name>.csv`, in order. */
export const CSV_COLUMNS: readonly string[] = [
  'key', 'block', 'label', 'runtime', 'version', 'param', 'value',
  'n', 'min', 'median', 'mean', 'max', 'stddev', 'ci_low', 'ci_high', 'unit'
];

/**
 * The files written beside a notebook's page: `<name>.json` and `<name>.csv` always,
 * `<name>.hyperfine.json` when some block was measured in process mode, and the whole output of
 * every run whose output the page cuts (`<name>.<key>.stdout.txt`...). Pure: same input, same bytes.
 */
export function pageExports(input: ExportInput): ExportFile[] {
  const name = input.notebook.name;
  const files: ExportFile[] = [
    {href: `${name}.json`, label: 'every run with its statistics and raw samples, JSON', content: serializeJson(input)},
    {href: `${name}.csv`, label: 'one row per measured run, CSV', content: serializeCsv(input)}
  ];
  const hyperfine = serializeHyperfine(input);
  if (hyperfine !== undefined) files.push({href: `${name}.hyperfine.json`, label: "process-mode runs in hyperfine's JSON format", content: hyperfine});
  files.push(...fullOutputs(input));
  return files;
}

/**
 * The whole stdout and stderr of each run whose output is too long for its page (see
 * `capOutput`), under the names the page links to. A failed re-run shown beside an older result is
 * `<key>.latest`.
 */
export function fullOutputs(input: ExportInput): ExportFile[] {
  const name = input.notebook.name;
  const files: ExportFile[] = [];
  for (const block of input.notebook.blocks) {
    for (const outcome of input.outcomes[block.id] ?? []) {
      const results = [
        ...(outcome.stored === undefined ? [] : [{stored: outcome.stored, key: outcome.stored.key}]),
        ...(outcome.failure === undefined ? [] : [{stored: outcome.failure, key: outcome.stored === undefined ? outcome.failure.key : `${outcome.failure.key}.latest`}])
      ];
      for (const {stored, key} of results) {
        for (const stream of ['stdout', 'stderr'] as const) {
          const text = stored.result[stream];
          if (capOutput(text).cut === undefined) continue;
          files.push({href: fullOutputName(name, key, stream), label: `the whole ${stream} of ${labelOf(block)}${stored.sweep === undefined ? '' : ` (${stored.sweep.name}=${String(stored.sweep.value)})`}`, content: text});
        }
      }
    }
  }
  return files;
}

/**
 * The page's results as JSON: one object per stored run (failed ones too, with their reason) with its
 * statistics, raw samples (ns per call), runtime and machine. Executable paths and the host name are
 * left out: they say nothing about the figures and may be private.
 */
export function serializeJson(input: ExportInput): string {
  const runs = storedRuns(input).map(({block, stored}) => ({
    key: stored.key,
    block: block.id,
    label: labelOf(block),
    kind: stored.kind,
    status: stored.result.status,
    ...(stored.result.reason === undefined ? {} : {reason: stored.result.reason}),
    ...(stored.sweep === undefined ? {} : {sweep: stored.sweep}),
    ...(stored.per === undefined ? {} : {per: stored.per}),
    ...paramsOfRun(block, stored, input.params),
    profile: stored.profile,
    date: stored.date,
    runtime: {
      name: stored.runtime.name,
      version: stored.runtime.version,
      ...(stored.runtime.flags === undefined ? {} : {flags: stored.runtime.flags})
    },
    machine: publicMachine(stored.machine),
    unit: stored.result.unit ?? 'ns',
    ...(stored.stats === undefined ? {} : {stats: stored.stats}),
    ...(stored.result.samples === undefined ? {} : {samples: stored.result.samples}),
    ...(stored.result.loops === undefined ? {} : {loops: stored.result.loops}),
    ...(stored.result.timerResolutionNs === undefined ? {} : {timerResolutionNs: stored.result.timerResolutionNs}),
    ...(stored.result.process === undefined ? {} : {process: stored.result.process}),
    ...(stored.result.memory === undefined ? {} : {memory: stored.result.memory})
  }));
  const document = {
    format: 1,
    generator: 'benchbook',
    notebook: input.notebook.name,
    title: input.notebook.title,
    ...(input.notebook.article === undefined ? {} : {article: input.notebook.article}),
    profile: input.profile,
    ...(input.params === undefined ? {} : {params: input.params}),
    comparison: publicComparison(input),
    runs
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The "this run and the article" panel's content, as the page shows it. */
function publicComparison(input: ExportInput) {
  const {machine, ...rest} = input;
  return comparisonOf({...rest, ...(machine === undefined ? {} : {machine})});
}

/** The values a run's code was given (its placeholders, and the swept value), when the build's sizes are known. */
function paramsOfRun(block: Block, stored: StoredResult, params: ExportInput['params']): {params?: Record<string, unknown>} {
  if (params === undefined) return {};
  const names = [...new Set([...block.code.matchAll(placeholderPattern)].map((match) => match[1]!))].filter((name) => Object.hasOwn(params, name));
  const values: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, params[name]]));
  if (stored.sweep !== undefined) values[stored.sweep.name] = stored.sweep.value;
  return Object.keys(values).length === 0 ? {} : {params: values};
}

/**
 * The page's measured runs as CSV (RFC 4180, header first, `\n` line ends): one row per bench run
 * with statistics, times in the unit of the `unit` column (`ns` per call, or `instructions`).
 */
export function serializeCsv(input: ExportInput): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const {block, stored} of storedRuns(input)) {
    const {stats} = stored;
    if (stored.kind !== 'bench' || stored.result.status !== 'ok' || stats === undefined) continue;
    const cells: Array<string | number | boolean | undefined> = [
      stored.key,
      block.id,
      labelOf(block),
      stored.runtime.name,
      stored.runtime.version,
      stored.sweep?.name,
      stored.sweep?.value,
      stats.n,
      stats.min,
      stats.median,
      stats.mean,
      stats.max,
      stats.stddev,
      stats.ci[0],
      stats.ci[1],
      stored.result.unit ?? 'ns'
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Process-mode timings the execute stage records (`result.process`), all in ns, one entry per timed run. */
interface ProcessTimings {
  wallNs: number[];
  userNs: number[];
  sysNs: number[];
}

/**
 * Process-mode runs in hyperfine's `--export-json` schema (times in seconds), so hyperfine's own
 * scripts (plot_histogram.py, advanced_statistics.py...) read them; `undefined` when no run of the
 * page was measured in process mode.
 */
export function serializeHyperfine(input: ExportInput): string | undefined {
  const results = storedRuns(input).flatMap(({block, stored}) => {
    const process = processTimings(stored);
    if (process === undefined || stored.result.status !== 'ok' || process.wallNs.length === 0) return [];
    const times = process.wallNs.map(seconds);
    const sorted = [...times].sort((a, b) => a - b);
    const where = stored.sweep === undefined ? '' : ` (${stored.sweep.name}=${String(stored.sweep.value)})`;
    return [
      {
        command: `${labelOf(block)}${where}`,
        mean: mean(times),
        stddev: times.length > 1 ? sampleStddev(times) : null,
        median: median(sorted),
        user: mean(process.userNs.map(seconds)),
        system: mean(process.sysNs.map(seconds)),
        min: sorted[0]!,
        max: sorted.at(-1)!,
        times,
        // Process mode keeps a run only when its program exited 0.
        exit_codes: times.map(() => stored.result.exitCode ?? 0),
        parameters: stored.sweep === undefined ? undefined : {[stored.sweep.name]: String(stored.sweep.value)}
      }
    ];
  });
  if (results.length === 0) return undefined;
  return `${JSON.stringify({results}, null, 2)}\n`;
}

/** Every stored run of the page in block order, then plan order. */
function storedRuns(input: ExportInput): Array<{block: Block; stored: StoredResult}> {
  return input.notebook.blocks.flatMap((block) =>
    (input.outcomes[block.id] ?? []).flatMap((outcome: BlockOutcome) => (outcome.stored === undefined ? [] : [{block, stored: outcome.stored}]))
  );
}

function processTimings(stored: StoredResult): ProcessTimings | undefined {
  const process = (stored.result as {process?: Partial<ProcessTimings>}).process;
  if (process === undefined) return undefined;
  const {wallNs, userNs, sysNs} = process;
  if (!Array.isArray(wallNs) || !Array.isArray(userNs) || !Array.isArray(sysNs)) return undefined;
  return {wallNs, userNs, sysNs};
}

function publicMachine(machine: Machine): Omit<Machine, 'hostname'> {
  const {hostname: _hostname, ...rest} = machine;
  return rest;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function seconds(ns: number): number {
  return ns / 1e9;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(sorted: number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Standard deviation with n - 1, as hyperfine computes it. */
function sampleStddev(values: number[]): number {
  const average = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1));
}

