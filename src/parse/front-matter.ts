import {LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode} from 'yaml';
import type {MessageList} from './messages.js';
import {readOption} from './options.js';
import path from 'node:path';
import type {ArticleRef, ArticleSize, BlockOptions, ParamScalar, ParamValue, Point, Profile, PublishedFigure, PublishedSource} from './types.js';

/** The notebook-level settings read from the YAML front matter. */
export interface FrontMatter {
  title?: string;
  description?: string;
  article?: ArticleRef;
  params: Record<string, ParamValue>;
  profiles: Record<string, Profile>;
  measure: BlockOptions;
  published: Record<string, PublishedFigure>;
  /** Where each published key was written, to locate references to blocks that do not exist. */
  publishedPoints: Record<string, [number, number]>;
  /** Where each `article: sizes` parameter was written, to locate sizes of parameters that do not exist. */
  sizePoints: Record<string, [number, number]>;
}

const topLevelKeys = ['title', 'description', 'article', 'params', 'profiles', 'measure', 'published'];
const publishedKeys = ['median', 'time', 'min', 'max', 'peak', 'share', 'improvement', 'note', 'from', 'benchmark', 'per'];
/** Fields that give times: written in the front matter, or read from a file with `from:`, not both. */
const timeKeys = ['median', 'time', 'min', 'max'];
const articleKeys = ['title', 'url', 'author', 'site', 'date', 'machine', 'versions', 'method', 'differences', 'sizes'];
/** A published key: a result key, optionally `#set` naming another table of the article (`gsum-go#first-table`). */
const publishedSetPattern = /^[A-Za-z][\w-]*$/;
const measureKeys = ['repeat', 'warmup', 'processes', 'min-sample', 'budget', 'timeout', 'memory', 'mode', 'measure', 'runs', 'min-time'];
const paramName = /^[A-Za-z_]\w*$/;

/**
 * Reads the front matter's YAML, reporting every problem at its line and column in the notebook.
 *
 * @param yaml the YAML text between the `---` fences
 * @param firstLine the notebook line on which the YAML text starts
 */
