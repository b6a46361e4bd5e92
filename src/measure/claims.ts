import type {ClaimNode, ClaimUnit} from '../parse/claim-expression.js';
import {compareSamples} from './compare.js';
import type {Stats} from '../model/index.js';

/** What a claim may use of one result. */
export interface ClaimInput {
  /** `ok` results only are evidence; anything else makes the claim `not measured`. */
  status: string;
  samples?: number[];
  stats?: Stats;
  /** How many of `samples` each process took: the ratio's interval is then over processes. */
  groups?: number[];
  /** Peak memory of one call (tracemalloc), bytes. */
  peakBytes?: number;
  /** Peak resident set size, bytes. */
  maxRssBytes?: number;
  /** Runtime start-up cost, ns. */
  startupNs?: number;
}

/** The four answers a claim can get. A claim whose evidence is missing or failed never holds. */
export type ClaimVerdict = 'holds' | 'does not hold' | 'inconclusive' | 'not measured';

/** A measured value with its 95% interval. */
export interface ClaimFigure {
  value: number;
  low: number;
  high: number;
  unit?: ClaimUnit;
}

/** The outcome of checking one claim. */
export interface ClaimResult {
  verdict: ClaimVerdict;
  /** Our figure for the claim's main quantity (the left side of its comparison). */
  figure?: ClaimFigure;
  /** One line saying why, e.g. the missing results or the interval that straddles the threshold. */
  reason: string;
  /** Keys of results that were needed but missing or not ok. */
  missing: string[];
  /** Results the verdict rests on that are not current (shown stale on the page): when each was measured, where, and why it was not re-run. */
  stale?: Array<{key: string; date: string; machine: string; reason: string}>;
}

type Truth = true | false | undefined;

class NotMeasured extends Error {}

/**
 * Checks a claim against results with interval arithmetic: a comparison holds only when the
 * whole 95% interval is on the right side, does not hold when the whole interval is on the wrong
 * side, and is inconclusive otherwise. `and`/`or`/`not` follow three-valued (Kleene) logic.
 */
