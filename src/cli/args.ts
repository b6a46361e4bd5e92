import {parseArgs} from 'node:util';
import {maxDurationMs, maxMemoryBytes, minMemoryBytes, parseDuration, parseSize} from '../parse/options.js';
import {parseShard, type Shard} from '../run/index.js';
import {checkBaselineName} from '../store/baseline.js';
import {closest} from '../system/closest.js';
import {CliError} from './errors.js';

/** Every flag of `benchbook report`, documented once: `name` (type, default) — purpose. */
export const reportFlags = {
  profile: {type: 'string', default: 'quick', description: 'parameter profile declared in the notebooks\' front matter'},
  rerun: {type: 'boolean', default: false, description: 're-run blocks even when a stored result has the same hash'},
  filter: {type: 'string', default: '', description: 'comma-separated block ids: run only these, render the rest from stored results'},
  'from-data': {type: 'boolean', default: false, description: 'render from stored results only, running nothing'},
  'dry-run': {type: 'boolean', default: false, description: 'print the plan of the profile (each run, its estimated time and time limit, per notebook and in total) and run nothing'},
  measure: {type: 'string', default: 'time', description: 'what bench samples count: time, or instructions (under valgrind\'s callgrind: stable, not a time)'},
  strict: {type: 'boolean', default: false, description: 'treat warnings in notebooks as errors, and exit 1 when a block was skipped (runtime missing)'},
  'allow-failures': {type: 'boolean', default: false, description: 'exit 0 even when a block failed'},
  'memory-limit': {type: 'string', arg: '<size>', default: '4GiB', description: 'memory limit of every block without memory= (its processes; a JS block\'s heap), e.g. 512MB'},
  'timeout-total': {type: 'string', arg: '<duration>', default: '', shown: 'none', description: 'stop running blocks after this long, e.g. 30m: the rest are skipped, results so far kept'},
  shard: {type: 'string', arg: '<K/N>', default: '', shown: 'none', description: 'run only part K of N of the planned runs (a group, a sweep, a claim\'s blocks stay together); write their results and a manifest, no pages'},
  data: {type: 'string', default: 'data', description: 'folder of stored results'},
  out: {type: 'string', default: 'output', description: 'folder the site is written to'},
  quiet: {type: 'boolean', default: false, description: 'print only problems and the summary line'},
  verbose: {type: 'boolean', default: false, description: 'also print each run\'s runtime and calibration (loops per sample, timer resolution)'},
  warmup: {type: 'string', arg: '<n>', default: '', shown: 'the notebook\'s', description: 'untimed samples (inline) or runs (process mode) before timing, as hyperfine\'s --warmup'},
  runs: {type: 'string', arg: '<n>', default: '', shown: 'the notebook\'s', description: 'process mode: exactly N timed runs (hyperfine\'s --runs); inline blocks: N samples per process (repeat)'},
  'min-time': {type: 'string', arg: '<duration>', default: '', shown: 'the notebook\'s', description: 'process mode: time the runs until they add up to this (min-time); inline: shortest sample (min-sample), e.g. 500ms'},
  baseline: {type: 'string', arg: '<name>', default: '', shown: 'none', description: 'compare every bench result with the baseline saved under this name'},
  'save-baseline': {type: 'string', arg: '<name>', default: '', shown: 'none', description: 'save this run\'s results as a baseline under this name (data/baselines/<name>/)'},
  noise: {type: 'string', arg: '<percent>', default: '5', description: 'with --baseline: changes within ± this percentage are "no significant change"'},
  'fail-on-regression': {type: 'string', arg: '<percent>', default: '', shown: 'off', description: 'with --baseline: exit 3 when a block got significantly slower by more than this percentage'},
  'export-json': {type: 'string', arg: '<file>', default: '', shown: 'none', description: 'also write this run\'s results in hyperfine\'s JSON format (seconds, every sample), as hyperfine --export-json'},
  'export-csv': {type: 'string', arg: '<file>', default: '', shown: 'none', description: 'also write this run\'s results as CSV, one row per measured run, hyperfine\'s columns first'},
  'export-markdown': {type: 'string', arg: '<file>', default: '', shown: 'none', description: 'also write this run\'s results as Markdown tables with hyperfine\'s columns'},
  'export-benchbook-json': {type: 'string', arg: '<file>', default: '', shown: 'none', description: 'also write this run\'s results in benchbook\'s own JSON: statistics, raw samples in ns, runtimes, machine, baseline changes'},
  debug: {type: 'boolean', default: false, description: 'print stack traces of internal errors'},
  help: {type: 'boolean', default: false, description: 'show this help'}
} as const;

