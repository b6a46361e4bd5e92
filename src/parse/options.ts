import type {BlockKind} from './types.js';

/** How an option's value is read. */
type OptionType = 'id' | 'string' | 'size-expression' | 'integer' | 'duration' | 'ids' | 'names' | 'identifier' | 'enum' | 'size' | 'factor';

interface OptionSpec {
  kinds: BlockKind[];
  type: OptionType;
  /** Smallest allowed value for integers. */
  min?: number;
  /** Allowed words for enums. */
  values?: string[];
  /** A value shown when the option is given none (default: one for its type). */
  example?: string;
  /** One line for docs and messages. */
  description: string;
}

/** Every block option, the kinds that accept it and how it is read. Documented in docs/notebook-format.md. */
export const optionSpecs: Record<string, OptionSpec> = {
  id: {kinds: ['bench', 'run', 'lib', 'code', 'plot', 'table', 'claim'], type: 'id', description: 'name of the block, unique in the notebook'},
  label: {kinds: ['bench', 'run'], type: 'string', description: 'name shown in tables and charts'},
  repeat: {kinds: ['bench'], type: 'integer', min: 1, description: 'steady samples per process at least'},
  warmup: {kinds: ['bench'], type: 'integer', min: 0, description: 'samples per process always counted as warm-up'},
  processes: {kinds: ['bench'], type: 'integer', min: 1, description: 'fresh processes, taken as written (default: chosen from a pilot within budget)'},
  budget: {kinds: ['bench'], type: 'duration', description: 'time the measurement may take when processes are chosen (default 5s)'},
  'min-sample': {kinds: ['bench'], type: 'duration', description: 'shortest sample: the loop count is calibrated to reach it'},
  fn: {kinds: ['bench'], type: 'identifier', description: 'name of the function to time'},
  // Which names are valid depends on the block's language: checked by parseNotebook.
  runtime: {kinds: ['bench', 'run'], type: 'id', example: 'pypy', description: "runtime of the block's language that runs it (default: the language's own)"},
  per: {kinds: ['bench'], type: 'identifier', description: 'numeric parameter the time per call is divided by: times become per iteration'},
  size: {kinds: ['bench', 'run'], type: 'size-expression', description: 'parameters a run\'s duration grows with, multiplied or divided (`tasks*task_iter`): timeouts and estimates scale with it (default: the `per=` parameter)'},
  work: {kinds: ['bench'], type: 'enum', values: ['fixed', 'grows'], description: 'a swept block: `fixed`, the same work shared by more workers; `grows`, each value adds a task of its own (default fixed)'},
  mode: {kinds: ['bench'], type: 'enum', values: ['inline', 'process'], description: 'inline: time calls of fn; process: time the whole program, runs like hyperfine'},
  measure: {kinds: ['bench'], type: 'enum', values: ['time', 'instructions'], description: 'instructions: also count instructions under callgrind, stored beside the time (default: time only)'},
  runs: {kinds: ['bench'], type: 'integer', min: 1, description: 'process mode: timed runs at least'},
  'min-time': {kinds: ['bench'], type: 'duration', description: 'process mode: keep running until the timed runs add up to this'},
  group: {kinds: ['bench'], type: 'id', description: 'process mode: blocks of one group are measured together, their runs interleaved'},
  timeout: {kinds: ['bench', 'run', 'lib'], type: 'duration', description: 'time limit for the whole block, builds included'},
  memory: {kinds: ['bench', 'run'], type: 'size', description: 'memory limit of the block\'s processes (default 4GiB or --memory-limit)'},
  sweep: {kinds: ['bench', 'run'], type: 'identifier', description: 'list parameter to run the block once per value of'},
  uses: {kinds: ['bench', 'run'], type: 'ids', description: 'lib blocks the block loads: built first, their paths given to it'},
  blocks: {kinds: ['plot', 'table'], type: 'ids', description: 'blocks whose results are used (default: all)'},
  columns: {kinds: ['table'], type: 'names', description: 'columns of the table'},
  sort: {kinds: ['table'], type: 'string', description: 'column the rows are sorted by, `-column` for descending (default: block order)'},
  published: {kinds: ['plot', 'table'], type: 'id', example: 'first-table', description: "which of the article's tables the published figures come from: a set written `key#set:` under `published:` (default: the figures without a set)"},
  caption: {kinds: ['plot', 'table'], type: 'string', description: 'caption under the chart or table'},
  alt: {kinds: ['plot'], type: 'string', description: 'text alternative of the chart'},
  tolerance: {kinds: ['claim'], type: 'factor', description: "how far ours may be from the article's figure and still agree: a factor either way, `2x`, or a percentage, `50%` (default 1.5x)"},
  'same-result': {
    kinds: ['claim'],
    type: 'enum',
    values: ['yes', 'no'],
    example: 'no',
    description: 'no: the blocks the claim compares are meant to compute different results, so what their functions return is not compared (default yes)'
  }
};

