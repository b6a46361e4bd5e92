import {LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode} from 'yaml';
import type {MessageList} from './messages.js';
import {readOption} from './options.js';
import type {ArticleRef, BlockOptions, ParamScalar, ParamValue, Profile} from './types.js';

/** The notebook-level settings read from the YAML front matter. */
export interface FrontMatter {
  title?: string;
  description?: string;
  article?: ArticleRef;
  params: Record<string, ParamValue>;
  profiles: Record<string, Profile>;
  measure: BlockOptions;
}

const topLevelKeys = ['title', 'description', 'article', 'params', 'profiles', 'measure'];
const articleKeys = ['title', 'url', 'author', 'site', 'date'];
const measureKeys = ['repeat', 'warmup', 'processes', 'min-sample', 'timeout'];
const paramName = /^[A-Za-z_]\w*$/;

/**
 * Reads the front matter's YAML, reporting every problem at its line and column in the notebook.
 *
 * @param yaml the YAML text between the `---` fences
 * @param firstLine the notebook line on which the YAML text starts
 */
export function readFrontMatter(yaml: string, firstLine: number, messages: MessageList): FrontMatter {
  const result: FrontMatter = {params: {}, profiles: {}, measure: {}};
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
          const name = String((profilePair.key as YamlNode & {value?: unknown}).value);
          result.profiles[name] = readProfile(profilePair.value as YamlNode | null, profilePair.key as YamlNode);
        }
        break;
      case 'measure':
        result.measure = readMeasure(value, keyNode);
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
      const name = String((item.key as any).value);
      if (name !== 'measure' && !(name in result.params)) {
        messages.error(...at(item.key as YamlNode), `profile \`${String(pair.key.value)}\` overrides unknown parameter \`${name}\`: declare it under \`params:\` first`, 'unknown-param');
      }
    }
  }
  return result;

  function readArticle(node: YamlNode | null, keyNode: YamlNode): ArticleRef | undefined {
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`article` must be a mapping with `title` and optionally `url`, `author`, `site`, `date`', 'front-matter-shape');
      return undefined;
    }
    const article: Record<string, string> = {};
    for (const pair of node.items) {
      const key = String((pair.key as any).value);
      const text = readString(pair.value as YamlNode | null);
      if (!articleKeys.includes(key)) {
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

  function readParams(node: YamlNode | null, keyNode: YamlNode): Record<string, ParamValue> {
    const params: Record<string, ParamValue> = {};
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`params` must map parameter names to values, e.g. `n: 1000`', 'front-matter-shape');
      return params;
    }
    for (const pair of node.items) {
      const name = String((pair.key as any).value);
      if (!paramName.test(name) || name === 'measure') {
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
      const name = String((pair.key as any).value);
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

  function readMeasure(node: YamlNode | null, keyNode: YamlNode): BlockOptions {
    const options: BlockOptions = {};
    if (!isMap(node)) {
      messages.error(...at(node ?? keyNode), '`measure` must map settings to values, e.g. `repeat: 5`', 'front-matter-shape');
      return options;
    }
    for (const pair of node.items) {
      const name = String((pair.key as any).value);
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
    return values.length > 0 && values.every((value) => value !== undefined) ? (values as ParamScalar[]) : undefined;
  }
  return readScalar(node);
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
