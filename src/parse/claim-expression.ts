/**
 * The little language of `claim` checks: comparisons over measured results, e.g.
 * `ratio(pi-python, pi-go) > 100`, `faster(list-comp, list-map)`, `same(pi-nuitka, pi-python, 10%)`,
 * `peak(count-len) > 1000 * peak(count-for) and median(sleep-1) >= 1s`,
 * `slower(pool@workers=(2 * cores), pool@workers=(cores))`, `prints(profile, "slow_unique")`.
 *
 * Block ids may contain `-`, so subtraction needs spaces around it (`a - b`).
 */

/** A node of a parsed check; `column` and `end` delimit its text in the check (1-based, end exclusive). */
export type ClaimNode =
  | {type: 'number'; value: number; unit?: ClaimUnit; column: number; end: number}
  | {type: 'string'; value: string; column: number; end: number}
  /** The physical cores of the machine that measured the claim's results. */
  | {type: 'cores'; column: number; end: number}
  /** A result: a block id, or a swept run `id@param=value`, the value possibly computed: `id@param=(cores)`. */
  | {type: 'ref'; key: string; block: string; param?: {name: string; value: ClaimNode}; column: number; end: number}
  | {type: 'call'; name: ClaimFunction; args: ClaimNode[]; column: number; end: number}
  | {type: 'unary'; op: '-' | 'not'; arg: ClaimNode; column: number; end: number}
  | {type: 'binary'; op: '+' | '-' | '*' | '/'; left: ClaimNode; right: ClaimNode; column: number; end: number}
  | {type: 'compare'; op: '<' | '<=' | '>' | '>='; left: ClaimNode; right: ClaimNode; column: number; end: number}
  | {type: 'logic'; op: 'and' | 'or'; left: ClaimNode; right: ClaimNode; column: number; end: number};

/**
 * What a value measures: it decides how figures are shown. `x` is a ratio, `%` a fraction shown as a
 * percentage (0.236 is 23.6%), `ns` a time, `B` bytes.
 */
export type ClaimUnit = 'ns' | 'B' | 'x' | '%';

/** How a function's arguments are read: block ids, values, or a mix (see `claimFunctions`). */
type Parameters = 'id' | 'id, id' | 'id or values' | 'pair, margin' | 'id, text';

/** The functions a check may call: their arguments and what they return (`test`: a claim by itself). */
export const claimFunctions = {
  /** Median time per call, with its 95% interval. */
  median: {params: 'id', unit: 'ns'},
  /** `min(a)`: fastest sample of `a`; `min(x, y, ...)`: the smallest of two or more values. */
  min: {params: 'id or values', unit: 'ns'},
  /** `max(a)`: slowest sample of `a`; `max(x, y, ...)`: the largest of two or more values. */
  max: {params: 'id or values', unit: 'ns'},
  /** Mean time per call. */
  mean: {params: 'id', unit: 'ns'},
  /** median(a) / median(b), with a bootstrap interval: > 1 means `a` is slower. */
  ratio: {params: 'id, id', unit: 'x'},
  /** Holds when `a` is faster than `b` (the interval of ratio(a, b) is below 1). */
  faster: {params: 'id, id', unit: 'test'},
  /** Holds when `a` is slower than `b` (the interval of ratio(a, b) is above 1). */
  slower: {params: 'id, id', unit: 'test'},
  /**
   * Equivalence: `same(a, b, 10%)` holds when the whole interval of ratio(a, b) lies within 1/1.1 and
   * 1.1 (two one-sided tests), does not hold when it lies wholly outside; `same(x, y, 10%)` for values.
   */
  same: {params: 'pair, margin', unit: 'test'},
  /** Holds when a block's output contains the text: `prints(profile, "slow_unique")`. */
  prints: {params: 'id, text', unit: 'test'},
  /** Peak memory of one call (tracemalloc for Python), bytes. */
  peak: {params: 'id', unit: 'B'},
  /** Peak resident set size of the process, bytes. */
  rss: {params: 'id', unit: 'B'},
  /** Cost of starting the runtime (process mode), ns. */
  startup: {params: 'id', unit: 'ns'},
  /** Relative spread of the samples: (max - min) / median, a percentage. */
  spread: {params: 'id', unit: '%'},
  /**
   * `misranks(a, b)`: the share of pairs of one sample of `a` and one of `b` in which `a`'s is the
   * smaller (ties counting half), with a bootstrap interval: how often one timing of each would rank
   * `a` below `b`. For `a` the slower, how often two single timings decide the wrong way.
   */
  misranks: {params: 'id, id', unit: '%'}
} as const satisfies Record<string, {params: Parameters; unit: ClaimUnit | 'test'}>;

