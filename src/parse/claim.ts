import {ClaimSyntaxError, parseClaimExpression, readUnit, unitName, unitOf, type ClaimNode, type ClaimUnit} from './claim-expression.js';
import type {MessageList} from './messages.js';
import type {ClaimKind, ClaimSpec, Point, PublishedClaimFigure} from './types.js';

const claimKeys = ['claim', 'hypothesis', 'check', 'published', 'note'];

/**
 * Reads a `claim` block's body: one `key: value` per line, the value being the rest of the line
 * taken literally (an article's words are full of colons and quotes that YAML would trip on);
 * an indented line continues the previous value.
 *
 * ```
 * claim: "Golang takes the lead by a lot. It happens to be 317 times faster."
 * check: ratio(pi-python, pi-go) > 100
 * published: 317x
 * note: the article's table gives 31.7x per iteration
 * ```
 *
 * `hypothesis:` instead of `claim:` marks this project's own question. Every problem is located in
 * the notebook, down to the column of a mistake inside `check` or `published`.
 */
export function readClaim(
  body: string,
  firstLine: number,
  messages: MessageList,
  options: {tolerance?: number} = {}
): {spec: ClaimSpec; point: Point} | undefined {
  const fields: Record<string, {text: string; line: number; column: number}> = {};
  let last: string | undefined;
  body.split(/\r?\n/).forEach((text, index) => {
    const line = firstLine + index;
    if (text.trim() === '') return;
    if (/^\s/.test(text) && last) {
      fields[last]!.text += ` ${text.trim()}`;
      return;
    }
    const match = /^([A-Za-z][\w-]*)\s*:\s?(.*)$/.exec(text);
    if (!match) {
      messages.error(line, 1, 'expected `key: value` (claim or hypothesis, check, published or note)', 'invalid-claim');
      last = undefined;
      return;
    }
    const [, key, value] = match as unknown as [string, string, string];
    if (!claimKeys.includes(key)) {
      messages.error(line, 1, `unknown claim key \`${key}\`: expected one of ${claimKeys.join(', ')}`, 'invalid-claim');
      last = undefined;
      return;
    }
    if (fields[key]) {
      messages.error(line, 1, `claim key \`${key}\` is given twice`, 'invalid-claim');
      last = undefined;
      return;
    }
    fields[key] = {text: value.trim(), line, column: text.length - value.length + 1};
    last = key;
  });
  if (fields.claim && fields.hypothesis) {
    messages.error(fields.hypothesis.line, 1, 'a block is a `claim:` (the article\'s words) or a `hypothesis:` (our own question), not both', 'invalid-claim');
    return undefined;
  }
  const kind: ClaimKind = fields.hypothesis ? 'hypothesis' : 'claim';
  const statement = fields[kind];
  if (!statement || statement.text === '') messages.error(firstLine, 1, 'a claim block needs `claim:` (the article\'s words, in quotation marks) or `hypothesis:` (our own question)', 'invalid-claim');
  if (!fields.check || fields.check.text === '') messages.error(firstLine, 1, 'a claim block needs `check:`', 'invalid-claim');
  if (!statement?.text || !fields.check?.text) return undefined;
  if (kind === 'claim' && !/["“”]/.test(statement.text)) {
    messages.warn(
      statement.line,
      statement.column,
      'a claim quotes the article: put its words in quotation marks, or write `hypothesis:` for a question of our own',
      'invalid-claim'
    );
  }

  const point = {line: fields.check.line, column: fields.check.column};
  let expression: ClaimNode;
  try {
    expression = parseClaimExpression(fields.check.text);
  } catch (error) {
    if (!(error instanceof ClaimSyntaxError)) throw error;
    messages.error(point.line, point.column + error.column - 1, `invalid check: ${error.message}`, 'invalid-claim');
    return undefined;
  }
  let publishedFigure: PublishedClaimFigure | undefined;
  if (fields.published) {
    const read = readPublishedFigure(fields.published.text);
    const at = fields.published;
    if ('message' in read) {
      messages.error(at.line, at.column + read.column - 1, `invalid published figure: ${read.message}`, 'invalid-claim');
      return undefined;
    }
    const units = termUnits(expression);
    if (!units.includes(read.unit)) {
      const have = [...new Set(units)].map(unitName);
      messages.error(
        at.line,
        at.column,
        `the published figure is ${unitName(read.unit)}, but no term of the check is${have.length ? ` (they are ${have.join(' and ')})` : ''}: its magnitude could not be compared with ours`,
        'invalid-claim'
      );
      return undefined;
    }
    if (read.sense && read.unit !== 'x') {
      messages.error(at.line, at.column, `\`${read.sense}\` follows a ratio (\`2× ${read.sense}\`), not ${unitName(read.unit)}`, 'invalid-claim');
      return undefined;
    }
    publishedFigure = read;
  }
  return {
    spec: {
      kind,
      text: statement.text,
      check: fields.check.text,
      expression,
      ...(fields.published ? {published: fields.published.text} : {}),
      ...(publishedFigure ? {publishedFigure} : {}),
      ...(options.tolerance !== undefined ? {tolerance: options.tolerance} : {}),
      ...(fields.note ? {note: fields.note.text} : {})
    },
    point
  };
}

/**
 * Reads the figure at the start of a claim's `published:` text: a number (thousands separated by
 * commas), a unit (`×` or `x`, `%`, `ns`, `µs`, `ms`, `s`, `B`, `KB`, `MiB`...) and for a ratio
 * optionally `faster` or `slower`; the rest of the text (sizes, sources) is kept as written.
 * `317×`, `2.2× slower (2,336 ns vs 1,067 ns)`, `4,167,400 B`, `16.19 s`, `23.6%`.
 */
export function readPublishedFigure(text: string): PublishedClaimFigure | {message: string; column: number} {
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(×|x|%|ns|us|µs|ms|s|B|KB|MB|GB|KiB|MiB|GiB)(?![\w]))?(?:\s+(faster|slower)\b)?/.exec(text);
  if (!match) {
    return {message: 'expected a figure at its start, such as `317×`, `2.2× slower`, `4,167,400 B` or `16.19 s`; put words without a figure in `note:`', column: 1};
  }
  const [whole, integer, fraction, unitWord, sense] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined];
  if (unitWord === undefined) {
    return {message: `\`${integer}${fraction ?? ''}\` needs a unit: × for a ratio, s, ms, µs or ns for a time, B, KiB or MiB for a size, % for a spread`, column: whole.length + 1};
  }
  const rest = text.slice(whole.length);
  if (rest !== '' && !/^[\s,;:(–—-]/.test(rest)) {
    return {message: `unexpected \`${rest[0]}\` after the figure: separate the explanation with a space`, column: whole.length + 1};
  }
  const [factor, unit] = readUnit(unitWord)!;
  const digits = `${integer.replaceAll(',', '')}${fraction ?? ''}`;
  // Powers of ten go into the exponent, so `16.19 s` is exactly 16190000000 ns.
  const exponent = Math.log10(factor);
  const value = Number.isInteger(exponent) ? Number(`${digits}e${exponent}`) : Number(digits) * factor;
  if (!(value > 0)) return {message: 'a published figure must be above zero', column: 1};
  return {text, value, unit, ...(sense ? {sense: sense as 'faster' | 'slower'} : {})};
}

/** The units of the quantities the check's terms compare: the left side of each comparison, the ratio of faster/slower/same. */
export function termUnits(node: ClaimNode): ClaimUnit[] {
  switch (node.type) {
    case 'compare': {
      const unit = unitOf(node.left) ?? unitOf(node.right);
      return unit === undefined || unit === 'test' ? [] : [unit];
    }
    case 'call':
      // same(a, b, m) compares a ratio with its margin; same(x, y, m) the ratio x / y.
      if (node.name === 'faster' || node.name === 'slower' || node.name === 'same') return ['x'];
      return [];
    case 'unary':
      return node.op === 'not' ? termUnits(node.arg) : [];
    case 'logic':
      return [...termUnits(node.left), ...termUnits(node.right)];
    default:
      return [];
  }
}
