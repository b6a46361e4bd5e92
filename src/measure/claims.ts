import {claimReferences, marginFactor, parseClaimExpression, type ClaimFunction, type ClaimNode, type ClaimUnit} from '../parse/claim-expression.js';
import type {ClaimKind, ClaimSpec, PublishedClaimFigure} from '../parse/types.js';
import {quantileOfSorted, seededRandom} from './basics.js';
import {splitGroups} from './hierarchical.js';
import {compareSamples, mannWhitneyU} from './compare.js';
import {sameResultWarnings} from './same-result.js';
import type {ReturnValue, Stats} from '../model/index.js';

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
  /** What the run printed (`prints(block, "text")`). */
  stdout?: string;
  /** Physical cores of the machine that measured it: `cores` in a check. */
  cores?: number;
  /** Logical CPUs of that machine: `cores` falls back to it for records made before physical cores were recorded. */
  logicalCores?: number;
  /** What the block's function returned (inline bench blocks): the blocks a claim compares should agree on it. */
  returnValue?: ReturnValue;
}

/** Results by store key (`pi-go`, `pool@workers=4`), as a claim looks them up. */
export type ClaimResults = ReadonlyMap<string, ClaimInput>;

/** The four answers a claim can get. A claim whose evidence is missing or failed never holds. */
export type ClaimVerdict = 'holds' | 'does not hold' | 'inconclusive' | 'not measured';

/** How our figure compares with the article's: within the tolerance, outside it, straddling it, or nothing to compare. */
export type MagnitudeVerdict = 'agrees' | 'differs' | 'inconclusive' | 'no figure';

/** Ours agrees with the article's figure within this factor either way, unless a claim says `tolerance=`. */
export const defaultTolerance = 1.5;

/** A measured value, with its 95% interval when it has one. */
export interface ClaimFigure {
  value: number;
  low: number;
  high: number;
  unit?: ClaimUnit;
  /** Whether `low`–`high` is a 95% interval; false for single figures (spread, peak, rss, min, max, mean, constants). */
  interval: boolean;
}

/** One function call inside a term, with its value: `peak(count-len)` = 41,928 B. */
export interface ClaimValue {
  /** The call as written. */
  expr: string;
  name: ClaimFunction;
  /** The results it reads, by store key. */
  keys: string[];
  figure: ClaimFigure;
  /** For `ratio`: the two medians it divides. */
  pair?: ClaimPair;
}

/** Two results compared by a ratio, for saying it in words: "a is 1.59× faster than b: 365 ns vs 579 ns". */
export interface ClaimPair {
  a: string;
  b: string;
  aMedian: number;
  bMedian: number;
  /** Unit of the medians when not ns. */
  unit?: 'instructions';
}

/** One test of a check (a comparison, `faster`, `slower`, `same`, `prints`) with its figures and verdict. */
export interface ClaimTerm {
  /** The test as written, e.g. `ratio(pi-python, pi-pypy) > 1.2`. */
  expr: string;
  verdict: ClaimVerdict;
  /** What kind of test it is. */
  test: 'compare' | 'faster' | 'slower' | 'same' | 'prints';
  /** Its quantity: a comparison's measured side, the ratio of faster/slower/same; absent for prints or when not measured. */
  value?: number;
  low?: number;
  high?: number;
  unit?: ClaimUnit;
  /** Whether the quantity has a 95% interval. */
  interval?: boolean;
  /** The quantity as written (`ratio(a, b)`). */
  quantity?: string;
  /** A comparison's operator, turned so that the quantity is on its left. */
  op?: '<' | '<=' | '>' | '>=';
  /** A comparison's other side. */
  threshold?: ClaimFigure & {expr: string};
  /** When the quantity is the ratio of two results: the two results. */
  pair?: ClaimPair;
  /** `same()`: the margin as a factor (1.1 for 10%). */
  margin?: number;
  /** `prints()`: the block and the text looked for. */
  text?: string;
  /** Every function call in the term with its value, in the order written. */
  values: ClaimValue[];
  /** Keys of results that were needed but missing or not ok. */
  missing: string[];
  /** This term's quantity against the article's figure, when they share a unit. */
  magnitude?: ClaimMagnitude;
  /** Why the term could not be decided, when that is not a missing result. */
  note?: string;
}