/** A function name of the check language. */
export type ClaimFunction = keyof typeof claimFunctions;

/** A problem in a check, at a column of the check's text (1-based). */
export class ClaimSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number
  ) {
    super(message);
    this.name = 'ClaimSyntaxError';
  }
}

const unitFactors: Record<string, [number, ClaimUnit]> = {
  ns: [1, 'ns'],
  us: [1e3, 'ns'],
  µs: [1e3, 'ns'],
  ms: [1e6, 'ns'],
  s: [1e9, 'ns'],
  B: [1, 'B'],
  KB: [1e3, 'B'],
  MB: [1e6, 'B'],
  GB: [1e9, 'B'],
  KiB: [1024, 'B'],
  MiB: [1024 ** 2, 'B'],
  GiB: [1024 ** 3, 'B'],
  x: [1, 'x'],
  '×': [1, 'x'],
  '%': [0.01, '%']
};

/** Reads a unit word of the check language or of a published figure: `[factor, unit]`, or undefined. */
export function readUnit(word: string): [number, ClaimUnit] | undefined {
  return Object.hasOwn(unitFactors, word) ? unitFactors[word] : undefined;
}

interface Token {
  kind: 'number' | 'word' | 'ref-param' | 'string' | 'op' | 'end';
  text: string;
  column: number;
  end: number;
  value?: number;
  unit?: ClaimUnit;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const space = /^\s+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const column = index + 1;
    const push = (token: Omit<Token, 'column' | 'end'>, length: number): void => {
      tokens.push({...token, column, end: column + length});
      index += length;
    };
    const number = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(ns|us|µs|ms|s|B|KB|MB|GB|KiB|MiB|GiB|x|×|%)?(?![\w@])/.exec(rest);
    if (number) {
      const [factor, unit] = number[2] ? unitFactors[number[2]]! : [1, undefined];
      push({kind: 'number', text: number[0], value: Number(number[1]) * factor, ...(unit ? {unit} : {})}, number[0].length);
      continue;
    }
    const string = /^"([^"]*)"/.exec(rest);
    if (string) {
      push({kind: 'string', text: string[0]}, string[0].length);
      continue;
    }
    if (rest.startsWith('"')) throw new ClaimSyntaxError('a text in quotation marks is not closed: add the closing `"`', column);
    // A swept run whose value is computed: `pool@workers=(cores)`; the parser reads the expression.
    const refParam = /^[A-Za-z_][\w.-]*@[A-Za-z_]\w*=\(/.exec(rest);
    if (refParam) {
      push({kind: 'ref-param', text: refParam[0].slice(0, -1)}, refParam[0].length);
      continue;
    }
    // A block id, optionally with a swept value: `pool@workers=4`.
    const word = /^[A-Za-z_][\w.-]*(?:@[A-Za-z_]\w*=[\w.-]+)?/.exec(rest);
    if (word) {
      push({kind: 'word', text: word[0]}, word[0].length);
      continue;
    }
    const op = /^(<=|>=|<|>|\+|-|\*|\/|\(|\)|,)/.exec(rest);
    if (op) {
      push({kind: 'op', text: op[0]}, op[0].length);
      continue;
    }
    throw new ClaimSyntaxError(`unexpected \`${rest[0]}\``, column);
  }
  tokens.push({kind: 'end', text: 'end of check', column: text.length + 1, end: text.length + 1});
  return tokens;
}