export function readFrontMatter(yaml: string, firstLine: number, messages: MessageList): FrontMatter {
  const result: FrontMatter = {params: {}, profiles: {}, measure: {}, published: {}, publishedPoints: {}, sizePoints: {}};
  const sizePoints = result.sizePoints;
  const lineCounter = new LineCounter();
  const document = parseDocument(yaml, {lineCounter, prettyErrors: false, uniqueKeys: true});
  const at = (node: YamlNode | null | undefined): [number, number] => {
    const offset = node?.range?.[0] ?? 0;
    const {line, col} = lineCounter.linePos(offset);
    return [firstLine + line - 1, col];
  };

  for (const error of document.errors) {
    const {line, col} = lineCounter.linePos(error.pos[0]);
    messages.error(firstLine + line - 1, col, `invalid YAML in front matter: ${firstSentence(error.message)}`, 'yaml-syntax');
  }
  if (document.errors.length > 0) return result;

  const root = document.contents;
  if (root === null) return result;
  if (!isMap(root)) {
    messages.error(...at(root), 'front matter must be a mapping of keys such as `title:` and `params:`', 'front-matter-shape');
    return result;
  }

  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as YamlNode | null;
    switch (key) {
      case 'title':
      case 'description': {
        const text = readString(value);
        if (text === undefined) messages.error(...at(value ?? keyNode), `\`${key}\` must be a string`, 'front-matter-shape');
        else result[key] = text;
        break;
      }
      case 'article':
        result.article = readArticle(value, keyNode);
        break;
      case 'params':
        result.params = readParams(value, keyNode);
        break;
      case 'profiles':
        if (!isMap(value)) {
          messages.error(...at(value ?? keyNode), '`profiles` must map profile names to parameter overrides, e.g. `quick: {n: 1000}`', 'front-matter-shape');
          break;
        }
        for (const profilePair of value.items) {
          const name = keyText(profilePair.key);
          // `__proto__` would set the object's prototype instead of adding a profile.
          if (name === '__proto__') {
            messages.error(...at((profilePair.key as YamlNode) ?? value), 'invalid profile name `__proto__`', 'front-matter-shape');
            continue;
          }
          result.profiles[name] = readProfile(profilePair.value as YamlNode | null, profilePair.key as YamlNode);
        }
        break;
      case 'measure':
        result.measure = readMeasure(value, keyNode);
        break;
      case 'published':
        readPublished(value, keyNode);
        break;
      default:
        messages.error(...at(keyNode), `unknown front matter key \`${key}\`: expected one of ${topLevelKeys.join(', ')}`, 'unknown-front-matter-key');
    }
  }

  // Profile overrides must name declared parameters: a typo would otherwise be silently ignored.
  for (const pair of isMap(root.get('profiles', true)) ? (root.get('profiles', true) as any).items : []) {
    const profile = pair.value;
    if (!isMap(profile)) continue;
    for (const item of profile.items) {
      const name = keyText(item.key);
      if (name !== 'measure' && !Object.hasOwn(result.params, name)) {
        messages.error(...at(item.key as YamlNode), `profile \`${keyText(pair.key)}\` overrides unknown parameter \`${name}\`: declare it under \`params:\` first`, 'unknown-param');
      }
    }
  }
  return result;

  function readArticle(node: YamlNode | null, keyNode: YamlNode): ArticleRef | undefined {
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`article` must be a mapping with `title` and optionally `url`, `author`, `site`, `date`', 'front-matter-shape');
      return undefined;
    }
    const article: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const text = readString(pair.value as YamlNode | null);
      if (key === 'sizes') {
        article.sizes = readSizes(pair.value as YamlNode | null, pair.key as YamlNode);
      } else if (!articleKeys.includes(key)) {
        messages.error(...at(pair.key as YamlNode), `unknown article key \`${key}\`: expected one of ${articleKeys.join(', ')}`, 'unknown-front-matter-key');
      } else if (text === undefined) {
        messages.error(...at((pair.value as YamlNode) ?? (pair.key as YamlNode)), `article \`${key}\` must be a string`, 'front-matter-shape');
      } else {
        article[key] = text;
      }
    }
    if (!article.title) {
      messages.error(...at(keyNode), '`article` needs a `title`', 'front-matter-shape');
      return undefined;
    }
    return article as unknown as ArticleRef;
  }

  /** `article: sizes:`: the article's own value of parameters whose `full` profile value differs, each with why. */
  function readSizes(node: YamlNode | null, keyNode: YamlNode): Record<string, ArticleSize> {
    const sizes: Record<string, ArticleSize> = {};
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`article: sizes` must map parameter names to the article\'s values, e.g. `go_task_iter: {value: 8000000000, note: "..."}`', 'front-matter-shape');
      return sizes;
    }
    for (const pair of node.items) {
      const name = keyText(pair.key);
      const value = pair.value as YamlNode | null;
      sizePoints[name] = at(pair.key as YamlNode);
      if (isMap(value)) {
        const size: Partial<ArticleSize> = {};
        for (const item of value.items) {
          const field = keyText(item.key);
          if (field === 'value') {
            const read = readParamValue(item.value as YamlNode | null);
            if (read === undefined) messages.error(...at((item.value as YamlNode) ?? (item.key as YamlNode)), `article size \`${name}\` must be a number, string, boolean or a list of them`, 'invalid-param');
            else size.value = read;
          } else if (field === 'note') {
            const text = readString(item.value as YamlNode | null);
            if (text === undefined) messages.error(...at((item.value as YamlNode) ?? (item.key as YamlNode)), `article size \`${name}\`: \`note\` must be a string`, 'front-matter-shape');
            else size.note = text;
          } else {
            messages.error(...at(item.key as YamlNode), `unknown key \`${field}\` of article size \`${name}\`: expected value, note`, 'unknown-front-matter-key');
          }
        }
        if (size.value === undefined) messages.error(...at(pair.key as YamlNode), `article size \`${name}\` needs a \`value\``, 'front-matter-shape');
        else sizes[name] = size as ArticleSize;
        continue;
      }
      const read = readParamValue(value);
      if (read === undefined) messages.error(...at(value ?? (pair.key as YamlNode)), `article size \`${name}\` must be a number, string, boolean or a list of them`, 'invalid-param');
      else sizes[name] = {value: read};
    }
    return sizes;
  }

  function readParams(node: YamlNode | null, keyNode: YamlNode): Record<string, ParamValue> {
    const params: Record<string, ParamValue> = {};
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`params` must map parameter names to values, e.g. `n: 1000`', 'front-matter-shape');
      return params;
    }
    for (const pair of node.items) {
      const name = keyText(pair.key);
      if (!paramName.test(name) || name === 'measure' || name === '__proto__') {
        messages.error(...at(pair.key as YamlNode), `invalid parameter name \`${name}\`: expected an identifier other than \`measure\``, 'invalid-param');
        continue;
      }
      const value = readParamValue(pair.value as YamlNode | null);
      if (value === undefined) {
        messages.error(...at((pair.value as YamlNode) ?? (pair.key as YamlNode)), `parameter \`${name}\` must be a number, string, boolean or a list of them`, 'invalid-param');
      } else {
        params[name] = value;
      }
    }
    return params;
  }

  function readProfile(node: YamlNode | null, keyNode: YamlNode): Profile {
    const profile: Profile = {params: {}, measure: {}};
    if (node === null || (isScalar(node) && node.value === null)) return profile;
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), 'a profile must map parameter names to values', 'front-matter-shape');
      return profile;
    }
    for (const pair of node.items) {
      const name = keyText(pair.key);
      if (name === 'measure') {
        profile.measure = readMeasure(pair.value as YamlNode | null, pair.key as YamlNode);
        continue;
      }
      const value = readParamValue(pair.value as YamlNode | null);
      if (value === undefined) {
        messages.error(...at((pair.value as YamlNode) ?? (pair.key as YamlNode)), `parameter \`${name}\` must be a number, string, boolean or a list of them`, 'invalid-param');
      } else {
        profile.params[name] = value;
      }
    }
    return profile;
  }

  function readPublished(node: YamlNode | null, keyNode: YamlNode): void {
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`published` must map result keys to the article\'s figures, e.g. `pi-go: 2.11 s`', 'front-matter-shape');
      return;
    }
    for (const pair of node.items) {
      const key = keyText(pair.key);
      const value = pair.value as YamlNode | null;
      // `__proto__` would set the objects' prototypes; it names no block anyway.
      if (key === '__proto__') {
        messages.error(...at(pair.key as YamlNode), 'published figure for `__proto__`, which is not a bench or run block of this notebook', 'unknown-block-ref');
        continue;
      }
      result.publishedPoints[key] = at(pair.key as YamlNode);
      const set = key.includes('#') ? key.slice(key.indexOf('#') + 1) : undefined;
      if (set !== undefined && !publishedSetPattern.test(set)) {
        messages.error(...at(pair.key as YamlNode), `invalid published set \`${set}\` in \`${key}\`: after \`#\`, a name such as \`first-table\``, 'invalid-published');
        continue;
      }
      const figure: PublishedFigure = {};
      const fields: Array<[string, YamlNode | null]> = isMap(value)
        ? value.items.map((item) => [keyText(item.key), item.value as YamlNode | null])
        : [['median', value]];
      const source = readSource(key, fields, pair.key as YamlNode);
      if (source) figure.from = source;
      for (const [field, fieldNode] of fields) {
        if (!publishedKeys.includes(field)) {
          messages.error(...at(fieldNode ?? (pair.key as YamlNode)), `unknown published field \`${field}\`: expected one of ${publishedKeys.join(', ')}`, 'unknown-front-matter-key');
          continue;
        }
        const text = readString(fieldNode);
        if (field === 'note') {
          if (text !== undefined) figure.note = text;
          continue;
        }
        if (field === 'from' || field === 'benchmark' || field === 'per') continue;
        if (source && timeKeys.includes(field)) {
          messages.error(...at(fieldNode ?? (pair.key as YamlNode)), `published \`${key}\`: \`${field}\` and \`from:\` both give its times: write the figures, or read them from the file, not both`, 'invalid-published');
          continue;
        }
        if (field === 'improvement') {
          const percent = text === undefined ? undefined : parsePercent(text);
          if (percent === undefined) messages.error(...at(fieldNode ?? (pair.key as YamlNode)), `published \`${key}\`: expected the article's change from the previous row as a percentage, such as 49.5377% or -2.79%`, 'invalid-published');
          else figure.improvement = percent;
          continue;
        }
        const quantity = text === undefined ? undefined : parseQuantity(text);
        const wanted = field === 'peak' ? 'B' : 'ns';
        if (!quantity || quantity.unit !== wanted) {
          const example = wanted === 'B' ? '4,167,400 B or 1.5 MiB' : '2.11 s or 1.0552 us';
          messages.error(...at(fieldNode ?? (pair.key as YamlNode)), `published \`${key}\`: expected ${field === 'peak' ? 'a size' : 'a time'} with its unit, such as ${example}`, 'invalid-published');
          continue;
        }
        const name = field === 'time' ? 'median' : field === 'peak' ? 'peakBytes' : field;
        (figure as Record<string, number>)[name] = quantity.value;
      }
      result.published[key] = figure;
    }
  }

  /** `from:`, `benchmark:` and `per:` of a published figure: the results file its times are read from. */
  function readSource(key: string, fields: Array<[string, YamlNode | null]>, keyNode: YamlNode): PublishedSource | undefined {
    const field = (name: string): [string, YamlNode | null] | undefined => fields.find(([candidate]) => candidate === name);
    const from = field('from');
    const benchmark = field('benchmark');
    const per = field('per');
    if (!from) {
      for (const stray of [benchmark, per]) {
        if (stray) messages.error(...at(stray[1] ?? keyNode), `published \`${key}\`: \`${stray[0]}\` goes with \`from:\`, the results file the figures are read from`, 'invalid-published');
      }
      return undefined;
    }
    const file = readString(from[1]);
    if (file === undefined || file.trim() === '' || path.isAbsolute(file) || /^[a-z][a-z0-9+.-]*:/i.test(file)) {
      messages.error(...at(from[1] ?? keyNode), `published \`${key}\`: \`from\` must name a results file beside the notebook, relative to its folder, e.g. \`from: results/pytest.json\``, 'invalid-published');
      return undefined;
    }
    const name = readString(benchmark?.[1]);
    if (benchmark === undefined || name === undefined || name === '') {
      messages.error(...at(benchmark?.[1] ?? from[1] ?? keyNode), `published \`${key}\`: \`from: ${file}\` needs \`benchmark:\`, the benchmark's name in that file`, 'invalid-published');
      return undefined;
    }
    let divisor: number | undefined;
    if (per) {
      const text = readString(per[1]);
      divisor = text === undefined ? undefined : Number(text.replace(/[,_]/g, ''));
      if (divisor === undefined || !Number.isFinite(divisor) || divisor <= 0) {
        messages.error(...at(per[1] ?? keyNode), `published \`${key}\`: \`per\` must be a positive number, the units of work the file's times are for, e.g. \`per: 1000000\``, 'invalid-published');
        return undefined;
      }
    }
    const point = (node: YamlNode | null): Point => {
      const [line, column] = at(node ?? keyNode);
      return {line, column};
    };
    return {file, benchmark: name, ...(divisor === undefined ? {} : {per: divisor}), points: {from: point(from[1]), benchmark: point(benchmark[1])}};
  }

  function readMeasure(node: YamlNode | null, keyNode: YamlNode): BlockOptions {
    const options: BlockOptions = {};
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`measure` must map settings to values, e.g. `repeat: 5`', 'front-matter-shape');
      return options;
    }
    for (const pair of node.items) {
      const name = keyText(pair.key);
      if (!measureKeys.includes(name)) {
        messages.error(...at(pair.key as YamlNode), `unknown measure setting \`${name}\`: expected one of ${measureKeys.join(', ')}`, 'unknown-option');
        continue;
      }
      const raw = pair.value as YamlNode | null;
      const read = readOption('bench', name, isScalar(raw) ? String(raw.value) : undefined);
      if ('message' in read) messages.error(...at(raw ?? (pair.key as YamlNode)), read.message, read.rule);
      else options[name] = read.value;
    }
    return options;
  }
}

