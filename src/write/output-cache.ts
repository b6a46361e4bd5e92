/**
 * What each page of the site was last built from. A page whose inputs (notebook, results, templates,
 * benchbook's code: hashed into its key by the caller) are those of the last build, and whose files
 * in the output folder are still the ones written then, is not rendered again: a report that
 * measures nothing writes nothing. A file edited or deleted in the output folder, a damaged record
 * or another key rebuilds the page.
 */
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {writeFileAtomic} from '../system/atomic-write.js';

const format = 1;

/** The record of one page: the key it was built from, its files' hashes, and what the build returned. */
interface PageRecord<T> {
  format: number;
  key: string;
  files: Record<string, string>;
  value: T;
}

/** The pages last built, recorded in `dir`; `readOutput` reads a file of the site (undefined: none). */
export interface OutputCache {
  /** `value` as recorded for `name` when it was built from `key` and its files are unchanged. */
  fresh<T>(name: string, key: string): Promise<T | undefined>;
  /** Records that `files` (name to content, as written) were built from `key`, with the build's `value`. */
  record<T>(name: string, key: string, files: Record<string, string>, value: T): Promise<void>;
}

export function outputCache(dir: string, readOutput: (name: string) => Promise<string | undefined>): OutputCache {
  const recordFile = (name: string) => path.join(dir, `${name.replace(/[^\w.@=-]/g, '_')}.json`);
  return {
    async fresh<T>(name: string, key: string): Promise<T | undefined> {
      let record: Partial<PageRecord<T>>;
      try {
        record = JSON.parse(await readFile(recordFile(name), 'utf8')) as Partial<PageRecord<T>>;
      } catch {
        return undefined;
      }
      if (record.format !== format || record.key !== key || !record.files || typeof record.files !== 'object' || !('value' in record)) return undefined;
      for (const [file, hash] of Object.entries(record.files)) {
        const content = await readOutput(file).catch(() => undefined);
        if (content === undefined || contentHash(content) !== hash) return undefined;
      }
      return record.value;
    },
    async record<T>(name: string, key: string, files: Record<string, string>, value: T): Promise<void> {
      const hashes = Object.fromEntries(Object.entries(files).map(([file, content]) => [file, contentHash(content)]));
      const record: PageRecord<T> = {format, key, files: hashes, value};
      // A record that cannot be written costs the next report a render, nothing else.
      await writeFileAtomic(recordFile(name), JSON.stringify(record)).catch(() => undefined);
    }
  };
}

/** The key of a build's inputs: a hash of their JSON (objects built the same way serialise the same way). */
export function inputsKey(...inputs: unknown[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(JSON.stringify(input) ?? 'undefined').update('\0');
  return hash.digest('hex');
}

function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