/** Parses a check; throws `ClaimSyntaxError` with the column of the first problem. */
export function parseClaimExpression(text: string): ClaimNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (offset = 0): Token => tokens[Math.min(position + offset, tokens.length - 1)]!;
  const next = (): Token => tokens[position++]!;
  const isOp = (text: string, offset = 0): boolean => peek(offset).kind === 'op' && peek(offset).text === text;
  const isWord = (text: string): boolean => peek().kind === 'word' && peek().text === text;
  const expect = (text: string): Token => {
    if (!isOp(text)) throw new ClaimSyntaxError(`expected \`${text}\` but found ${describe(peek())}`, peek().column);
    return next();
  };
  const span = (left: {column: number}, right: {end: number}) => ({column: left.column, end: right.end});

  const parseOr = (): ClaimNode => {
    let left = parseAnd();
    while (isWord('or')) {
      next();
      const right = parseAnd();
      left = {type: 'logic', op: 'or', left, right, ...span(left, right)};
    }
    return left;
  };
  const parseAnd = (): ClaimNode => {
    let left = parseNot();
    while (isWord('and')) {
      next();
      const right = parseNot();
      left = {type: 'logic', op: 'and', left, right, ...span(left, right)};
    }
    return left;
  };
  const parseNot = (): ClaimNode => {
    if (isWord('not')) {
      const token = next();
      const arg = parseNot();
      return {type: 'unary', op: 'not', arg, ...span(token, arg)};
    }
    return parseCompare();
  };
  const parseCompare = (): ClaimNode => {
    const left = parseSum();
    for (const op of ['<=', '>=', '<', '>'] as const) {
      if (isOp(op)) {
        const token = next();
        const right = parseSum();
        checkUnits(left, right, `\`${op}\``, token.column);
        return {type: 'compare', op, left, right, ...span(left, right)};
      }
    }
    return left;
  };
  const parseSum = (): ClaimNode => {
    let left = parseProduct();
    while (isOp('+') || isOp('-')) {
      const token = next();
      const right = parseProduct();
      checkUnits(left, right, `\`${token.text}\``, token.column);
      left = {type: 'binary', op: token.text as '+' | '-', left, right, ...span(left, right)};
    }
    return left;
  };
  const parseProduct = (): ClaimNode => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const {text} = next();
      const right = parseUnary();
      left = {type: 'binary', op: text as '*' | '/', left, right, ...span(left, right)};
    }
    return left;
  };
  const parseUnary = (): ClaimNode => {
    if (isOp('-')) {
      const token = next();
      const arg = parseUnary();
      return {type: 'unary', op: '-', arg, ...span(token, arg)};
    }
    return parseAtom();
  };
  const parseRef = (): ClaimNode => {
    const token = next();
    if (token.kind === 'ref-param') {
      const [block, param] = token.text.split('@') as [string, string];
      const name = param.slice(0, -1);
      const value = parseSum();
      const close = expect(')');
      return {type: 'ref', key: `${token.text}(${text.slice(value.column - 1, value.end - 1)})`, block, param: {name, value}, column: token.column, end: close.end};
    }
    return {type: 'ref', key: token.text, block: token.text.split('@')[0]!, column: token.column, end: token.end};
  };
  const parseAtom = (): ClaimNode => {
    const token = peek();
    if (token.kind === 'number') {
      next();
      return {type: 'number', value: token.value!, ...(token.unit ? {unit: token.unit} : {}), column: token.column, end: token.end};
    }
    if (token.kind === 'op' && token.text === '(') {
      next();
      const inner = parseOr();
      const close = expect(')');
      // The group's text keeps its parentheses: `(a - b)` is shown as written.
      return {...inner, column: token.column, end: close.end};
    }
    if (token.kind === 'string') {
      throw new ClaimSyntaxError(`a text in quotation marks is only an argument of prints(), e.g. prints(block, ${token.text})`, token.column);
    }
    if (token.kind === 'ref-param') {
      throw new ClaimSyntaxError(`\`${token.text}(...)\` is not a value: call a function on it, e.g. median(${token.text}(...))`, token.column);
    }
    if (token.kind === 'word') {
      if (token.text === 'cores' && !isOp('(', 1)) {
        next();
        return {type: 'cores', column: token.column, end: token.end};
      }
      if (!isOp('(', 1)) {
        throw new ClaimSyntaxError(`\`${token.text}\` is not a value: call a function on it, e.g. median(${token.text})`, token.column);
      }
      if (!Object.hasOwn(claimFunctions, token.text)) {
        throw new ClaimSyntaxError(`unknown function \`${token.text}\`: expected one of ${Object.keys(claimFunctions).join(', ')}`, token.column);
      }
      return parseCall();
    }
    next();
    throw new ClaimSyntaxError(`expected a number, a function call or \`(\` but found ${describe(token)}`, token.column);
  };
  /** An argument: a block id (a word alone before `,` or `)`), a text, or a value. */
  const parseArgument = (): ClaimNode => {
    const token = peek();
    if (token.kind === 'ref-param') return parseRef();
    if (token.kind === 'word' && token.text !== 'cores' && (isOp(',', 1) || isOp(')', 1))) return parseRef();
    if (token.kind === 'string') {
      next();
      return {type: 'string', value: token.text.slice(1, -1), column: token.column, end: token.end};
    }
    return parseSum();
  };
  const parseCall = (): ClaimNode => {
    const token = next();
    const name = token.text as ClaimFunction;
    next(); // (
    const args: ClaimNode[] = [];
    if (!isOp(')')) {
      do {
        if (args.length > 0) next(); // ,
        if (isOp(',') || isOp(')')) {
          const wanted = claimFunctions[name].params.startsWith('id') ? 'a block id' : 'a value';
          throw new ClaimSyntaxError(`expected ${wanted} as argument of ${name}, found ${describe(peek())}`, peek().column);
        }
        args.push(parseArgument());
      } while (isOp(','));
    }
    const close = expect(')');
    const call: ClaimNode = {type: 'call', name, args, column: token.column, end: close.end};
    checkArguments(call);
    return call;
  };

  const tree = parseOr();
  if (peek().kind !== 'end') throw new ClaimSyntaxError(`unexpected ${describe(peek())}`, peek().column);
  return tree;
}