const idPattern = /^[A-Za-z][\w.-]*$/;
const identifierPattern = /^[A-Za-z_]\w*$/;
/** A `size=` value: parameter names or numbers joined by `*` or `/` (`tasks*task_iter`, `n/2`). */
const sizeExpressionPattern = /^(?:[A-Za-z_]\w*|\d+(?:\.\d+)?)(?:[*/](?:[A-Za-z_]\w*|\d+(?:\.\d+)?))*$/;

/** The longest duration a time limit may have: timers of Node fire at once beyond 2^31 - 1 ms. */
export const maxDurationMs = 2 ** 31 - 1;

/** Bounds of the `memory` option: below 16 MiB no runtime starts; above 1 TiB is surely a typo. */
export const minMemoryBytes = 16 * 2 ** 20;
export const maxMemoryBytes = 2 ** 40;

/**
 * Reads a size such as `512MB`, `4GiB`, `1.5G` into bytes, or undefined. `KB`, `MB`, `GB`, `TB` are
 * powers of 1000; `KiB`... and the bare `K`, `M`, `G`, `T` (as in `ulimit` and Docker) powers of 1024.
 */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|K|M|G|T)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2]!.toUpperCase();
  const power = 'BKMGT'.indexOf(unit[0]!);
  const base = unit === 'B' || unit.length === 1 || unit.endsWith('IB') ? 1024 : 1000;
  const bytes = Math.round(Number(match[1]) * base ** power);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/** Reads a duration such as `500ms`, `2s`, `1.5m` into milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m)$/.exec(text.trim());
  if (!match) return undefined;
  const factor = {us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3}[match[2] as 'us' | 'µs' | 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

/**
 * Reads one option's value for a kind of block.
 * Returns the value, or a message saying what was expected.
 */
