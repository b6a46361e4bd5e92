import {readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {returnValueProblem, type StoredResult} from '../model/index.js';
import {writeFileAtomic} from '../system/atomic-write.js';


export {describeMachine} from './machine.js';

/** File-name-safe form of a result key (`pool@workers=4` stays readable). */
export function fileNameOfKey(key: string): string {
  return key.replace(/[^\w.@=-]/g, '_');
}

/**
 * Results on disk: `data/<notebook>/<machine fingerprint>/<key>.json`, one file per run so that
 * each result is written the moment its block finishes, concurrent runs never rewrite each other's
 * files, and results measured on other machines sit side by side.
 */
export class ResultStore {
  constructor(readonly dataDir: string) {}

  /** Path of the file holding one result. */
  fileOf(notebook: string, fingerprint: string, key: string, suffix = '.json'): string {
    return path.join(this.dataDir, notebook, fingerprint, fileNameOfKey(key) + suffix);
  }

  /** Reads a stored result, or undefined when there is none or it cannot be read as one. */
  async read(notebook: string, fingerprint: string, key: string): Promise<StoredResult | undefined> {
    return readRecord(this.fileOf(notebook, fingerprint, key));
  }

  /** The last failed attempt kept beside a good result (see `save`). */
  async readFailure(notebook: string, fingerprint: string, key: string): Promise<StoredResult | undefined> {
    return readRecord(this.fileOf(notebook, fingerprint, key, '.failed.json'));
  }

  /**
   * Saves a result atomically. A failed run never replaces a good result of the same key: it is kept
   * beside it as `<key>.failed.json` so the report can show the good one marked stale, with the error.
   * Returns where the record went.
   */
  async save(record: StoredResult): Promise<'saved' | 'kept-previous'> {
    const file = this.fileOf(record.notebook, record.machine.fingerprint, record.key);
    const failureFile = this.fileOf(record.notebook, record.machine.fingerprint, record.key, '.failed.json');
    const content = JSON.stringify(record, null, 1) + '\n';
    if (record.result.status !== 'ok') {
      const previous = await readRecord(file);
      if (previous?.result.status === 'ok') {
        await writeFileAtomic(failureFile, content);
        return 'kept-previous';
      }
    }
    await writeFileAtomic(file, content);
    await rm(failureFile, {force: true});
    return 'saved';
  }

  /** Every result stored for a notebook on one machine (failed attempts kept beside good ones left out), in key order. */
  async list(notebook: string, fingerprint: string): Promise<StoredResult[]> {
    let names: string[];
    try {
      names = await readdir(path.join(this.dataDir, notebook, fingerprint));
    } catch {
      return [];
    }
    const files = names.filter((name) => name.endsWith('.json') && !name.endsWith('.failed.json')).sort();
    const records = await Promise.all(files.map((name) => readRecord(path.join(this.dataDir, notebook, fingerprint, name))));
    return records.filter((record): record is StoredResult => record !== undefined);
  }

  /** Fingerprints of every machine with results for a notebook. */
  async machines(notebook: string): Promise<string[]> {
    try {
      const entries = await readdir(path.join(this.dataDir, notebook), {withFileTypes: true});
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    } catch {
      return [];
    }
  }
}

async function readRecord(file: string): Promise<StoredResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as StoredResult;
    if (record.format !== 1 || typeof record.hash !== 'string' || !record.result) return undefined;
    // A malformed return value (a file edited by hand, or by another tool) is dropped: the timings stand without it.
    if (record.result.returnValue !== undefined && returnValueProblem(record.result.returnValue) !== undefined) {
      const {returnValue: _dropped, ...result} = record.result;
      return {...record, result};
    }
    return record;
  } catch {
    return undefined;
  }
}