/** Parsed `report` arguments. */
export interface ReportArgs {
  notebooks: string[];
  profile: string;
  rerun: boolean;
  filter?: string[];
  fromData: boolean;
  /** `--dry-run`: print the plan and its estimate, run nothing, write nothing. */
  dryRun: boolean;
  strict: boolean;
  allowFailures: boolean;
  data: string;
  out: string;
  quiet: boolean;
  debug: boolean;
  help: boolean;
  /** `--measure`: what bench samples count. */
  measure: 'time' | 'instructions';
  verbose: boolean;
  /** `--warmup`, `--runs`, `--min-time` (ms), when given. */
  warmup?: number;
  runs?: number;
  minTimeMs?: number;
  /** `--baseline NAME`, `--save-baseline NAME`. */
  baseline?: string;
  saveBaseline?: string;
  /** `--noise`, as a fraction (5% is 0.05). */
  noise: number;
  /** `--fail-on-regression`, in percent. */
  failOnRegression?: number;
  exportJson?: string;
  exportCsv?: string;
  exportMarkdown?: string;
  exportBenchbookJson?: string;
  /** `--memory-limit`, in bytes. */
  memoryLimitBytes: number;
  /** `--timeout-total`, in milliseconds, when given. */
  timeoutTotalMs?: number;
  /** `--shard K/N`, when given. */
  shard?: Shard;
}

/** Every flag of `benchbook preview`: the report's, and the port. */
export const previewFlags = {
  port: {type: 'string', arg: '<port>', default: '4321', description: 'port of the preview server on 127.0.0.1 (0 picks a free one)'},
  ...reportFlags
} as const;

/** Parsed `preview` arguments. */
export interface PreviewArgs extends ReportArgs {
  port: number;
}

/** Reads `report` arguments; an unknown flag is an error that suggests the closest known one. */
export function parseReportArgs(argv: string[]): ReportArgs {
  const parsed = readFlags(argv, reportFlags);
  return reportArgsOf(parsed.values, parsed.positionals);
}

/** Reads `preview` arguments: the report's, and `--port`. */
export function parsePreviewArgs(argv: string[]): PreviewArgs {
  const parsed = readFlags(argv, previewFlags);
  const port = Number(parsed.values.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`invalid --port ${JSON.stringify(parsed.values.port)}: expected a port number from 0 to 65535, e.g. --port 4321`);
  return {...reportArgsOf(parsed.values, parsed.positionals), port};
}

/** A flag table: type, default, one-line description, how the default reads in help (`shown`) and the value's name (`arg`). */
export type FlagTable = Record<string, {type: 'string' | 'boolean'; default: string | boolean; description: string; shown?: string; arg?: string}>;

/** Reads flags strictly: an unknown one is a CliError that suggests the closest known flag. */
export function readFlags(argv: string[], flags: FlagTable): {values: Record<string, string | boolean>; positionals: string[]} {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(flags).map(([name, flag]) => [name, {type: flag.type, default: flag.default}])
      ) as Record<string, {type: 'string' | 'boolean'; default: string | boolean}>
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const suggestion = closest(unknown.replace(/^-+/, ''), Object.keys(flags));
      throw new CliError(`unknown flag ${unknown}${suggestion ? `: did you mean --${suggestion}?` : ''} (see --help)`, {cause: error});
    }
    throw new CliError(`${message} (see --help)`, {cause: error});
  }
  return {values: parsed.values as Record<string, string | boolean>, positionals: parsed.positionals};
}