/** Our figure against the article's: factor = ours / the article's, with its 95% interval. */
export interface ClaimMagnitude {
  verdict: MagnitudeVerdict;
  /** Ours / the article's, in the article's own terms: for `2× faster`, our speed-up over 2. */
  factor?: number;
  low?: number;
  high?: number;
  /** Whether `low`–`high` is a 95% interval. */
  interval?: boolean;
  /** The factor either way within which ours agrees. */
  tolerance: number;
  /** `differs`: whether ours is larger or smaller than the article's. */
  direction?: 'larger' | 'smaller';
  /** The term (index into `terms`) the factor is of. */
  term?: number;
}

/** How a check came out on the results: the direction verdict, each term, and why. */
export interface ClaimEvaluation {
  verdict: ClaimVerdict;
  /** Our figure for the claim's main quantity: the quantity of its first term. */
  figure?: ClaimFigure;
  /** Every test of the check, in the order written. */
  terms: ClaimTerm[];
  /** One line saying why, e.g. the missing results or the term that straddles the threshold. */
  reason: string;
  /** Keys of results that were needed but missing or not ok. */
  missing: string[];
  /** The value `cores` had, when the check uses it. */
  cores?: {value: number; logical: boolean};
  /** Results the verdict rests on that are not current (shown stale on the page): when each was measured, where, and why it was not re-run. */
  stale?: Array<{key: string; date: string; machine: string; reason: string}>;
}

/**
 * The outcome of checking one claim block: the direction verdict and its terms, and, when the
 * article gives a figure, the magnitude verdict. Serializable as is (the page's JSON export).
 */
export interface ClaimResult extends ClaimEvaluation {
  id: string;
  kind: ClaimKind;
  text: string;
  check: string;
  published: PublishedClaimFigure | null;
  /** Null when the claim has no published figure. */
  magnitude: ClaimMagnitude | null;
  /**
   * What the verdict does not say but the reader should know, each saying what to do: blocks that do
   * not compute the same result (unless the claim says `same-result=no`). Absent when there is none.
   */
  warnings?: string[];
}

type Truth = true | false | undefined;

class NotMeasured extends Error {}

/** Options of {@link evaluateClaim}. */
export interface EvaluateClaimOptions {
  /** The check's text, to name each term as written (default: the expression is `check` itself, a string). */
  source?: string;
}

/**
 * Checks a claim against results with interval arithmetic: a comparison holds only when the
 * whole 95% interval is on the right side, does not hold when the whole interval is on the wrong
 * side, and is inconclusive otherwise. `same()` is decided by two one-sided tests on the ratio's
 * interval. `and`/`or`/`not` follow three-valued (Kleene) logic; a missing result makes the whole
 * claim `not measured`.
 */
export function evaluateClaim(check: string | ClaimNode, results: ClaimResults, options: EvaluateClaimOptions = {}): ClaimEvaluation {
  const expression = typeof check === 'string' ? parseClaimExpression(check) : check;
  const source = typeof check === 'string' ? check : (options.source ?? '');
  return new Evaluation(expression, source, results).run();
}

/** Checks one claim block: {@link evaluateClaim} for the direction, the published figure for the magnitude. */
export function checkClaim(block: {id: string; claim: ClaimSpec}, results: ClaimResults): ClaimResult {
  const {claim} = block;
  const evaluator = new Evaluation(claim.expression, claim.check, results);
  const evaluation = evaluator.run();
  const published = claim.publishedFigure ?? null;
  const magnitude = published ? magnitudeOfClaim(evaluation.terms, published, claim.tolerance ?? defaultTolerance) : null;
  // Blocks compared for speed should do the same work: a result that differs is a warning, not a verdict.
  const warnings = claim.sameResult === false ? [] : sameResultWarnings(evaluator.readKeys, (key) => results.get(key)?.returnValue);
  return {id: block.id, kind: claim.kind, text: claim.text, check: claim.check, ...evaluation, published, magnitude, ...(warnings.length > 0 ? {warnings} : {})};
}

/**
 * Our figure against the article's for each term in the figure's unit, and for the claim the
 * term furthest from agreeing: `differs` if any term differs, else `inconclusive` if any straddles
 * the tolerance, else `agrees`; `no figure` when no term has a measured value.
 */
