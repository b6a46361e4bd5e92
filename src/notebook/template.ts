/**
 * The text of a block inside a TypeScript tagged template, as it appears in a Jupyter code cell.
 *
 * A tag reads the template's raw text, so backslashes are written as they are in the block
 * (`print("a\n")` stays `print("a\n")`). Only what would end the template or be rejected by
 * TypeScript is escaped: a run of backslashes before a backtick or `${`, before a malformed `\u`
 * or `\x` escape, or at the very end, is doubled, and a backslash is added before the backtick or
 * `${`. The encoding is one-to-one, so any text comes back byte for byte.
 */

/** Backslashes followed by something that needs escaping: a backtick, `${`, `u`, `x`, or the end. */
const escapePoint = /(\\*)(`|\$\{|u|x|$)/g;

/**
 * Writes text as the inside of a template literal that a tag reads back with `strings.raw[0]`.
 *
 * @param text any text: a block's info string and code, or front matter
 */
export function encodeTemplate(text: string): string {
  return text.replace(escapePoint, (match, slashes: string, next: string, offset: number) => {
    if (next === '`' || next === '${') return `${slashes}${slashes}\\${next}`;
    if (next === '') return slashes + slashes;
    // `u` and `x`: only the backslashes of a malformed escape need doubling, and only when there are some.
    if (slashes === '' || isWellFormedEscape(text, offset + slashes.length)) return match;
    return `${slashes}${slashes}${next}`;
  });
}

/**
 * Reads back what {@link encodeTemplate} wrote, from a template's raw text. Text written by hand in
 * the usual TypeScript way (`` \` `` for a backtick) reads as meant too.
 *
 * @param raw the raw text between the backticks
 */
export function decodeTemplate(raw: string): string {
  return raw.replace(escapePoint, (match, slashes: string, next: string, offset: number) => {
    if (next === '`' || next === '${') return slashes.slice(0, Math.floor(slashes.length / 2)) + next;
    if (next === '') return slashes.slice(0, Math.ceil(slashes.length / 2));
    if (slashes === '' || isWellFormedEscape(raw, offset + slashes.length)) return match;
    return slashes.slice(0, Math.ceil(slashes.length / 2)) + next;
  });
}

/** Whether `\u` or `\x` at `index` (the index of the `u` or `x`) is an escape TypeScript accepts. */
function isWellFormedEscape(text: string, index: number): boolean {
  const rest = text.slice(index + 1, index + 16);
  if (text[index] === 'x') return /^[0-9a-fA-F]{2}/.test(rest);
  const braced = /^\{([0-9a-fA-F]+)\}/.exec(rest);
  if (braced) return Number.parseInt(braced[1]!, 16) <= 0x10ffff;
  return /^[0-9a-fA-F]{4}/.test(rest);
}

/** A tagged template found in a cell's source. */
export interface FoundTemplate {
  /** The raw text between the backticks. */
  raw: string;
  /** Source before the tag expression's template (e.g. `await nb.block`). */
  before: string;
  /** Source after the closing backtick. */
  after: string;
  /** Offset of the first character of `raw` in the source. */
  offset: number;
}

/** Why a template could not be read from a cell. */
export interface TemplateProblem {
  problem: string;
  offset: number;
}

/**
 * Finds the template of the first `<name>.<tag>` tagged template in a cell's TypeScript source
 * (`nb.block` or `nb.frontMatter`), or says why it cannot be read.
 *
 * @param source the cell's source
 * @param tag the method name used as the tag
 */
export function findTaggedTemplate(source: string, tag: string): FoundTemplate | TemplateProblem | undefined {
  const start = new RegExp(`[A-Za-z_$][\\w$]*\\s*\\.\\s*${tag}\\s*\``).exec(source);
  if (!start) return undefined;
  const offset = start.index + start[0].length;
  for (let index = offset; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      index++;
    } else if (char === '`') {
      return {raw: source.slice(offset, index), before: source.slice(0, offset - 1), after: source.slice(index + 1), offset};
    } else if (char === '$' && source[index + 1] === '{') {
      return {problem: 'a block\'s template cannot hold `${...}`: write `\\${` for the characters themselves', offset: index};
    }
  }
  return {problem: 'the template is not closed: end it with a backtick', offset};
}

/** Whether a value returned by {@link findTaggedTemplate} is a problem. */
export function isTemplateProblem(found: FoundTemplate | TemplateProblem): found is TemplateProblem {
  return 'problem' in found;
}
