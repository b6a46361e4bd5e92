/**
 * The little language of `claim` checks: comparisons over measured results, e.g.
 * `ratio(pi-python, pi-go) > 100`, `faster(list-comp, list-map)`,
 * `peak(count-len) > 1000 * peak(count-for) and median(sleep-1) >= 1s`.
 *
 * Block ids may contain `-`, so subtraction needs spaces around it (`a - b`).
 */

/** A node of a parsed check. */
export type ClaimNode =
  | {type: 'number'; value: number; unit?: ClaimUnit; column: number}
  | {type: 'ref'; key: string; column: number}
  | {type: 'call'; name: ClaimFunction; args: ClaimNode[]; column: number}
  | {type: 'unary'; op: '-' | 'not'; arg: ClaimNode; column: number}
  | {type: 'binary'; op: '+' | '-' | '*' | '/'; left: ClaimNode; right: ClaimNode; column: number}
  | {type: 'compare'; op: '<' | '<=' | '>' | '>='; left: ClaimNode; right: ClaimNode; column: number}
  | {type: 'logic'; op: 'and' | 'or'; left: ClaimNode; right: ClaimNode; column: number};

/** What a value measures: it decides how figures are shown. */
export type ClaimUnit = 'ns' | 'B' | 'x';

/** The functions a check may call, with their arity and what they return. */
export const claimFunctions = {
  /** Median time per call, with its 95% interval. */
  median: {args: 1, unit: 'ns'},
  /** Fastest sample. */
  min: {args: 1, unit: 'ns'},
  /** Slowest sample. */
  max: {args: 1, unit: 'ns'},
  /** Mean time per call. */
  mean: {args: 1, unit: 'ns'},
  /** median(a) / median(b), with a bootstrap interval: > 1 means `a` is slower. */
  ratio: {args: 2, unit: 'x'},
  /** Holds when `a` is faster than `b` (the interval of ratio(a, b) is below 1). */
  faster: {args: 2, unit: undefined},
  /** Peak memory of one call (tracemalloc for Python), bytes. */
  peak: {args: 1, unit: 'B'},
  /** Peak resident set size of the process, bytes. */
  rss: {args: 1, unit: 'B'},
  /** Cost of starting the runtime (process mode), ns. */
  startup: {args: 1, unit: 'ns'},
  /** Relative spread of the samples: (max - min) / median. */
  spread: {args: 1, unit: 'x'}
} as const satisfies Record<string, {args: number; unit: ClaimUnit | undefined}>;

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
  x: [1, 'x']
};

interface Token {
  kind: 'number' | 'word' | 'op' | 'end';
  text: string;
  column: number;
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
    const number = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(ns|us|µs|ms|s|B|KB|MB|GB|KiB|MiB|GiB|x)?(?![\w@])/.exec(rest);
    if (number) {
      const [factor, unit] = number[2] ? unitFactors[number[2]]! : [1, undefined];
      tokens.push({kind: 'number', text: number[0], column, value: Number(number[1]) * factor, ...(unit ? {unit} : {})});
      index += number[0].length;
      continue;
    }
    // A block id, optionally with a swept value: `pool@workers=4`.
    const word = /^[A-Za-z_][\w.-]*(?:@[A-Za-z_]\w*=[\w.-]+)?/.exec(rest);
    if (word) {
      // A trailing `-` belongs to a subtraction written without spaces: refuse it clearly.
      tokens.push({kind: 'word', text: word[0], column});
      index += word[0].length;
      continue;
    }
    const op = /^(<=|>=|<|>|\+|-|\*|\/|\(|\)|,)/.exec(rest);
    if (op) {
      tokens.push({kind: 'op', text: op[0], column});
      index += op[0].length;
      continue;
    }
    throw new ClaimSyntaxError(`unexpected \`${rest[0]}\``, column);
  }
  tokens.push({kind: 'end', text: 'end of check', column: text.length + 1});
  return tokens;
}

