import path from 'node:path';
import type {Code, Root, Yaml} from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import {unified} from 'unified';
import {visit} from 'unist-util-visit';
import {languageForFence, languages, libraryRuntimes, runtimeForLanguage, runtimeProblem} from '../runtimes/index.js';
import {readFrontMatter, type FrontMatter} from './front-matter.js';
import {tokenizeInfoString} from './info-string.js';
import {MessageList, sortMessages} from './messages.js';
import {readOption, sizeNames} from './options.js';
import {claimReferences} from './claim-expression.js';
import {readClaim} from './claim.js';
import {isRange, libraryPlaceholderPattern, maxSweepValues, placeholderPattern} from './syntax.js';
import type {Block, BlockKind, ParamValue, ParseResult, Point} from './types.js';

export {formatMessage, sortMessages} from './messages.js';
export {isRange, libraryPlaceholderPattern, maxSweepValues, placeholderPattern} from './syntax.js';
export {evaluateSize, parseDuration, sizeNames} from './options.js';
export {readPublishedFiles, type PublishedFileEffects, type PublishedFilesResult} from './published-files.js';
export {readToolResults, type ToolBenchmark, type ToolResults} from './tool-results.js';
export type * from './types.js';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);

/** Kinds chosen by the word after a runtime language (` ```python bench `, ` ```go lib `). */
const executableKinds: BlockKind[] = ['bench', 'run', 'lib'];
/** Kinds chosen by the fence's language word itself (` ```plot `). */
const resultKinds: BlockKind[] = ['plot', 'table', 'claim'];

/**
 * Parses a notebook's Markdown into blocks and settings, collecting every problem as a located message.
 * Never throws on bad input: a notebook with fatal messages is returned for display but must not run.
 *
 * @param source the notebook's text
 * @param file the notebook's path, used in messages and to name its page
 */
