/**
 * Parsing through a cache keyed by the notebook's text: micromark and the front matter reader take
 * about 50 ms a notebook, and loading them as much again, which a report that runs nothing should
 * not spend. An entry is used only when the text, the file name and benchbook's code are the ones it
 * was made from; an unreadable or damaged entry is a miss. The parser is loaded only on a miss.
 */
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {writeFileAtomic} from '../system/atomic-write.js';
import {codeVersion} from '../system/code-version.js';
import type {ParseResult} from './types.js';

const format = 1;

/** Parses `source` as `parseNotebook` does; with `cacheDir`, through the cache in `cacheDir/parsed`. */
export async function parseNotebookCached(source: string, file: string, cacheDir?: string): Promise<ParseResult> {
  if (cacheDir === undefined) return (await import('./index.js')).parseNotebook(source, file);
  const key = createHash('sha256').update(`${format}\0${codeVersion()}\0${file}\0${source}`).digest('hex');
  const entry = path.join(cacheDir, 'parsed', `${key.slice(0, 32)}.json`);
  try {
    const cached = JSON.parse(await readFile(entry, 'utf8')) as {key?: unknown; result?: ParseResult};
    if (cached.key === key && cached.result && Array.isArray(cached.result.messages)) return cached.result;
  } catch {
    // Not parsed before, or an entry we cannot read: parse.
  }
  const text = JSON.stringify({key, result: (await import('./index.js')).parseNotebook(source, file)});
  // A cache that cannot be written costs the next report a parse, nothing else.
  await writeFileAtomic(entry, text).catch(() => undefined);
  // As the next report will read it back: a notebook is the same object whether parsed or cached.
  return (JSON.parse(text) as {result: ParseResult}).result;
}