/** Refuses arguments a function cannot take, at the column of the call or of the argument. */
function checkArguments(call: Extract<ClaimNode, {type: 'call'}>): void {
  const {name, args, column} = call;
  const isRef = (node: ClaimNode | undefined) => node?.type === 'ref';
  const idArgument = (node: ClaimNode): void => {
    if (!isRef(node)) throw new ClaimSyntaxError(`expected a block id as argument of ${name}, found ${describeNode(node)}`, node.column);
  };
  const count = (expected: number): void => {
    if (args.length !== expected) throw new ClaimSyntaxError(`${name}() takes ${expected} block id${expected === 1 ? '' : 's'}, got ${args.length}`, column);
  };
  switch (claimFunctions[name].params) {
    case 'id':
      count(1);
      args.forEach(idArgument);
      return;
    case 'id, id':
      count(2);
      args.forEach(idArgument);
      return;
    case 'id or values':
      if (args.length === 1) return idArgument(args[0]!);
      if (args.length === 0) throw new ClaimSyntaxError(`${name}() takes a block id, or two values or more`, column);
      for (const arg of args) {
        if (arg.type === 'ref' || arg.type === 'string') throw new ClaimSyntaxError(`${name}() of several arguments takes values, e.g. ${name}(ratio(a, b), 2): \`${describeNode(arg)}\` is a block id`, arg.column);
      }
      unitOfValues(args, `${name}()`);
      return;
    case 'pair, margin': {
      if (args.length !== 3) throw new ClaimSyntaxError(`same() takes two block ids (or two values) and a margin, e.g. same(a, b, 10%), got ${args.length} argument${args.length === 1 ? '' : 's'}`, column);
      const [a, b, margin] = args as [ClaimNode, ClaimNode, ClaimNode];
      if (isRef(a) !== isRef(b)) throw new ClaimSyntaxError('same() compares two block ids or two values, not one of each: write median(id) for a value', (isRef(a) ? b : a).column);
      if (a.type === 'string' || b.type === 'string') throw new ClaimSyntaxError('same() compares results or values, not texts', (a.type === 'string' ? a : b).column);
      if (!isRef(a)) checkUnits(a, b, 'same()', a.column);
      if (margin.type !== 'number' || (margin.unit !== '%' && margin.unit !== 'x')) {
        throw new ClaimSyntaxError('the margin of same() is a percentage or a factor, e.g. 10% or 1.1x', margin.column);
      }
      if (marginFactor(margin) <= 1) throw new ClaimSyntaxError('the margin of same() must be above 0% (a factor above 1x)', margin.column);
      return;
    }
    case 'id, text':
      if (args.length !== 2) throw new ClaimSyntaxError(`prints() takes a block id and a text, e.g. prints(profile, "slow_unique"), got ${args.length} argument${args.length === 1 ? '' : 's'}`, column);
      idArgument(args[0]!);
      if (args[1]!.type !== 'string') throw new ClaimSyntaxError('the second argument of prints() is a text in quotation marks', args[1]!.column);
      return;
  }
}

