import type {BlockKind} from './types.js';

/** How an option's value is read. */
type OptionType = 'id' | 'string' | 'integer' | 'duration' | 'ids' | 'names' | 'identifier';

interface OptionSpec {
  kinds: BlockKind[];
  type: OptionType;
  /** Smallest allowed value for integers. */
  min?: number;
  /** One line for docs and messages. */
  description: string;
}

/** Every block option, the kinds that accept it and how it is read. Documented in docs/notebook-format.md. */
export const optionSpecs: Record<string, OptionSpec> = {
  id: {kinds: ['bench', 'run', 'code', 'plot', 'table'], type: 'id', description: 'name of the block, unique in the notebook'},
  label: {kinds: ['bench', 'run'], type: 'string', description: 'name shown in tables and charts'},
  repeat: {kinds: ['bench'], type: 'integer', min: 1, description: 'timed samples per process'},
  warmup: {kinds: ['bench'], type: 'integer', min: 0, description: 'untimed samples per process before timing'},
  processes: {kinds: ['bench'], type: 'integer', min: 1, description: 'fresh processes whose samples are pooled'},
  'min-sample': {kinds: ['bench'], type: 'duration', description: 'shortest sample: the loop count is calibrated to reach it'},
  fn: {kinds: ['bench'], type: 'identifier', description: 'name of the function to time'},
  timeout: {kinds: ['bench', 'run'], type: 'duration', description: 'time limit for the whole block, builds included'},
  sweep: {kinds: ['bench', 'run'], type: 'identifier', description: 'list parameter to run the block once per value of'},
  blocks: {kinds: ['plot', 'table'], type: 'ids', description: 'blocks whose results are used (default: all)'},
  columns: {kinds: ['table'], type: 'names', description: 'columns of the table'},
  caption: {kinds: ['plot', 'table'], type: 'string', description: 'caption under the chart or table'},
  alt: {kinds: ['plot'], type: 'string', description: 'text alternative of the chart'}
};

const idPattern = /^[A-Za-z][\w.-]*$/;
const identifierPattern = /^[A-Za-z_]\w*$/;

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
  const spec = optionSpecs[name];
  if (!spec) {
    const known = Object.keys(optionSpecs).filter((key) => optionSpecs[key]!.kinds.includes(kind));
    return {message: `unknown option \`${name}\` for a ${kind} block: expected one of ${known.join(', ')}`, rule: 'unknown-option'};
  }
  if (!spec.kinds.includes(kind)) {
    return {message: `option \`${name}\` does not apply to a ${kind} block (it applies to ${spec.kinds.join(', ')})`, rule: 'misplaced-option'};
  }
  if (raw === undefined || raw === '') {
    return {message: `option \`${name}\` needs a value, e.g. \`${name}=${example(spec.type)}\``, rule: 'invalid-option'};
  }
  switch (spec.type) {
    case 'string':
      return {value: raw};
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
      return /^\d+$/.test(raw) && value >= min
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected an integer >= ${min}`, rule: 'invalid-option'};
    }
    case 'duration': {
      const value = parseDuration(raw);
      return value !== undefined && value > 0
        ? {value}
        : {message: `invalid ${name}: \`${raw}\`: expected a duration such as 500ms, 2s or 1m`, rule: 'invalid-option'};
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

function example(type: OptionType): string {
  return {id: 'pi-go', string: '"Go 1.26"', integer: '5', duration: '2s', ids: 'pi-go,pi-python', names: 'label,median', identifier: 'workers'}[type];
}
