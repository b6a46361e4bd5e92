import type {Code, RootContent} from 'mdast';
import {parseNotebook} from '../parse/index.js';
import type {Block, BlockKind} from '../parse/types.js';

/** Blocks that become code cells: the ones that run, are run with, or show results. Shown-only code stays in the prose. */
export const cellKinds: ReadonlySet<BlockKind> = new Set(['bench', 'run', 'lib', 'plot', 'table', 'claim']);

/** A fenced block split into the parts a code cell keeps. `open + info + body + (close ?? '')` is its text. */
export interface FencedParts {
  /** The opening fence (`` ``` ``, `~~~~`): the block starts at the fence, its indentation is in `before`. */
  open: string;
  /** The rest of the opening line, then its line break: `python bench id=a\n`. */
  info: string;
  /** The code lines, each with its line break. */
  body: string;
  /** The closing fence line as written (indentation and trailing spaces included), or null when unclosed. */
  close: string | null;
}

/** One piece of a notebook's text, with the exact whitespace before it. */
export type Segment =
  | {kind: 'front-matter'; before: string; text: string}
  | {kind: 'prose'; before: string; text: string}
  | ({kind: 'block'; before: string; block: Block} & FencedParts);

/** A notebook's text cut into segments; joining `before + text` of each, then `trailing`, gives it back. */
export interface SegmentedNotebook {
  segments: Segment[];
  /** Whitespace after the last segment. */
  trailing: string;
  /** Set when every line break of the file is CRLF: segments then hold LF only. */
  eol?: '\r\n';
  /** Set when the file starts with a byte order mark (not part of any segment). */
  bom?: boolean;
}

/**
 * Cuts a notebook's Markdown into front matter, prose, and the top-level blocks that run or show
 * results, keeping every byte: blank lines, indentation, fences, HTML comments, trailing newlines.
 * Shown-only code, indented code and blocks nested in lists or quotes stay inside the prose.
 *
 * @param source the notebook's text
 * @param file its path, for the parser
 */
export function segmentNotebook(source: string, file: string): SegmentedNotebook {
  const bom = source.startsWith('\uFEFF');
  let text = bom ? source.slice(1) : source;
  // CRLF files become LF in cells (Jupyter's editors write LF) and get CRLF back on import.
  const eol = isCrlfOnly(text) ? '\r\n' : undefined;
  if (eol) text = text.replace(/\r\n/g, '\n');

  const {notebook} = parseNotebook(text, file);
  const cuts: Array<{start: number; end: number; block?: Block}> = [];
  for (const [index, node] of (notebook?.tree.children ?? []).entries()) {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) continue;
    if (index === 0 && node.type === 'yaml') cuts.push({start, end});
    const block = blockOf(node, notebook?.blocks ?? []);
    if (block && cellKinds.has(block.kind)) cuts.push({start, end, block});
  }

  const segments: Segment[] = [];
  let position = 0;
  let pending = '';
  const addGap = (gap: string): string => {
    const {lead, content, trail} = splitGap(gap);
    if (content === '') return pending + gap;
    segments.push({kind: 'prose', before: pending + lead, text: content});
    return trail;
  };
  for (const cut of cuts) {
    pending = addGap(text.slice(position, cut.start));
    const piece = text.slice(cut.start, cut.end);
    segments.push(cut.block ? {kind: 'block', before: pending, block: cut.block, ...splitFenced(piece)} : {kind: 'front-matter', before: pending, text: piece});
    pending = '';
    position = cut.end;
  }
  const trailing = addGap(text.slice(position));
  return {segments, trailing, ...(eol ? {eol} : {}), ...(bom ? {bom} : {})};
}

/** Joins segments back into the notebook's text: the inverse of {@link segmentNotebook}. */
export function joinSegments(segmented: Pick<SegmentedNotebook, 'trailing' | 'eol' | 'bom'> & {segments: Array<{before: string; text: string}>}): string {
  let text = '';
  for (const segment of segmented.segments) {
    let before = segment.before;
    // A cell added or moved in Jupyter may lack the line break a Markdown construct needs before it.
    if (text !== '' && !/[\r\n]\s*$/.test(text + before)) before = '\n\n';
    text += before + segment.text;
  }
  text += segmented.trailing;
  if (segmented.eol) text = text.replace(/\n/g, segmented.eol);
  return segmented.bom ? `\uFEFF${text}` : text;
}

/** The text of a fenced block from its parts, lengthening the fence if the code now holds one like it. */
export function joinFenced(parts: FencedParts): string {
  let {open, info, body, close} = parts;
  // An unclosed block at the end of a file is kept as it is; a closed one needs its lines ended.
  if (close !== null && !/[\r\n]$/.test(info)) info += '\n';
  if (close !== null && body !== '' && !/[\r\n]$/.test(body)) body += '\n';
  const fence = /^[`~]+/.exec(open)?.[0] ?? '```';
  // A line of the code that would close the block (up to three spaces of indentation, then a fence at
  // least as long) can only come from an edit: lengthen the fence around it.
  const closer = new RegExp(`^ {0,3}(\\${fence[0]}{3,})[ \\t]*$`, 'gm');
  const longest = Math.max(0, ...[...body.matchAll(closer)].map((match) => match[1]!.length));
  if (longest >= fence.length) {
    const longer = fence[0]!.repeat(longest + 1);
    open = open.replace(fence, longer);
    close = close === null ? null : close.replace(/[`~]+/, longer);
  }
  return open + info + body + (close ?? '');
}

/** Splits a fenced block's exact text into its opening fence, info line, body and closing line. */
export function splitFenced(text: string): FencedParts {
  const opening = /^([`~]{3,})([^\r\n]*(?:\r\n|\n|\r)?)/.exec(text);
  if (!opening) return {open: '', info: text, body: '', close: null};
  const open = opening[1]!;
  const info = opening[2]!;
  const rest = text.slice(opening[0].length);
  if (!/(\r\n|\n|\r)$/.test(info)) return {open, info, body: rest, close: null};
  const lastLine = /[^\r\n]*$/.exec(rest)![0];
  const closing = /^[ \t]{0,3}([`~]+)[ \t]*$/.exec(lastLine);
  const closes = closing !== null && closing[1]![0] === open[0] && closing[1]!.length >= open.length && /^(.)\1*$/.test(closing[1]!);
  if (!closes) return {open, info, body: rest, close: null};
  return {open, info, body: rest.slice(0, rest.length - lastLine.length), close: lastLine};
}

/** Leading blank lines, the content, and the whitespace after its last visible character. */
function splitGap(gap: string): {lead: string; content: string; trail: string} {
  const first = gap.search(/\S/);
  if (first === -1) return {lead: gap, content: '', trail: ''};
  // Keep the first content line's indentation in the cell: four spaces make indented code.
  const lineStart = Math.max(gap.lastIndexOf('\n', first), gap.lastIndexOf('\r', first)) + 1;
  const last = gap.length - /\s*$/.exec(gap)![0].length;
  return {lead: gap.slice(0, lineStart), content: gap.slice(lineStart, last), trail: gap.slice(last)};
}

function isCrlfOnly(text: string): boolean {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
}

function blockOf(node: RootContent, blocks: Block[]): Block | undefined {
  if (node.type !== 'code') return undefined;
  const index = ((node as Code).data as {blockIndex?: number} | undefined)?.blockIndex;
  return index === undefined ? undefined : blocks[index];
}