/** The margin of `same()` as a factor: `10%` is 1.1, `1.25x` is 1.25. */
export function marginFactor(node: Extract<ClaimNode, {type: 'number'}>): number {
  return node.unit === '%' ? 1 + node.value : node.value;
}

/**
 * The unit a value has, as far as the text shows: `undefined` for plain numbers and counts (`cores`),
 * `test` for a claim by itself (a comparison, `faster`, `same`...). Used to refuse comparisons of
 * times with bytes, and published figures in a unit no term of the check has.
 */
export function unitOf(node: ClaimNode): ClaimUnit | 'test' | undefined {
  switch (node.type) {
    case 'number':
      return node.unit;
    case 'string':
    case 'cores':
    case 'ref':
      return undefined;
    case 'call': {
      const declared = claimFunctions[node.name].unit;
      if ((node.name === 'min' || node.name === 'max') && node.args.length > 1) return unitOfValues(node.args, `${node.name}()`);
      return declared;
    }
    case 'unary':
      return node.op === 'not' ? 'test' : unitOf(node.arg);
    case 'binary': {
      const left = unitOf(node.left);
      const right = unitOf(node.right);
      if (node.op === '/' && left !== undefined && left === right) return 'x';
      return left ?? right;
    }
    case 'compare':
    case 'logic':
      return 'test';
  }
}

function unitOfValues(args: ClaimNode[], what: string): ClaimUnit | undefined {
  let unit: ClaimUnit | undefined;
  for (const arg of args) {
    const own = unitOf(arg);
    if (own === 'test') throw new ClaimSyntaxError(`${what} takes values, not comparisons`, arg.column);
    if (own !== undefined && unit !== undefined && own !== unit) throw new ClaimSyntaxError(`${what} mixes ${unitName(unit)} and ${unitName(own)}`, arg.column);
    unit ??= own;
  }
  return unit;
}

function checkUnits(left: ClaimNode, right: ClaimNode, what: string, column: number): void {
  const a = unitOf(left);
  const b = unitOf(right);
  if (a === 'test' || b === 'test') throw new ClaimSyntaxError(`${what} takes values, not comparisons: combine comparisons with and, or, not`, column);
  if (a !== undefined && b !== undefined && a !== b) throw new ClaimSyntaxError(`${what} compares ${unitName(a)} with ${unitName(b)}`, column);
}

/** A unit in words, for messages: `a time (ns)`. */
export function unitName(unit: ClaimUnit): string {
  return {ns: 'a time (ns)', B: 'a size (B)', x: 'a ratio (×)', '%': 'a percentage (%)'}[unit];
}

/** Every block reference in a check, with its column. */
export function claimReferences(node: ClaimNode): Array<{key: string; column: number}> {
  switch (node.type) {
    case 'ref':
      return [{key: node.key, column: node.column}, ...(node.param ? claimReferences(node.param.value) : [])];
    case 'call':
      return node.args.flatMap(claimReferences);
    case 'unary':
      return claimReferences(node.arg);
    case 'binary':
    case 'compare':
    case 'logic':
      return [...claimReferences(node.left), ...claimReferences(node.right)];
    default:
      return [];
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the check' : `\`${token.text}\``;
}

function describeNode(node: ClaimNode): string {
  switch (node.type) {
    case 'ref':
      return node.key;
    case 'number':
      return `the number ${node.value}`;
    case 'string':
      return `"${node.value}"`;
    default:
      return `a ${node.type === 'cores' ? 'core count' : 'value'}`;
  }
}