export function magnitudeOfClaim(terms: ClaimTerm[], published: PublishedClaimFigure, tolerance: number): ClaimMagnitude {
  const rank: Record<MagnitudeVerdict, number> = {differs: 3, inconclusive: 2, agrees: 1, 'no figure': 0};
  let worst: ClaimMagnitude = {verdict: 'no figure', tolerance};
  terms.forEach((term, index) => {
    const magnitude = magnitudeOfTerm(term, published, tolerance);
    if (!magnitude) return;
    term.magnitude = magnitude;
    const further = rank[magnitude.verdict] > rank[worst.verdict] ||
      (rank[magnitude.verdict] === rank[worst.verdict] && Math.abs(Math.log(magnitude.factor!)) > Math.abs(Math.log(worst.factor!)));
    if (further) worst = {...magnitude, term: index};
  });
  return worst;
}

function magnitudeOfTerm(term: ClaimTerm, published: PublishedClaimFigure, tolerance: number): ClaimMagnitude | undefined {
  if (term.value === undefined || term.unit !== published.unit) return undefined;
  let [value, low, high] = [term.value, term.low!, term.high!];
  // `2× faster` speaks of a speed-up: compare our speed-up with it, not the ratio of times.
  if (published.sense === 'faster') [value, low, high] = [1 / value, 1 / high, 1 / low];
  const factor = value / published.value;
  const [factorLow, factorHigh] = [low / published.value, high / published.value];
  // The quantity's own interval: a comparison's threshold may have one when the quantity has none.
  const interval = (term.interval ?? false) && term.low !== term.high;
  const base = {factor, low: factorLow, high: factorHigh, interval, tolerance};
  if (!(factorLow > 0)) return {...base, verdict: 'differs', direction: 'smaller'};
  if (factorLow >= 1 / tolerance && factorHigh <= tolerance) return {...base, verdict: 'agrees'};
  if (factorLow > tolerance) return {...base, verdict: 'differs', direction: 'larger'};
  if (factorHigh < 1 / tolerance) return {...base, verdict: 'differs', direction: 'smaller'};
  return {...base, verdict: 'inconclusive'};
}

/** One evaluation of a check: the terms it found and the results it missed. */
class Evaluation {
  /** Keys of the successful results the check read, in the order it read them. */
  readonly readKeys: string[] = [];
  private readonly missing = new Set<string>();
  private readonly notes: string[] = [];
  private readonly terms: ClaimTerm[] = [];
  private current: ClaimTerm | undefined;
  private cores: {value: number; logical: boolean} | undefined;

  constructor(
    private readonly expression: ClaimNode,
    private readonly source: string,
    private readonly results: ClaimResults
  ) {}

