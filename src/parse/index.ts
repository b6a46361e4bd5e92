import path from 'node:path';
import type {Code, Root, Yaml} from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import {unified} from 'unified';
import {visit} from 'unist-util-visit';
import {runtimeForLanguage} from '../execute/languages.js';
import {readFrontMatter, type FrontMatter} from './front-matter.js';
import {tokenizeInfoString} from './info-string.js';
import {MessageList, sortMessages} from './messages.js';
import {readOption} from './options.js';
import type {Block, BlockKind, ParseResult} from './types.js';

export {formatMessage, sortMessages} from './messages.js';
export {parseDuration} from './options.js';
export type * from './types.js';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);

/** Kinds chosen by the word after a runtime language (` ```python bench `). */
const executableKinds: BlockKind[] = ['bench', 'run'];
/** Kinds chosen by the fence's language word itself (` ```plot `). */
const resultKinds: BlockKind[] = ['plot', 'table'];

/**
 * Parses a notebook's Markdown into blocks and settings, collecting every problem as a located message.
 * Never throws on bad input: a notebook with fatal messages is returned for display but must not run.
 *
 * @param source the notebook's text
 * @param file the notebook's path, used in messages and to name its page
 */
export function parseNotebook(source: string, file: string): ParseResult {
  const messages = new MessageList(file);
  const tree = processor.parse(source) as Root;
  const lines = source.split(/\r?\n/);

  let frontMatter: FrontMatter = {params: {}, profiles: {}, measure: {}};
  const yamlNode = tree.children[0]?.type === 'yaml' ? (tree.children[0] as Yaml) : undefined;
  if (yamlNode) {
    frontMatter = readFrontMatter(yamlNode.value, (yamlNode.position?.start.line ?? 1) + 1, messages);
  } else {
    messages.error(1, 1, 'a notebook starts with YAML front matter between `---` lines, with at least `title:`', 'missing-front-matter');
  }
  if (yamlNode && frontMatter.title === undefined && !messages.failed) {
    messages.error(yamlNode.position?.start.line ?? 1, 1, 'front matter needs a `title:`', 'missing-title');
  }

  const blocks: Block[] = [];
  const counters: Partial<Record<BlockKind, number>> = {};
  const firstLineOfId = new Map<string, number>();

  visit(tree, 'code', (node: Code) => {
    const block = readBlock(node, lines, frontMatter, messages, counters);
    if (!block) return;
    const seen = firstLineOfId.get(block.id);
    if (seen !== undefined) {
      const point = block.optionPoints.id ?? block.start;
      messages.error(point.line, point.column, `duplicate block id \`${block.id}\`: first used on line ${seen}`, 'duplicate-id');
    } else {
      firstLineOfId.set(block.id, block.start.line);
    }
    node.data = {...node.data, blockIndex: blocks.length} as Code['data'];
    blocks.push(block);
  });

  // References to other blocks are checked once every id is known, so order in the file does not matter.
  const executable = new Set(blocks.filter((block) => block.kind === 'bench' || block.kind === 'run').map((block) => block.id));
  for (const block of blocks) {
    const refs = block.options.blocks;
    if (!Array.isArray(refs)) continue;
    const point = block.optionPoints.blocks!;
    for (const ref of refs) {
      if (!executable.has(ref)) {
        messages.error(point.line, point.column, `\`${block.id}\` refers to \`${ref}\`, which is not a bench or run block of this notebook`, 'unknown-block-ref');
      }
    }
  }

  const name = path.basename(file).replace(/\.md$/i, '');
  return {
    notebook: {
      path: file,
      name,
      title: frontMatter.title ?? name,
      description: frontMatter.description,
      article: frontMatter.article,
      params: frontMatter.params,
      profiles: frontMatter.profiles,
      measure: frontMatter.measure,
      blocks,
      tree
    },
    messages: sortMessages(messages.messages)
  };
}

