import type {Block} from '../parse/types.js';
import {capOutput, fullOutputName} from '../render/output.js';
import {labelOf} from '../render/rows.js';
import {comparisonOf} from '../render/comparison.js';
// From syntax.js, not the parser's index: the exports are written on every build, a no-op one too, which must not load remark and yaml.
import {placeholderPattern} from '../parse/syntax.js';
import type {BlockOutcome, Download, PageInput} from '../render/types.js';
import type {Machine, Stats, StoredResult} from '../model/index.js';

/** One file written beside a page: its name in the output folder, what it is, and its text. */
export interface ExportFile extends Download {
  content: string;
}

/** What the exporters read: a page's notebook and outcomes, its claims, and the sizes and machine of the build when known. */
export type ExportInput = Pick<PageInput, 'notebook' | 'profile' | 'outcomes'> & Partial<Pick<PageInput, 'claims' | 'params' | 'machine'>>;

/**
 * One benchmark in hyperfine's `--export-json` schema (hyperfine's `BenchmarkResult`): times in
 * seconds, `times` holding every sample. Fields in hyperfine's order.
 */
export interface HyperfineResult {
  /** The block's label, with the swept value: `Python (n=100)`. */
  command: string;
  mean: number;
  /** Standard deviation (n - 1); `null` for a single sample, as hyperfine. */
  stddev: number | null;
  median: number;
  /** Mean user and system CPU time of one run (process mode); `null` for inline blocks, whose calls have no CPU accounting of their own. */
  user: number | null;
  system: number | null;
  min: number;
  max: number;
  /** Every timed sample: one run (process mode) or one call's time averaged over a sample's loop (inline). */
  times: number[];
  /** Peak resident set of each run, bytes (process mode only). */
  memory_usage_byte?: number[];
  /** One per sample: every sample kept is of a run that exited 0. */
  exit_codes: number[];
  /** The swept parameter, as hyperfine's `--parameter-scan` writes it (values as strings). */
  parameters?: Record<string, string>;
}

/** hyperfine's CSV columns (its `--export-csv`), in its order; times in seconds. */
export const HYPERFINE_CSV_COLUMNS: readonly string[] = ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max'];

/** benchbook's CSV columns after hyperfine's and the `parameter_<name>` ones. */
export const CSV_EXTRA_COLUMNS: readonly string[] = ['key', 'block', 'runtime', 'version', 'n', 'ci_low', 'ci_high', 'unit'];

/**
 * The files written beside a notebook's page: `<name>.json` (benchbook's own, everything),
 * `<name>.csv`, `<name>.hyperfine.json`, and the whole output of every run whose output the page
 * cuts (`<name>.<key>.stdout.txt`...). Pure: same input, same bytes.
 */