export function evaluateClaim(expression: ClaimNode, lookup: (key: string) => ClaimInput | undefined): ClaimResult {
  const missing = new Set<string>();
  const input = (key: string): ClaimInput => {
    const found = lookup(key);
    if (!found || found.status !== 'ok') {
      missing.add(key);
      throw new NotMeasured(key);
    }
    return found;
  };

  const value = (node: ClaimNode): ClaimFigure => {
    switch (node.type) {
      case 'number':
        return {value: node.value, low: node.value, high: node.value, ...(node.unit ? {unit: node.unit} : {})};
      case 'unary': {
        if (node.op === 'not') throw new TypeError('`not` applies to a comparison, not to a value');
        const inner = value(node.arg);
        return {...inner, value: -inner.value, low: -inner.high, high: -inner.low};
      }
      case 'binary':
        return arithmetic(node.op, value(node.left), value(node.right));
      case 'call':
        return call(node);
      default:
        throw new TypeError(`a ${node.type} is not a value`);
    }
  };

  const call = (node: Extract<ClaimNode, {type: 'call'}>): ClaimFigure => {
    const keys = node.args.map((arg) => (arg as {key: string}).key);
    // Look every argument up first, so `missing` names all of them.
    const inputs = keys.map((key) => {
      try {
        return input(key);
      } catch {
        return undefined;
      }
    });
    if (inputs.some((item) => item === undefined)) throw new NotMeasured(keys.join(', '));
    const [a, b] = inputs as ClaimInput[];
    const statsOf = (item: ClaimInput, key: string): Stats => {
      if (!item.stats) {
        missing.add(key);
        throw new NotMeasured(key);
      }
      return item.stats;
    };
    switch (node.name) {
      case 'median': {
        const stats = statsOf(a!, keys[0]!);
        return {value: stats.median, low: stats.ci[0], high: stats.ci[1], unit: 'ns'};
      }
      case 'min':
      case 'max':
      case 'mean': {
        const stats = statsOf(a!, keys[0]!);
        return point(stats[node.name], 'ns');
      }
      case 'spread': {
        const stats = statsOf(a!, keys[0]!);
        return point((stats.max - stats.min) / stats.median, 'x');
      }
      case 'ratio':
      case 'faster':
        return ratioOf(a!, b!, keys);
      case 'peak':
        return point(required(a!.peakBytes, keys[0]!), 'B');
      case 'rss':
        return point(required(a!.maxRssBytes, keys[0]!), 'B');
      case 'startup':
        return point(required(a!.startupNs, keys[0]!), 'ns');
    }
  };

  const required = (item: number | undefined, key: string): number => {
    if (item === undefined) {
      missing.add(key);
      throw new NotMeasured(key);
    }
    return item;
  };

  const ratioOf = (a: ClaimInput, b: ClaimInput, keys: string[]): ClaimFigure => {
    if (!a.samples?.length || !b.samples?.length || !a.stats || !b.stats) {
      for (const key of keys) missing.add(key);
      throw new NotMeasured(keys.join(', '));
    }
    const {ratio, ci} = compareSamples(a.samples, b.samples, {groups: [a.groups, b.groups]});
    return {value: ratio, low: ci[0], high: ci[1], unit: 'x'};
  };

  const truth = (node: ClaimNode): Truth => {
    switch (node.type) {
      case 'compare': {
        const left = value(node.left);
        const right = value(node.right);
        const [above, below] = node.op === '>' || node.op === '>=' ? [left, right] : [right, left];
        // `above` must exceed `below` over the whole of both intervals.
        if (node.op.endsWith('=') ? above.low >= below.high : above.low > below.high) return true;
        if (node.op.endsWith('=') ? above.high < below.low : above.high <= below.low) return false;
        return undefined;
      }
      case 'call': {
        if (node.name !== 'faster') throw new TypeError(`${node.name}() is a value: compare it, e.g. ${node.name}(...) > 1`);
        const ratio = value(node);
        if (ratio.high < 1) return true;
        if (ratio.low >= 1) return false;
        return undefined;
      }
      case 'unary': {
        if (node.op !== 'not') throw new TypeError('a value is not a claim: compare it with something');
        const inner = truth(node.arg);
        return inner === undefined ? undefined : !inner;
      }
      case 'logic': {
        const left = truth(node.left);
        const right = truth(node.right);
        if (node.op === 'and') return left === false || right === false ? false : left && right ? true : undefined;
        return left === true || right === true ? true : left === false && right === false ? false : undefined;
      }
      default:
        throw new TypeError('a value is not a claim: compare it with something, e.g. ratio(a, b) > 2');
    }
  };

  let figure: ClaimFigure | undefined;
  let outcome: Truth;
  try {
    figure = mainFigure(expression, value);
    outcome = truth(expression);
  } catch (error) {
    if (error instanceof NotMeasured || missing.size > 0) {
      const keys = [...missing];
      return {verdict: 'not measured', reason: `no successful result for ${keys.map((key) => `\`${key}\``).join(', ')}`, missing: keys, ...(figure ? {figure} : {})};
    }
    throw error;
  }
  const base = {missing: [], ...(figure ? {figure} : {})};
  if (outcome === true) return {verdict: 'holds', reason: 'the whole 95% interval satisfies the check', ...base};
  if (outcome === false) return {verdict: 'does not hold', reason: 'the whole 95% interval contradicts the check', ...base};
  return {verdict: 'inconclusive', reason: 'the 95% interval straddles the threshold: more samples or a quieter machine may decide it', ...base};
}

/** The quantity a claim is about: the left side of its (first) comparison, or the ratio of `faster`. */
function mainFigure(node: ClaimNode, value: (node: ClaimNode) => ClaimFigure): ClaimFigure | undefined {
  switch (node.type) {
    case 'compare':
      return value(node.left);
    case 'call':
      return value(node);
    case 'unary':
      return node.op === 'not' ? mainFigure(node.arg, value) : undefined;
    case 'logic':
      return mainFigure(node.left, value);
    default:
      return undefined;
  }
}

function point(value: number, unit: ClaimUnit): ClaimFigure {
  return {value, low: value, high: value, unit};
}

function arithmetic(op: '+' | '-' | '*' | '/', a: ClaimFigure, b: ClaimFigure): ClaimFigure {
  const unit = a.unit ?? b.unit;
  switch (op) {
    case '+':
      return {value: a.value + b.value, low: a.low + b.low, high: a.high + b.high, ...(unit ? {unit} : {})};
    case '-':
      return {value: a.value - b.value, low: a.low - b.high, high: a.high - b.low, ...(unit ? {unit} : {})};
    case '*': {
      const products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high];
      return {value: a.value * b.value, low: Math.min(...products), high: Math.max(...products), ...(unit ? {unit} : {})};
    }
    case '/': {
      if (b.low <= 0 && b.high >= 0) throw new TypeError('division by an interval that contains zero');
      const quotients = [a.low / b.low, a.low / b.high, a.high / b.low, a.high / b.high];
      // A time divided by a time is a ratio.
      const sameUnit = a.unit !== undefined && a.unit === b.unit;
      const resultUnit = sameUnit ? 'x' : unit;
      return {value: a.value / b.value, low: Math.min(...quotients), high: Math.max(...quotients), ...(resultUnit ? {unit: resultUnit} : {})};
    }
  }
}
