import {ClaimSyntaxError, parseClaimExpression} from './claim-expression.js';
import type {MessageList} from './messages.js';
import type {ClaimSpec, Point} from './types.js';

const claimKeys = ['claim', 'check', 'published', 'note'];

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
 * Every problem is located in the notebook, down to the column of a mistake inside `check`.
 */
export function readClaim(body: string, firstLine: number, messages: MessageList): {spec: ClaimSpec; point: Point} | undefined {
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
      messages.error(line, 1, 'expected `key: value` (claim, check, published or note)', 'invalid-claim');
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
  for (const required of ['claim', 'check']) {
    if (!fields[required] || fields[required]!.text === '') messages.error(firstLine, 1, `a claim block needs \`${required}:\``, 'invalid-claim');
  }
  if (!fields.claim?.text || !fields.check?.text) return undefined;

  const point = {line: fields.check.line, column: fields.check.column};
  try {
    const expression = parseClaimExpression(fields.check.text);
    return {
      spec: {
        text: fields.claim.text,
        check: fields.check.text,
        expression,
        ...(fields.published ? {published: fields.published.text} : {}),
        ...(fields.note ? {note: fields.note.text} : {})
      },
      point
    };
  } catch (error) {
    if (!(error instanceof ClaimSyntaxError)) throw error;
    messages.error(point.line, point.column + error.column - 1, `invalid check: ${error.message}`, 'invalid-claim');
    return undefined;
  }
}