export function parseNotebook(source: string, file: string): ParseResult {
  try {
    return readNotebook(source, file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // micromark recurses once per level of quotes and lists: thousands of levels exhaust the stack.
    if (error instanceof RangeError && /call stack/.test(reason)) {
      const message = 'quotes or lists are nested too deeply to read (thousands of levels): flatten them';
      return {messages: [{file, line: 1, column: 1, message, rule: 'nesting-too-deep', fatal: true}]};
    }
    // A bug of ours must cost one notebook, not the whole report (the fuzz tests look for these).
    const message = `benchbook could not read this notebook (internal error: ${reason.split('\n')[0]}): please report it with the notebook`;
    return {messages: [{file, line: 1, column: 1, message, rule: 'internal-error', fatal: true}]};
  }
}

function readNotebook(source: string, file: string): ParseResult {
  const messages = new MessageList(file);
  const tree = processor.parse(source) as Root;
  // The line endings micromark knows, so that `lines` agrees with the tree's positions.
  const lines = source.split(/\r\n|\r|\n/);

  let frontMatter: FrontMatter = {params: {}, profiles: {}, measure: {}, published: {}, publishedPoints: {}, sizePoints: {}};
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

  for (const block of blocks) {
    if (!block.claim) continue;
    for (const ref of claimReferences(block.claim.expression)) {
      const id = ref.key.split('@')[0]!;
      if (!executable.has(id)) {
        const point = block.claimPoint!;
        messages.error(point.line, point.column + ref.column - 1, `claim \`${block.id}\` refers to \`${id}\`, which is not a bench or run block of this notebook`, 'unknown-block-ref');
      }
    }
  }
  for (const [key, [line, column]] of Object.entries(frontMatter.publishedPoints)) {
    if (!executable.has(key.split('#')[0]!.split('@')[0]!)) {
      messages.error(line, column, `published figure for \`${key}\`, which is not a bench or run block of this notebook`, 'unknown-block-ref');
    }
  }
  for (const [name, [line, column]] of Object.entries(frontMatter.sizePoints)) {
    if (!Object.hasOwn(frontMatter.params, name)) {
      messages.error(line, column, `article size for \`${name}\`, which is not a parameter declared under \`params:\``, 'unknown-param');
    }
  }
  const sets = new Set(Object.keys(frontMatter.published).flatMap((key) => (key.includes('#') ? [key.slice(key.indexOf('#') + 1)] : [])));
  for (const block of blocks) {
    const set = block.options.published;
    if (typeof set !== 'string' || sets.has(set)) continue;
    const point = block.optionPoints.published!;
    const known = sets.size === 0 ? 'the front matter names none (write `key#set:` under `published:`)' : `expected one of ${[...sets].join(', ')}`;
    messages.error(point.line, point.column, `published=${set} names no set of the article's figures: ${known}`, 'unknown-block-ref');
  }

  const libraries = new Set(blocks.filter((block) => block.kind === 'lib').map((block) => block.id));
  for (const block of blocks) {
    const uses = block.options.uses;
    if (!Array.isArray(uses)) continue;
    const point = block.optionPoints.uses!;
    for (const ref of uses) {
      if (!libraries.has(ref)) {
        messages.error(point.line, point.column, `\`${block.id}\` uses \`${ref}\`, which is not a lib block of this notebook`, 'unknown-block-ref');
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
      published: frontMatter.published,
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
  // A fence inside a quote or a list item starts after the `>` or `- `: read from the fence itself.
  const wholeLine = lines[start.line - 1] ?? '';
  const fromFence = wholeLine.slice(start.column - 1);
  const shift = /^(`{3,}|~{3,})/.test(fromFence) ? start.column - 1 : 0;
  const fenceLine = shift > 0 ? fromFence : wholeLine;
  // Indented code has no info string: it is shown as code, never run.
  const fenced = /^\s*(`{3,}|~{3,})/.test(fenceLine);
  const tokenized = fenced ? tokenizeInfoString(fenceLine) : {tokens: [], problems: []};
  const tokens = tokenized.tokens.map((token) => ({...token, column: token.column + shift}));
  for (const problem of tokenized.problems) messages.error(start.line, problem.column + shift, problem.message, 'invalid-info-string');

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
      messages.error(start.line, langToken!.column, `no runtime runs \`${lang}\` blocks: expected one of ${languages().map((language) => language.name).join(', ')}`, 'unknown-runtime');
    } else if (word.name === 'lib' && !libraryRuntimes().includes(runtime)) {
      messages.error(start.line, langToken!.column, `a lib block is written in ${listWords(libraryRuntimes())}, not \`${lang}\``, 'unknown-runtime');
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
    if (Object.hasOwn(options, token.name)) {
      messages.error(start.line, token.column, `option \`${token.name}\` is given twice`, 'duplicate-option');
      continue;
    }
    const read = readOption(kind, token.name, token.value);
    optionPoints[token.name] = {line: start.line, column: token.column};
    if ('message' in read) messages.error(start.line, token.column, read.message, read.rule);
    else options[token.name] = read.value;
  }

  const sweep = options.sweep;
  if (typeof sweep === 'string') checkSweep(sweep, optionPoints.sweep!, frontMatter, messages);

  // `runtime=pypy` picks one of the language's runtimes; without it, the language's default runs the block.
  let chosenRuntime = runtime;
  if (typeof options.runtime === 'string' && runtime !== undefined) {
    const problem = runtimeProblem(languageForFence(lang)!, options.runtime);
    const point = optionPoints.runtime!;
    if (problem) messages.error(point.line, point.column, problem, 'unknown-runtime');
    else chosenRuntime = options.runtime;
  }

  const per = options.per;
  if (typeof per === 'string' && typeof frontMatter.params[per] !== 'number' && !Array.isArray(frontMatter.params[per])) {
    const point = optionPoints.per!;
    messages.error(point.line, point.column, `cannot divide times by \`${per}\`: it is not a numeric parameter declared under \`params:\``, 'unknown-param');
  }

  const size = options.size;
  if (typeof size === 'string') {
    const point = optionPoints.size!;
    for (const name of sizeNames(size)) {
      if (typeof frontMatter.params[name] !== 'number' && !Array.isArray(frontMatter.params[name]) && !isRange(frontMatter.params[name])) {
        messages.error(point.line, point.column, `cannot scale by \`${name}\` in size=: it is not a numeric parameter declared under \`params:\``, 'unknown-param');
      }
    }
  }

  const codeStart = {line: start.line + 1, column: start.column};
  if (kind === 'bench' || kind === 'run') checkPlaceholders(node.value, codeStart.line, frontMatter, messages);
  if (kind === 'bench' || kind === 'run') checkLibraryPlaceholders(node.value, codeStart.line, options.uses, messages);

  const claimOptions = {
    ...(typeof options.tolerance === 'number' ? {tolerance: options.tolerance} : {}),
    ...(options['same-result'] === 'no' ? {sameResult: false} : {})
  };
  const claim = kind === 'claim' ? readClaim(node.value, codeStart.line, messages, claimOptions) : undefined;

  counters[kind] = (counters[kind] ?? 0) + 1;
  const id = typeof options.id === 'string' ? options.id : `${kind}-${counters[kind]}`;
  if (kind === 'lib' && runtime === 'rust' && !/^[A-Za-z_][\w-]*$/.test(id)) {
    const point = optionPoints.id ?? start;
    messages.error(point.line, point.column, `a rust lib's id is its Python module name (\`-\` read as \`_\`): \`${id}\` may hold only letters, digits, \`_\` and \`-\``, 'invalid-option');
  }
  return {
    kind,
    id,
    lang,
    runtime: kind === 'bench' || kind === 'run' || kind === 'lib' ? chosenRuntime : undefined,
    options,
    optionPoints,
    code: node.value,
    start: {line: start.line, column: start.column},
    end: {line: end.line, column: end.column},
    codeStart,
    ...(claim ? {claim: claim.spec, claimPoint: claim.point} : {})
  };
}

function checkPlaceholders(code: string, firstLine: number, frontMatter: FrontMatter, messages: MessageList): void {
  code.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(placeholderPattern)) {
      const name = match[1]!;
      if (!Object.hasOwn(frontMatter.params, name)) {
        messages.warn(firstLine + index, (match.index ?? 0) + 1, `placeholder \`{{${name}}}\` names no parameter: it is left as written`, 'unknown-placeholder');
      }
    }
  });
}