export function readOption(
  kind: BlockKind,
  name: string,
  raw: string | undefined
): {value: string | number | string[]} | {message: string; rule: string} {
  // Own keys only: `constructor=1` must be an unknown option, not Object.prototype.constructor.
  const spec = Object.hasOwn(optionSpecs, name) ? optionSpecs[name] : undefined;
  if (!spec) {
    const known = Object.keys(optionSpecs).filter((key) => optionSpecs[key]!.kinds.includes(kind));
    return {message: `unknown option \`${name}\` for a ${kind} block: expected one of ${known.join(', ')}`, rule: 'unknown-option'};
  }
  if (!spec.kinds.includes(kind)) {
    return {message: `option \`${name}\` does not apply to a ${kind} block (it applies to ${spec.kinds.join(', ')})`, rule: 'misplaced-option'};
  }
  if (raw === undefined || raw === '') {
    return {message: `option \`${name}\` needs a value, e.g. \`${name}=${spec.example ?? example(spec.type)}\``, rule: 'invalid-option'};
  }
  switch (spec.type) {
    case 'string':
      return {value: raw};
    case 'size-expression':
      return sizeExpressionPattern.test(raw)
        ? {value: raw}
        : {message: `invalid ${name}: \`${raw}\`: expected parameter names or numbers joined by * or /, e.g. \`tasks*task_iter\``, rule: 'invalid-option'};
    case 'enum':
      return spec.values!.includes(raw)
        ? {value: raw}
        : {message: `invalid ${name}: \`${raw}\`: expected one of ${spec.values!.join(', ')}`, rule: 'invalid-option'};
    case 'id':
      return idPattern.test(raw)
        ? {value: raw}
        : {message: `invalid ${name}: \`${raw}\`: expected a letter then letters, digits, \`_\`, \`-\` or \`.\``, rule: 'invalid-option'};
    case 'identifier':
      return identifierPattern.test(raw)
        ? {value: raw}
        : {message: `invalid ${name}: \`${raw}\`: expected an identifier such as \`${example(spec.type)}\``, rule: 'invalid-option'};
    case 'integer': {
      const value = Number(raw);
      const min = spec.min ?? 0;
      return /^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected an integer >= ${min}`, rule: 'invalid-option'};
    }
    case 'duration': {
      const value = parseDuration(raw);
      if (value !== undefined && value > maxDurationMs) {
        return {message: `invalid ${name}: \`${raw}\`: longer than the longest time limit, 24 days`, rule: 'invalid-option'};
      }
      return value !== undefined && value > 0
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected a duration such as 500ms, 2s or 1m`, rule: 'invalid-option'};
    }
    case 'size': {
      const value = parseSize(raw);
      return value !== undefined && value >= minMemoryBytes && value <= maxMemoryBytes
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected a size from 16MiB to 1TiB such as 512MB or 4GiB`, rule: 'invalid-option'};
    }
    case 'factor': {
      const value = parseFactor(raw);
      return value !== undefined && value > 1 && Number.isFinite(value)
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected a factor above 1 such as 2x, or a percentage such as 50% (a factor of 1.5)`, rule: 'invalid-option'};
    }
    case 'ids':
    case 'names': {
      const values = raw.split(',').map((item) => item.trim());
      const pattern = spec.type === 'ids' ? idPattern : /^[A-Za-z][\w-]*$/;
      const bad = values.find((item) => !pattern.test(item));
      return bad === undefined
        ? {value: values}
        : {message: `invalid ${name}: \`${bad}\` in \`${raw}\`: expected a comma-separated list of names`, rule: 'invalid-option'};
    }
  }
}

/** Reads a factor written `2x`, `1.5×` or `50%` (1.5), or undefined. */
export function parseFactor(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(x|×|%)$/.exec(text.trim());
  if (!match) return undefined;
  return match[2] === '%' ? 1 + Number(match[1]) / 100 : Number(match[1]);
}

function example(type: OptionType): string {
  return {factor: '2x', id: 'pi-go', string: '"Go 1.26"', 'size-expression': 'tasks*task_iter', enum: 'process', size: '512MB', integer: '5', duration: '2s', ids: 'pi-go,pi-python', names: 'label,median', identifier: 'workers'}[type];
}

/** The parameter names of a `size=` value (`tasks*task_iter` gives `tasks`, `task_iter`). */
export function sizeNames(expression: string): string[] {
  return expression.split(/[*/]/).filter((token) => /^[A-Za-z_]/.test(token));
}

/**
 * A `size=` value computed from parameters: each name's number (a list or range: its largest value),
 * multiplied or divided as written; undefined when a name is not numeric or the result is not positive.
 */
export function evaluateSize(expression: string, value: (name: string) => number | undefined): number | undefined {
  let result = 1;
  let operator = '*';
  for (const token of expression.split(/([*/])/)) {
    if (token === '*' || token === '/') {
      operator = token;
      continue;
    }
    const number = /^[A-Za-z_]/.test(token) ? value(token) : Number(token);
    if (number === undefined || !Number.isFinite(number)) return undefined;
    result = operator === '*' ? result * number : result / number;
  }
  return Number.isFinite(result) && result > 0 ? result : undefined;
}