export function pageExports(input: ExportInput): ExportFile[] {
  const name = input.notebook.name;
  return [
    {href: `${name}.json`, label: 'every run with its statistics and raw samples, JSON', content: serializeJson(input)},
    {href: `${name}.csv`, label: 'one row per measured run, CSV (hyperfine\'s columns first, seconds)', content: serializeCsv(input)},
    {href: `${name}.hyperfine.json`, label: "every measured run in hyperfine's JSON format (seconds)", content: serializeHyperfine(input)},
    ...fullOutputs(input)
  ];
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
    ...(stored.result.memory === undefined ? {} : {memory: stored.result.memory}),
    ...(stored.result.returnValue === undefined ? {} : {returnValue: stored.result.returnValue})
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
    runs,
    claims: claimsOf(input)
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** One claim as the JSON export holds it (documented in docs/report.md), verdicts spelled as on the page. */
export interface ExportedClaim {
  id: string;
  kind: 'claim' | 'hypothesis';
  text: string;
  check: string;
  verdict: string;
  terms: Array<{expr: string; verdict: string; value: number | null; low: number | null; high: number | null; unit: string | null}>;
  published: {text: string; value: number; unit: string} | null;
  magnitude: {verdict: string; factor: number | null; low: number | null; high: number | null; tolerance: number} | null;
  /** Results the verdict rests on that are not current, when there are any. */
  stale?: Array<{key: string; date: string; machine: string; reason: string}>;
  /** What the reader should know beside the verdict (blocks that do not compute the same result), when there is any; code in `backquotes`. */
  warnings?: string[];
}

/** Every claim block of the notebook with its outcome, in block order. */
export function claimsOf(input: ExportInput): ExportedClaim[] {
  const claims: ExportedClaim[] = [];
  for (const block of input.notebook.blocks) {
    const result = input.claims?.[block.id];
    if (!block.claim || !result) continue;
    claims.push({
      id: block.id,
      kind: result.kind,
      text: result.text,
      check: result.check,
      verdict: result.verdict,
      terms: result.terms.map((term) => ({expr: term.expr, verdict: term.verdict, value: term.value ?? null, low: term.low ?? null, high: term.high ?? null, unit: term.unit ?? null})),
      published: result.published ? {text: result.published.text, value: result.published.value, unit: result.published.unit} : null,
      magnitude: result.magnitude
        ? {verdict: result.magnitude.verdict, factor: result.magnitude.factor ?? null, low: result.magnitude.low ?? null, high: result.magnitude.high ?? null, tolerance: result.magnitude.tolerance}
        : null,
      ...(result.stale?.length ? {stale: result.stale} : {}),
      ...(result.warnings?.length ? {warnings: result.warnings} : {})
    });
  }
  return claims;
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
 * The page's measured runs as CSV (RFC 4180, header first, `\n` line ends): hyperfine's columns
 * (`command, mean, stddev, median, user, system, min, max`, seconds), a `parameter_<name>` column per
 * swept parameter, then `key, block, runtime, version, n, ci_low, ci_high, unit`. A run counted in
 * instructions (`--measure instructions`) has its counts in the same columns, `unit` saying so.
 */
export function serializeCsv(input: ExportInput): string {
  return csvOf([{prefix: [], runs: measuredRuns(input)}], []);
}

/**
 * Rows of CSV for groups of measured runs, each row's cells led by its group's `prefix` cells
 * (`notebook` in a run over several notebooks), whose column names are `prefixColumns`.
 * @internal shared with the run-wide export
 */
export function csvOf(groups: Array<{prefix: string[]; runs: MeasuredRun[]}>, prefixColumns: string[]): string {
  const parameters = [...new Set(groups.flatMap((group) => group.runs.flatMap(({stored}) => (stored.sweep ? [stored.sweep.name] : []))))].sort();
  const lines = [[...HYPERFINE_CSV_COLUMNS, ...parameters.map((name) => `parameter_${name}`), ...prefixColumns, ...CSV_EXTRA_COLUMNS].map(csvCell).join(',')];
  for (const {prefix, runs} of groups) {
    for (const run of runs) {
      const {stored, stats} = run;
      const time = stored.result.unit !== 'instructions';
      const value = (x: number): number => (time ? seconds(x) : x);
      const cpu = time ? cpuSeconds(stored) : undefined;
      const cells: Array<string | number | undefined> = [
        commandOf(run),
        value(stats.mean),
        value(stats.stddev),
        value(stats.median),
        cpu?.user,
        cpu?.system,
        value(stats.min),
        value(stats.max),
        ...parameters.map((name) => (stored.sweep?.name === name ? String(stored.sweep.value) : undefined)),
        ...prefix,
        stored.key,
        run.block.id,
        stored.runtime.name,
        stored.runtime.version,
        stats.n,
        value(stats.ci[0]),
        value(stats.ci[1]),
        time ? 's' : 'instructions'
      ];
      lines.push(cells.map(csvCell).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Every measured run of the page in hyperfine's `--export-json` schema, `{"results": [...]}`, so
 * hyperfine's own scripts (`plot_whisker.py`, `advanced_statistics.py`, `plot_parametrized.py`...)
 * read it: inline blocks too, one entry per result (each swept value is one), times in seconds.
 */
export function serializeHyperfine(input: ExportInput): string {
  return `${JSON.stringify({results: hyperfineResults(input)}, null, 2)}\n`;
}

/**
 * The page's measured runs as hyperfine results (see {@link HyperfineResult}). Runs counted in
 * instructions are left out: hyperfine's format holds times.
 *
 * @param prefix put before every command (`notebook: `), to tell notebooks apart in one file
 */
export function hyperfineResults(input: ExportInput, prefix = ''): HyperfineResult[] {
  return measuredRuns(input).flatMap((run): HyperfineResult[] => {
    const {stored, stats} = run;
    if (stored.result.unit === 'instructions') return [];
    const times = (stored.result.samples ?? []).map(seconds);
    const cpu = cpuSeconds(stored);
    const rss = stored.result.process?.maxRssKiB;
    return [
      {
        command: `${prefix}${commandOf(run)}`,
        mean: seconds(stats.mean),
        stddev: stats.n > 1 ? seconds(stats.stddev) : null,
        median: seconds(stats.median),
        user: cpu?.user ?? null,
        system: cpu?.system ?? null,
        min: seconds(stats.min),
        max: seconds(stats.max),
        times,
        ...(Array.isArray(rss) && rss.length === times.length ? {memory_usage_byte: rss.map((kib) => kib * 1024)} : {}),
        // A sample is kept only from a process (or run) that exited 0.
        exit_codes: times.map(() => 0),
        ...(stored.sweep === undefined ? {} : {parameters: {[stored.sweep.name]: String(stored.sweep.value)}})
      }
    ];
  });
}

/** A bench run that succeeded, with its statistics. */
export interface MeasuredRun {
  block: Block;
  stored: StoredResult;
  stats: Stats;
}

/** The page's successful bench runs with statistics, in block order, then plan order. */
export function measuredRuns(input: ExportInput): MeasuredRun[] {
  return storedRuns(input).flatMap(({block, stored}) =>
    stored.kind === 'bench' && stored.result.status === 'ok' && stored.stats !== undefined ? [{block, stored, stats: stored.stats}] : []
  );
}

/** What a run is called in hyperfine's formats: the block's label, and the swept value (`Python (n=100)`). */
export function commandOf({block, stored}: Pick<MeasuredRun, 'block' | 'stored'>): string {
  return stored.sweep === undefined ? labelOf(block) : `${labelOf(block)} (${stored.sweep.name}=${String(stored.sweep.value)})`;
}

/** Every stored run of the page in block order, then plan order. */
function storedRuns(input: ExportInput): Array<{block: Block; stored: StoredResult}> {
  return input.notebook.blocks.flatMap((block) =>
    (input.outcomes[block.id] ?? []).flatMap((outcome: BlockOutcome) => (outcome.stored === undefined ? [] : [{block, stored: outcome.stored}]))
  );
}

/** Mean user and system time of one run, seconds: process mode records them (wait4), inline blocks do not. */
function cpuSeconds(stored: StoredResult): {user: number; system: number} | undefined {
  const process = stored.result.process;
  if (!process || !Array.isArray(process.userNs) || !Array.isArray(process.sysNs) || process.userNs.length === 0) return undefined;
  return {user: seconds(mean(process.userNs)), system: seconds(mean(process.sysNs))};
}

function publicMachine(machine: Machine): Omit<Machine, 'hostname'> {
  const {hostname: _hostname, ...rest} = machine;
  return rest;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function seconds(ns: number): number {
  return ns / 1e9;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