/** A `{{lib:id}}` must name a library the block declares in `uses=`, or the path could not be filled in. */
function checkLibraryPlaceholders(code: string, firstLine: number, uses: unknown, messages: MessageList): void {
  const declared = Array.isArray(uses) ? uses : [];
  code.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(libraryPlaceholderPattern)) {
      const id = match[1]!;
      if (!declared.includes(id)) {
        messages.error(firstLine + index, (match.index ?? 0) + 1, `placeholder \`{{lib:${id}}}\` needs \`uses=${id}\` in the block's options`, 'unknown-block-ref');
      }
    }
  });
}

/**
 * A sweep needs a non-empty list or range of distinct values, under `params:` and under every profile
 * that overrides it (a profile may also pin it to one value): each value becomes one stored result.
 */
function checkSweep(name: string, point: Point, frontMatter: FrontMatter, messages: MessageList): void {
  const fail = (problem: string) => messages.error(point.line, point.column, `cannot sweep over \`${name}\`: ${problem}`, 'invalid-sweep');
  if (!Object.hasOwn(frontMatter.params, name)) return fail('it is not declared under `params:`');
  const value = frontMatter.params[name]!;
  if (!Array.isArray(value) && !isRange(value)) return fail('it is not a list or a range such as `1..12`');
  const candidates: Array<[string, ParamValue]> = [['', value]];
  for (const [profile, overrides] of Object.entries(frontMatter.profiles)) {
    if (Object.hasOwn(overrides.params, name)) candidates.push([` in profile \`${profile}\``, overrides.params[name]!]);
  }
  for (const [where, candidate] of candidates) {
    const problem = sweepProblem(candidate);
    if (problem !== undefined) return fail(`it ${problem}${where}`);
  }
}

/** What is wrong with a swept parameter's value, or undefined. */
function sweepProblem(value: ParamValue): string | undefined {
  if (isRange(value)) {
    const [from, to] = value.split('..').map(Number) as [number, number];
    const count = Math.abs(to - from) + 1;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || count > maxSweepValues) {
      return `is a range of ${count > 1e15 ? 'too many' : count} values: at most ${maxSweepValues}`;
    }
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return 'is an empty list: give it at least one value, e.g. `[1, 2, 4]`';
  if (value.length > maxSweepValues) return `has ${value.length} values: at most ${maxSweepValues}`;
  // Compared as the store names result files, so that two values never share one file.
  const seen = new Set<string>();
  for (const item of value) {
    const fileName = String(item).replace(/[^\w.@=-]/g, '_');
    if (seen.has(fileName)) return `lists \`${String(item)}\` twice (or two values that differ only in punctuation): each value is one stored result`;
    seen.add(fileName);
  }
  return undefined;
}

/** `go, c or rust`. */
function listWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