/** Parses a check; throws `ClaimSyntaxError` with the column of the first problem. */
export function parseClaimExpression(text: string): ClaimNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const isOp = (text: string): boolean => peek().kind === 'op' && peek().text === text;
  const isWord = (text: string): boolean => peek().kind === 'word' && peek().text === text;
  const expect = (text: string): void => {
    if (!isOp(text)) throw new ClaimSyntaxError(`expected \`${text}\` but found ${describe(peek())}`, peek().column);
    next();
  };

  const parseOr = (): ClaimNode => {
    let left = parseAnd();
    while (isWord('or')) {
      const {column} = next();
      left = {type: 'logic', op: 'or', left, right: parseAnd(), column};
    }
    return left;
  };
  const parseAnd = (): ClaimNode => {
    let left = parseNot();
    while (isWord('and')) {
      const {column} = next();
      left = {type: 'logic', op: 'and', left, right: parseNot(), column};
    }
    return left;
  };
  const parseNot = (): ClaimNode => {
    if (isWord('not')) {
      const {column} = next();
      return {type: 'unary', op: 'not', arg: parseNot(), column};
    }
    return parseCompare();
  };
  const parseCompare = (): ClaimNode => {
    const left = parseSum();
    for (const op of ['<=', '>=', '<', '>'] as const) {
      if (isOp(op)) {
        const {column} = next();
        return {type: 'compare', op, left, right: parseSum(), column};
      }
    }
    return left;
  };
  const parseSum = (): ClaimNode => {
    let left = parseProduct();
    while (isOp('+') || isOp('-')) {
      const {text, column} = next();
      left = {type: 'binary', op: text as '+' | '-', left, right: parseProduct(), column};
    }
    return left;
  };
  const parseProduct = (): ClaimNode => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const {text, column} = next();
      left = {type: 'binary', op: text as '*' | '/', left, right: parseUnary(), column};
    }
    return left;
  };
  const parseUnary = (): ClaimNode => {
    if (isOp('-')) {
      const {column} = next();
      return {type: 'unary', op: '-', arg: parseUnary(), column};
    }
    return parseAtom();
  };
  const parseAtom = (): ClaimNode => {
    const token = next();
    if (token.kind === 'number') {
      return {type: 'number', value: token.value!, ...(token.unit ? {unit: token.unit} : {}), column: token.column};
    }
    if (token.kind === 'op' && token.text === '(') {
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (token.kind === 'word') {
      if (!isOp('(')) {
        throw new ClaimSyntaxError(`\`${token.text}\` is not a value: call a function on it, e.g. median(${token.text})`, token.column);
      }
      if (!Object.hasOwn(claimFunctions, token.text)) {
        throw new ClaimSyntaxError(`unknown function \`${token.text}\`: expected one of ${Object.keys(claimFunctions).join(', ')}`, token.column);
      }
      const name = token.text as ClaimFunction;
      next(); // (
      const args: ClaimNode[] = [];
      if (!isOp(')')) {
        do {
          if (args.length > 0) next(); // ,
          const arg = peek();
          if (arg.kind !== 'word') throw new ClaimSyntaxError(`expected a block id as argument of ${name}, found ${describe(arg)}`, arg.column);
          next();
          args.push({type: 'ref', key: arg.text, column: arg.column});
        } while (isOp(','));
      }
      expect(')');
      const arity = claimFunctions[name].args;
      if (args.length !== arity) {
        throw new ClaimSyntaxError(`${name}() takes ${arity} block id${arity === 1 ? '' : 's'}, got ${args.length}`, token.column);
      }
      return {type: 'call', name, args, column: token.column};
    }
    throw new ClaimSyntaxError(`expected a number, a function call or \`(\` but found ${describe(token)}`, token.column);
  };

  const tree = parseOr();
  if (peek().kind !== 'end') throw new ClaimSyntaxError(`unexpected ${describe(peek())}`, peek().column);
  return tree;
}

/** Every block reference in a check, with its column. */
export function claimReferences(node: ClaimNode): Array<{key: string; column: number}> {
  switch (node.type) {
    case 'ref':
      return [{key: node.key, column: node.column}];
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