/** A mapping key as text; a missing key (`: value`) or a non-scalar one reads as `''`. */
function keyText(key: unknown): string {
  return isScalar(key) && key.value !== null ? String(key.value) : '';
}

function readString(node: YamlNode | null | undefined): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
}

function readScalar(node: unknown): ParamScalar | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function readParamValue(node: YamlNode | null): ParamValue | undefined {
  if (isSeq(node)) {
    const values = node.items.map(readScalar);
    // An empty list is a value (a sweep over it is an `invalid-sweep` error at the sweep).
    return values.every((value) => value !== undefined) ? (values as ParamScalar[]) : undefined;
  }
  return readScalar(node);
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Reads a figure as an article writes it: `2.11 s`, `1.0552 us`, `595.2 ns`, `4,167,400 B`, `1.5 MiB`.
 * Times come back in ns, sizes in bytes.
 */
export function parseQuantity(text: string): {value: number; unit: 'ns' | 'B'} | undefined {
  const match = /^(\d[\d,_]*(?:\.\d+)?)\s*(ns|us|µs|ms|s|B|KB|MB|GB|KiB|MiB|GiB)$/.exec(text.trim());
  if (!match) return undefined;
  const number = Number(match[1]!.replace(/[,_]/g, ''));
  const factors: Record<string, [number, 'ns' | 'B']> = {
    ns: [1, 'ns'], us: [1e3, 'ns'], µs: [1e3, 'ns'], ms: [1e6, 'ns'], s: [1e9, 'ns'],
    B: [1, 'B'], KB: [1e3, 'B'], MB: [1e6, 'B'], GB: [1e9, 'B'], KiB: [1024, 'B'], MiB: [1024 ** 2, 'B'], GiB: [1024 ** 3, 'B']
  };
  const [factor, unit] = factors[match[2]!]!;
  return {value: number * factor, unit};
}

/** Reads a signed percentage such as `49.5377%` or `-2.79%` into a fraction (0.495377), or undefined. */
export function parsePercent(text: string): number | undefined {
  const match = /^([-+−]?)(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[2]) / 100;
  return match[1] === '-' || match[1] === '−' ? -value : value;
}