function reportArgsOf(values: Record<string, string | boolean>, positionals: string[]): ReportArgs {
  const filter = String(values.filter).trim();
  if (values.quiet && values.verbose) throw new CliError('--quiet and --verbose contradict each other: pass one of them');
  const text = (name: string): string | undefined => (String(values[name]).trim() === '' ? undefined : String(values[name]).trim());
  const baseline = text('baseline');
  const failOnRegression = readNumber(text('fail-on-regression'), 'fail-on-regression', 0, Infinity, 'a percentage such as 10');
  if (failOnRegression !== undefined && baseline === undefined) throw new CliError('--fail-on-regression needs --baseline NAME: the baseline to compare with');
  const optional = <T>(name: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : {[name]: value});
  const shard = readShard(text('shard'));
  if (shard && values['from-data']) throw new CliError('--shard and --from-data contradict each other: a shard measures its part; build the site from merged results with --from-data alone');
  return {
    ...optional('warmup', readInteger(text('warmup'), 'warmup', 0)),
    ...optional('runs', readInteger(text('runs'), 'runs', 1)),
    ...optional('minTimeMs', readDuration(text('min-time'), 'min-time')),
    ...optional('baseline', readBaselineName(baseline, 'baseline')),
    ...optional('saveBaseline', readBaselineName(text('save-baseline'), 'save-baseline')),
    ...optional('failOnRegression', failOnRegression),
    ...optional('exportJson', text('export-json')),
    ...optional('exportCsv', text('export-csv')),
    ...optional('exportMarkdown', text('export-markdown')),
    ...optional('exportBenchbookJson', text('export-benchbook-json')),
    noise: readNumber(text('noise'), 'noise', 0, 100, 'a percentage such as 5')! / 100,
    memoryLimitBytes: readSize(text('memory-limit') ?? '4GiB', 'memory-limit'),
    ...optional('timeoutTotalMs', readDuration(text('timeout-total'), 'timeout-total')),
    ...optional('shard', shard),
    verbose: Boolean(values.verbose),
    notebooks: positionals,
    profile: String(values.profile),
    rerun: Boolean(values.rerun),
    ...(filter ? {filter: filter.split(',').map((id) => id.trim()).filter(Boolean)} : {}),
    fromData: Boolean(values['from-data']),
    dryRun: Boolean(values['dry-run']),
    strict: Boolean(values.strict),
    allowFailures: Boolean(values['allow-failures']),
    data: String(values.data),
    out: String(values.out),
    quiet: Boolean(values.quiet),
    debug: Boolean(values.debug),
    measure: readMeasure(String(values.measure)),
    help: Boolean(values.help)
  };
}

function readInteger(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new CliError(`invalid --${flag} ${JSON.stringify(text)}: expected a whole number >= ${min}, e.g. --${flag} ${min + 2}`);
  return value;
}

function readNumber(text: string | undefined, flag: string, min: number, max: number, example: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/%$/, ''));
  if (!Number.isFinite(value) || value < min || value >= max) throw new CliError(`invalid --${flag} ${JSON.stringify(text)}: expected ${example}`);
  return value;
}

function readDuration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || !(ms > 0) || ms > maxDurationMs) throw new CliError(`invalid --${flag} ${JSON.stringify(text)}: expected a duration with its unit up to 24 days, e.g. 500ms, 2s or 30m`);
  return ms;
}

function readSize(text: string, flag: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined || bytes < minMemoryBytes || bytes > maxMemoryBytes) throw new CliError(`invalid --${flag} ${JSON.stringify(text)}: expected a size from 16MiB to 1TiB, e.g. 512MB or 4GiB`);
  return bytes;
}

function readBaselineName(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    return checkBaselineName(text, `--${flag}`);
  } catch (error) {
    throw new CliError((error as Error).message, {cause: error});
  }
}

function readShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (!shard) throw new CliError(`invalid --shard ${JSON.stringify(text)}: expected K/N with 1 <= K <= N, e.g. --shard 1/4`);
  return shard;
}

function readMeasure(value: string): 'time' | 'instructions' {
  if (value === 'time' || value === 'instructions') return value;
  throw new CliError(`invalid --measure ${JSON.stringify(value)}: expected time or instructions (see --help)`);
}

/** Help text generated from the flag table, so the docs never drift from the code. */
export function reportHelp(): string {
  return helpOf(reportFlags, [
    'Usage: npm run report -- [notebook.md ...] [flags]',
    '',
    'Builds the report of the given notebooks (default: every notebooks/*.md) into output/.',
    'Exit status: 0 ok, 1 a block failed or a notebook has errors, 2 a usage error, 3 a regression (--fail-on-regression), 130 interrupted.'
  ]);
}

/** Help of `preview`, generated from its flag table. */
export function previewHelp(): string {
  return helpOf(previewFlags, [
    'Usage: npm run preview -- [notebook.md ...] [flags]',
    '',
    'Builds once, serves output/ on http://127.0.0.1:<port>/ and rebuilds when notebooks/ or templates/ change;',
    'the open page reloads itself. Unchanged blocks are reused, so an edit of prose or a chart re-runs nothing.'
  ]);
}

/** A help text: `head`, then one line per flag with its default. */
export function helpOf(flags: FlagTable, head: string[]): string {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const type = flag.type === 'boolean' ? '' : ` ${flag.arg ?? `<${flag.type}>`}`;
    const fallback = flag.type === 'boolean' ? '' : ` (default: ${flag.shown ?? JSON.stringify(flag.default)})`;
    return [`  --${name}${type}`, `${flag.description}${fallback}`] as const;
  });
  const width = Math.max(26, ...rows.map(([left]) => left.length + 2));
  return [...head, '', ...rows.map(([left, right]) => left.padEnd(width) + right)].join('\n');
}