function readBlock(
  node: Code,
  lines: string[],
  frontMatter: FrontMatter,
  messages: MessageList,
  counters: Partial<Record<BlockKind, number>>
): Block | undefined {
  const start = node.position?.start ?? {line: 1, column: 1};
  const end = node.position?.end ?? start;
  const fenceLine = lines[start.line - 1] ?? '';
  // Indented code has no info string: it is shown as code, never run.
  const fenced = /^\s*(`{3,}|~{3,})/.test(fenceLine);
  const {tokens, problems} = fenced ? tokenizeInfoString(fenceLine) : {tokens: [], problems: []};
  for (const problem of problems) messages.error(start.line, problem.column, problem.message, 'invalid-info-string');

  const langToken = tokens[0];
  const lang = node.lang ?? '';
  const runtime = lang ? runtimeForLanguage(lang) : undefined;
  let kind: BlockKind = 'code';
  let rest = tokens.slice(1);

  if (resultKinds.includes(lang as BlockKind)) {
    kind = lang as BlockKind;
  } else if (rest[0] && rest[0].value === undefined) {
    const word = rest[0];
    rest = rest.slice(1);
    if (!executableKinds.includes(word.name as BlockKind)) {
      messages.error(start.line, word.column, `unknown block kind \`${word.name}\`: expected \`bench\` or \`run\` after the language, or nothing for code that is only shown`, 'unknown-block-kind');
    } else if (!runtime) {
      messages.error(start.line, langToken!.column, `no runtime runs \`${lang}\` blocks: expected one of python, go, c, js, ts`, 'unknown-runtime');
    } else {
      kind = word.name as BlockKind;
    }
  }

  const options: Block['options'] = {};
  const optionPoints: Block['optionPoints'] = {};
  for (const token of rest) {
    if (token.value === undefined) {
      messages.error(start.line, token.column, `unexpected word \`${token.name}\`: options are written \`name=value\``, 'invalid-info-string');
      continue;
    }
    if (token.name in options) {
      messages.error(start.line, token.column, `option \`${token.name}\` is given twice`, 'duplicate-option');
      continue;
    }
    const read = readOption(kind, token.name, token.value);
    optionPoints[token.name] = {line: start.line, column: token.column};
    if ('message' in read) messages.error(start.line, token.column, read.message, read.rule);
    else options[token.name] = read.value;
  }

  const sweep = options.sweep;
  if (typeof sweep === 'string' && !Array.isArray(frontMatter.params[sweep]) && !isRange(frontMatter.params[sweep])) {
    const point = optionPoints.sweep!;
    const problem = sweep in frontMatter.params ? 'is not a list or a range such as `1..12`' : 'is not declared under `params:`';
    messages.error(point.line, point.column, `cannot sweep over \`${sweep}\`: it ${problem}`, 'invalid-sweep');
  }

  const codeStart = {line: start.line + 1, column: start.column};
  if (kind === 'bench' || kind === 'run') checkPlaceholders(node.value, codeStart.line, frontMatter, messages);

  counters[kind] = (counters[kind] ?? 0) + 1;
  const id = typeof options.id === 'string' ? options.id : `${kind}-${counters[kind]}`;
  return {
    kind,
    id,
    lang,
    runtime: kind === 'bench' || kind === 'run' ? runtime : undefined,
    options,
    optionPoints,
    code: node.value,
    start: {line: start.line, column: start.column},
    end: {line: end.line, column: end.column},
    codeStart
  };
}

/** Matches a `{{name}}` placeholder, filled with a parameter's value when the block runs. */
export const placeholderPattern = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

function checkPlaceholders(code: string, firstLine: number, frontMatter: FrontMatter, messages: MessageList): void {
  code.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(placeholderPattern)) {
      const name = match[1]!;
      if (!(name in frontMatter.params)) {
        messages.warn(firstLine + index, (match.index ?? 0) + 1, `placeholder \`{{${name}}}\` names no parameter: it is left as written`, 'unknown-placeholder');
      }
    }
  });
}

/** Whether a parameter value is a range such as `1..12`. */
export function isRange(value: unknown): value is string {
  return typeof value === 'string' && /^-?\d+\.\.-?\d+$/.test(value);
}
