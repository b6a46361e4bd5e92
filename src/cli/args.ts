import {parseArgs} from 'node:util';
import {CliError} from './errors.js';

/** Every flag of `benchbook report`, documented once: `name` (type, default) — purpose. */
export const reportFlags = {
  profile: {type: 'string', default: 'quick', description: 'parameter profile declared in the notebooks\' front matter'},
  rerun: {type: 'boolean', default: false, description: 're-run blocks even when a stored result has the same hash'},
  filter: {type: 'string', default: '', description: 'comma-separated block ids: run only these, render the rest from stored results'},
  'from-data': {type: 'boolean', default: false, description: 'render from stored results only, running nothing'},
  measure: {type: 'string', default: 'time', description: 'what bench samples count: time, or instructions (under valgrind\'s callgrind: stable, not a time)'},
  strict: {type: 'boolean', default: false, description: 'treat warnings in notebooks as errors'},
  'allow-failures': {type: 'boolean', default: false, description: 'exit 0 even when a block failed'},
  data: {type: 'string', default: 'data', description: 'folder of stored results'},
  out: {type: 'string', default: 'output', description: 'folder the site is written to'},
  quiet: {type: 'boolean', default: false, description: 'print only problems and the summary line'},
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
  strict: boolean;
  allowFailures: boolean;
  data: string;
  out: string;
  quiet: boolean;
  debug: boolean;
  help: boolean;
  /** `--measure`: what bench samples count. */
  measure: 'time' | 'instructions';
}

/** Reads `report` arguments; an unknown flag is an error that suggests the closest known one. */
export function parseReportArgs(argv: string[]): ReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(reportFlags).map(([name, flag]) => [name, {type: flag.type, default: flag.default}])
      ) as Record<string, {type: 'string' | 'boolean'; default: string | boolean}>
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const suggestion = closest(unknown.replace(/^-+/, ''), Object.keys(reportFlags));
      throw new CliError(`unknown flag ${unknown}${suggestion ? `: did you mean --${suggestion}?` : ''} (see --help)`, {cause: error});
    }
    throw new CliError(`${message} (see --help)`, {cause: error});
  }
  const values = parsed.values as Record<string, string | boolean>;
  const filter = String(values.filter).trim();
  return {
    notebooks: parsed.positionals,
    profile: String(values.profile),
    rerun: Boolean(values.rerun),
    ...(filter ? {filter: filter.split(',').map((id) => id.trim()).filter(Boolean)} : {}),
    fromData: Boolean(values['from-data']),
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

function readMeasure(value: string): 'time' | 'instructions' {
  if (value === 'time' || value === 'instructions') return value;
  throw new CliError(`invalid --measure ${JSON.stringify(value)}: expected time or instructions (see --help)`);
}

/** Help text generated from the flag table, so the docs never drift from the code. */
export function reportHelp(): string {
  const lines = Object.entries(reportFlags).map(([name, flag]) => {
    const type = flag.type === 'boolean' ? '' : ` <${flag.type}>`;
    const fallback = flag.type === 'boolean' ? '' : ` (default: ${JSON.stringify(flag.default)})`;
    return `  --${name}${type}`.padEnd(26) + `${flag.description}${fallback}`;
  });
  return [
    'Usage: npm run report -- [notebook.md ...] [flags]',
    '',
    'Builds the report of the given notebooks (default: every notebooks/*.md) into output/.',
    '',
    ...lines
  ].join('\n');
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