  run(): ClaimEvaluation {
    const outcome = this.truth(this.expression);
    const missing = [...this.missing];
    const figure = this.terms.find((term) => term.value !== undefined);
    const base = {
      terms: this.terms,
      missing,
      ...(figure && this.terms[0] === figure ? {figure: {value: figure.value!, low: figure.low!, high: figure.high!, interval: figure.interval ?? false, ...(figure.unit ? {unit: figure.unit} : {})}} : {}),
      ...(this.cores ? {cores: this.cores} : {})
    };
    if (missing.length > 0 || this.notes.length > 0 || outcome === 'missing') {
      const parts = missing.length > 0 ? [`no successful result for ${missing.map((key) => `\`${key}\``).join(', ')}`] : [];
      return {verdict: 'not measured', reason: [...parts, ...this.notes].join('; ') || 'a result it needs is missing', ...base};
    }
    return {verdict: outcome === true ? 'holds' : outcome === false ? 'does not hold' : 'inconclusive', reason: this.reason(), ...base};
  }

  private reason(): string {
    const terms = this.terms;
    if (terms.length === 1) return termReason(terms[0]!);
    const failing = terms.findIndex((term) => term.verdict === 'does not hold');
    const open = terms.findIndex((term) => term.verdict === 'inconclusive');
    if (terms.every((term) => term.verdict === 'holds')) return `all ${terms.length} terms hold`;
    const logic = this.expression.type === 'logic' ? this.expression.op : undefined;
    const shown = logic === 'or' ? (terms.some((term) => term.verdict === 'holds') ? terms.findIndex((term) => term.verdict === 'holds') : open >= 0 ? open : failing) : failing >= 0 ? failing : open;
    const term = terms[shown] ?? terms[0]!;
    return `term ${shown + 1} ${term.verdict === 'inconclusive' ? 'is inconclusive' : term.verdict}: ${termReason(term)}`;
  }

  private text(node: {column: number; end: number}): string {
    return this.source.slice(node.column - 1, node.end - 1);
  }

  private input(key: string): ClaimInput {
    const found = this.results.get(key);
    if (!found || found.status !== 'ok') {
      this.missing.add(key);
      this.current?.missing.push(key);
      throw new NotMeasured(key);
    }
    this.readKeys.push(key);
    return found;
  }

  /** The store key a reference names; a computed swept value (`@workers=(cores)`) is evaluated first. */
  private keyOf(node: ClaimNode): string {
    if (node.type !== 'ref') throw new TypeError('expected a block id');
    if (!node.param) return node.key;
    const computed = this.value(node.param.value);
    const whole = Math.round(computed.value);
    if (computed.low !== computed.high || Math.abs(whole - computed.value) > 1e-9) {
      this.notes.push(`\`${node.key}\`: ${node.param.name} = ${computed.value} is not a whole number`);
      throw new NotMeasured(node.key);
    }
    return `${node.block}@${node.param.name}=${whole}`;
  }

  private resolveCores(): {value: number; logical: boolean} {
    if (this.cores) return this.cores;
    const blocks = new Set(claimReferences(this.expression).map((ref) => ref.key.split('@')[0]!));
    const counts = new Map<number, boolean>();
    for (const [key, input] of this.results) {
      if (!blocks.has(key.split('@')[0]!) || input.status !== 'ok') continue;
      const value = input.cores ?? input.logicalCores;
      if (value !== undefined) counts.set(value, input.cores === undefined);
    }
    if (counts.size !== 1) {
      this.notes.push(
        counts.size === 0
          ? '`cores`: no result of the blocks it compares says how many cores measured it'
          : `\`cores\`: the results come from machines with ${[...counts.keys()].sort((a, b) => a - b).join(' and ')} cores`
      );
      throw new NotMeasured('cores');
    }
    const [[value, logical]] = [...counts] as [[number, boolean]];
    this.cores = {value, logical};
    return this.cores;
  }

  private value(node: ClaimNode): ClaimFigure {
    switch (node.type) {
      case 'number':
        return {value: node.value, low: node.value, high: node.value, interval: false, ...(node.unit ? {unit: node.unit} : {})};
      case 'cores': {
        const {value} = this.resolveCores();
        return {value, low: value, high: value, interval: false};
      }
      case 'unary': {
        if (node.op === 'not') throw new TypeError('`not` applies to a comparison, not to a value');
        const inner = this.value(node.arg);
        return {...inner, value: -inner.value, low: -inner.high, high: -inner.low};
      }
      case 'binary':
        return arithmetic(node.op, this.value(node.left), this.value(node.right));
      case 'call': {
        const figure = this.call(node);
        return figure;
      }
      default:
        throw new TypeError(`a ${node.type} is not a value`);
    }
  }

  private call(node: Extract<ClaimNode, {type: 'call'}>): ClaimFigure {
    const record = (figure: ClaimFigure, keys: string[], pair?: ClaimPair): ClaimFigure => {
      this.current?.values.push({expr: this.text(node), name: node.name, keys, figure, ...(pair ? {pair} : {})});
      return figure;
    };
    if ((node.name === 'min' || node.name === 'max') && node.args.length > 1) {
      const figures = node.args.map((arg) => this.value(arg));
      const pick = node.name === 'min' ? Math.min : Math.max;
      const unit = figures.find((figure) => figure.unit)?.unit;
      return record(
        {
          value: pick(...figures.map((figure) => figure.value)),
          low: pick(...figures.map((figure) => figure.low)),
          high: pick(...figures.map((figure) => figure.high)),
          interval: figures.some((figure) => figure.interval),
          ...(unit ? {unit} : {})
        },
        []
      );
    }
    // Look every result up first, so `missing` names all of them.
    const keys: string[] = [];
    const inputs: Array<ClaimInput | undefined> = [];
    for (const arg of node.args.filter((arg) => arg.type === 'ref')) {
      const key = this.keyOf(arg);
      keys.push(key);
      try {
        inputs.push(this.input(key));
      } catch {
        inputs.push(undefined);
      }
    }
    if (inputs.some((item) => item === undefined)) throw new NotMeasured(keys.join(', '));
    const [a, b] = inputs as ClaimInput[];
    const statsOf = (item: ClaimInput, key: string): Stats => required(item.stats, key);
    const required = <T>(item: T | undefined, key: string): T => {
      if (item === undefined) {
        this.missing.add(key);
        this.current?.missing.push(key);
        throw new NotMeasured(key);
      }
      return item;
    };
    switch (node.name) {
      case 'median': {
        const stats = statsOf(a!, keys[0]!);
        return record({value: stats.median, low: stats.ci[0], high: stats.ci[1], unit: 'ns', interval: true}, keys);
      }
      case 'min':
      case 'max':
      case 'mean':
        return record(point(statsOf(a!, keys[0]!)[node.name], 'ns'), keys);
      case 'spread': {
        const stats = statsOf(a!, keys[0]!);
        return record(point((stats.max - stats.min) / stats.median, '%'), keys);
      }
      case 'ratio': {
        const {figure, pair} = this.ratioOf(a!, b!, keys);
        return record(figure, keys, pair);
      }
      case 'misranks': {
        const [x, y] = [required(a!.samples?.length ? a!.samples : undefined, keys[0]!), required(b!.samples?.length ? b!.samples : undefined, keys[1]!)];
        const [value, low, high] = misrankShare(splitGroups(x, a!.groups), splitGroups(y, b!.groups));
        return record({value, low, high, unit: '%', interval: true}, keys);
      }
      case 'peak':
        return record(point(required(a!.peakBytes, keys[0]!), 'B'), keys);
      case 'rss':
        return record(point(required(a!.maxRssBytes, keys[0]!), 'B'), keys);
      case 'startup':
        return record(point(required(a!.startupNs, keys[0]!), 'ns'), keys);
      default:
        throw new TypeError(`${node.name}() is a claim by itself, not a value: combine it with and, or, not`);
    }
  }

  private ratioOf(a: ClaimInput, b: ClaimInput, keys: string[]): {figure: ClaimFigure; pair: ClaimPair} {
    if (!a.samples?.length || !b.samples?.length || !a.stats || !b.stats) {
      for (const key of keys) this.missing.add(key);
      this.current?.missing.push(...keys);
      throw new NotMeasured(keys.join(', '));
    }
    const {ratio, ci} = compareSamples(a.samples, b.samples, {groups: [a.groups, b.groups]});
    const unit = a.stats.unit === 'instructions' ? {unit: 'instructions' as const} : {};
    return {figure: {value: ratio, low: ci[0], high: ci[1], unit: 'x', interval: true}, pair: {a: keys[0]!, b: keys[1]!, aMedian: a.stats.median, bMedian: b.stats.median, ...unit}};
  }

  /** A test's truth; `missing` when a result it needs is not there (the term says which). */
  private truth(node: ClaimNode): Truth | 'missing' {
    switch (node.type) {
      case 'unary': {
        if (node.op !== 'not') throw new TypeError('a value is not a claim: compare it with something');
        const inner = this.truth(node.arg);
        return inner === undefined || inner === 'missing' ? inner : !inner;
      }
      case 'logic': {
        const left = this.truth(node.left);
        const right = this.truth(node.right);
        if (left === 'missing' || right === 'missing') return 'missing';
        if (node.op === 'and') return left === false || right === false ? false : left && right ? true : undefined;
        return left === true || right === true ? true : left === false && right === false ? false : undefined;
      }
      case 'compare':
      case 'call':
        return this.term(node);
      default:
        throw new TypeError('a value is not a claim: compare it with something, e.g. ratio(a, b) > 2');
    }
  }

  private term(node: Extract<ClaimNode, {type: 'compare' | 'call'}>): Truth | 'missing' {
    if (node.type === 'call' && !['faster', 'slower', 'same', 'prints'].includes(node.name)) {
      throw new TypeError(`${node.name}() is a value: compare it, e.g. ${node.name}(...) > 1`);
    }
    const term: ClaimTerm = {expr: this.text(node), verdict: 'not measured', test: node.type === 'compare' ? 'compare' : (node.name as ClaimTerm['test']), values: [], missing: []};
    this.terms.push(term);
    this.current = term;
    try {
      const truth = node.type === 'compare' ? this.comparison(node, term) : this.test(node, term);
      term.verdict = truth === true ? 'holds' : truth === false ? 'does not hold' : 'inconclusive';
      return truth;
    } catch (error) {
      if (error instanceof UnboundedQuotient) {
        term.verdict = 'inconclusive';
        term.note = "a divisor's 95% interval contains zero, so the quotient has no bound";
        return undefined;
      }
      if (error instanceof NotMeasured) return 'missing';
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  private comparison(node: Extract<ClaimNode, {type: 'compare'}>, term: ClaimTerm): Truth {
    // The measured side is the quantity; a constant on the left (`2 < ratio(a, b)`) is turned round.
    const swap = claimReferences(node.left).length === 0 && node.left.type !== 'cores' && claimReferences(node.right).length > 0;
    const [quantityNode, thresholdNode] = swap ? [node.right, node.left] : [node.left, node.right];
    const quantity = this.value(quantityNode);
    const threshold = this.value(thresholdNode);
    const op = swap ? ({'<': '>', '<=': '>=', '>': '<', '>=': '<='} as const)[node.op] : node.op;
    Object.assign(term, figureFields(quantity), {quantity: this.text(quantityNode), op, threshold: {...threshold, expr: this.text(thresholdNode)}});
    term.interval = quantity.interval || threshold.interval;
    const pair = quantityNode.type === 'call' && quantityNode.name === 'ratio' ? term.values.find((value) => value.name === 'ratio')?.pair : undefined;
    if (pair) term.pair = pair;
    const [above, below] = op === '>' || op === '>=' ? [quantity, threshold] : [threshold, quantity];
    // `above` must exceed `below` over the whole of both intervals.
    if (op.endsWith('=') ? above.low >= below.high : above.low > below.high) return true;
    if (op.endsWith('=') ? above.high < below.low : above.high <= below.low) return false;
    return undefined;
  }

  private test(node: Extract<ClaimNode, {type: 'call'}>, term: ClaimTerm): Truth {
    if (node.name === 'prints') {
      const [ref, text] = node.args as [ClaimNode, Extract<ClaimNode, {type: 'string'}>];
      const key = this.keyOf(ref);
      const input = this.input(key);
      term.text = text.value;
      term.interval = false;
      return (input.stdout ?? '').includes(text.value);
    }
    const [a, b] = node.args as [ClaimNode, ClaimNode];
    let ratio: ClaimFigure;
    if (a.type === 'ref' && b.type === 'ref') {
      const keys = [this.keyOf(a), this.keyOf(b)];
      const inputs = keys.map((key) => {
        try {
          return this.input(key);
        } catch {
          return undefined;
        }
      });
      if (inputs.some((input) => input === undefined)) throw new NotMeasured(keys.join(', '));
      const {figure, pair} = this.ratioOf(inputs[0]!, inputs[1]!, keys);
      ratio = figure;
      term.pair = pair;
      term.quantity = `ratio(${keys.join(', ')})`;
    } else {
      const x = this.value(a);
      const y = this.value(b);
      ratio = {...arithmetic('/', x, y), unit: 'x'};
      term.quantity = `${this.text(a)} / ${this.text(b)}`;
    }
    Object.assign(term, figureFields(ratio));
    switch (node.name) {
      case 'faster':
        return ratio.high < 1 ? true : ratio.low >= 1 ? false : undefined;
      case 'slower':
        return ratio.low > 1 ? true : ratio.high <= 1 ? false : undefined;
      default: {
        // Two one-sided tests: equivalent when the interval is inside both bounds, different when wholly outside one.
        const margin = marginFactor(node.args[2] as Extract<ClaimNode, {type: 'number'}>);
        term.margin = margin;
        if (ratio.low >= 1 / margin && ratio.high <= margin) return true;
        if (ratio.high < 1 / margin || ratio.low > margin) return false;
        return undefined;
      }
    }
  }
}

function figureFields(figure: ClaimFigure): Pick<ClaimTerm, 'value' | 'low' | 'high' | 'unit' | 'interval'> {
  return {value: figure.value, low: figure.low, high: figure.high, interval: figure.interval, ...(figure.unit ? {unit: figure.unit} : {})};
}

/** Why one term came out as it did, in words without figures (the page shows the figures beside it). */
function termReason(term: ClaimTerm): string {
  if (term.note) return term.note;
  if (term.verdict === 'not measured') return `no successful result for ${term.missing.map((key) => `\`${key}\``).join(', ') || 'a result it needs'}`;
  if (term.test === 'prints') return term.verdict === 'holds' ? 'the output contains the text' : 'the output does not contain the text';
  if (term.test === 'same') {
    if (term.verdict === 'holds') return `${term.interval ? "the ratio's 95% interval" : 'the ratio'} lies within the margin: both one-sided tests pass`;
    if (term.verdict === 'does not hold') return `${term.interval ? "the ratio's 95% interval" : 'the ratio'} lies wholly outside the margin`;
    return "the ratio's 95% interval straddles a bound of the margin: neither equivalent nor shown to differ";
  }
  if (!term.interval) {
    return term.verdict === 'holds' ? 'the figures satisfy the check (single figures: they have no interval)' : 'the figures contradict the check (single figures: they have no interval)';
  }
  if (term.verdict === 'holds') return 'the whole 95% interval satisfies the check';
  if (term.verdict === 'does not hold') return 'the whole 95% interval contradicts the check';
  return 'the 95% interval straddles the threshold: more samples or a quieter machine may decide it';
}

function point(value: number, unit: ClaimUnit): ClaimFigure {
  return {value, low: value, high: value, unit, interval: false};
}

function arithmetic(op: '+' | '-' | '*' | '/', a: ClaimFigure, b: ClaimFigure): ClaimFigure {
  const unit = a.unit ?? b.unit;
  const interval = a.interval || b.interval;
  switch (op) {
    case '+':
      return {value: a.value + b.value, low: a.low + b.low, high: a.high + b.high, interval, ...(unit ? {unit} : {})};
    case '-':
      return {value: a.value - b.value, low: a.low - b.high, high: a.high - b.low, interval, ...(unit ? {unit} : {})};
    case '*': {
      const products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high];
      return {value: a.value * b.value, low: Math.min(...products), high: Math.max(...products), interval, ...(unit ? {unit} : {})};
    }
    case '/': {
      if (b.low <= 0 && b.high >= 0) throw new UnboundedQuotient();
      const quotients = [a.low / b.low, a.low / b.high, a.high / b.low, a.high / b.high];
      // A time divided by a time is a ratio.
      const sameUnit = a.unit !== undefined && a.unit === b.unit;
      const resultUnit = sameUnit ? 'x' : unit;
      return {value: a.value / b.value, low: Math.min(...quotients), high: Math.max(...quotients), interval, ...(resultUnit ? {unit: resultUnit} : {})};
    }
  }
}

/** A division by an interval that contains zero: the quotient has no bound, so the term cannot be decided. */
class UnboundedQuotient extends Error {}

/**
 * The share of pairs (x of `a`, y of `b`) with x < y, ties counting half (1 - U / (m n) of the
 * Mann–Whitney U of `a`), and its seeded 95% interval by the two-level bootstrap of each side
 * (processes, then samples within them: Kalibera and Jones), since how often single timings misrank
 * two versions varies from one process to the next more than within one.
 */
export function misrankShare(a: readonly (readonly number[])[], b: readonly (readonly number[])[], resamples = 1000, seed = 1): [number, number, number] {
  const share = (x: readonly number[], y: readonly number[]) => 1 - mannWhitneyU(x, y).u / (x.length * y.length);
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const draw = (groups: readonly (readonly number[])[]) => groups.flatMap(() => {
    const group = pick(groups);
    return group.map(() => pick(group));
  });
  const shares = Array.from({length: resamples}, () => share(draw(a), draw(b))).sort((p, q) => p - q);
  return [share(a.flat(), b.flat()), quantileOfSorted(shares, 0.025), quantileOfSorted(shares, 0.975)];
}
