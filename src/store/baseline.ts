import {readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import type {StoredResult} from '../model/index.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {fileNameOfKey} from './index.js';

/** One notebook's part of a baseline as read back: when it was saved and its results by key. */
export interface BaselineSnapshot {
  savedAt: string;
  records: Map<string, StoredResult>;
}

/** File beside a notebook's baseline results saying when it was saved (block ids start with a letter: no clash). */
const manifestName = '_baseline.json';

/** Throws a TypeError unless `name` is usable as a folder name: letters, digits, `.`, `_`, `-`. */
export function checkBaselineName(name: string, option = 'baseline'): string {
  if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(name)) {
    throw new TypeError(`invalid ${option} ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. main)`);
  }
  return name;
}

/**
 * Named snapshots of results: `data/baselines/<name>/<notebook>/<key>.json`, the stored records
 * themselves (samples included), so a later run compares sample against sample.
 */
export class BaselineStore {
  constructor(readonly dataDir: string) {}

  /** Folder of one baseline. */
  dirOf(name: string): string {
    return path.join(this.dataDir, 'baselines', checkBaselineName(name));
  }

  /** Names of the saved baselines, sorted. */
  async names(): Promise<string[]> {
    try {
      const entries = await readdir(path.join(this.dataDir, 'baselines'), {withFileTypes: true});
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    } catch {
      return [];
    }
  }

  /**
   * Saves a notebook's results under a baseline, replacing what the baseline held for that notebook
   * (other notebooks keep theirs). Only successful runs are saved: a failure is nothing to compare
   * with. Every file is written atomically. Returns how many results were saved.
   */
  async save(name: string, notebook: string, records: StoredResult[], savedAt = new Date().toISOString()): Promise<number> {
    const dir = path.join(this.dirOf(name), notebook);
    const good = records.filter((record) => record.result.status === 'ok');
    const written = new Set<string>();
    for (const record of good) {
      const file = `${fileNameOfKey(record.key)}.json`;
      await writeFileAtomic(path.join(dir, file), JSON.stringify(record, null, 1) + '\n');
      written.add(file);
    }
    await writeFileAtomic(path.join(dir, manifestName), JSON.stringify({format: 1, baseline: name, notebook, savedAt, keys: good.map((record) => record.key)}, null, 1) + '\n');
    // Keys the notebook no longer has would otherwise linger in the baseline.
    for (const file of await readdir(dir)) {
      if (file.endsWith('.json') && file !== manifestName && !written.has(file)) await rm(path.join(dir, file), {force: true});
    }
    return good.length;
  }

  /** A notebook's part of a baseline, or undefined when the baseline has none. */
  async read(name: string, notebook: string): Promise<BaselineSnapshot | undefined> {
    const dir = path.join(this.dirOf(name), notebook);
    let manifest: {savedAt?: unknown; keys?: unknown};
    try {
      manifest = JSON.parse(await readFile(path.join(dir, manifestName), 'utf8')) as typeof manifest;
    } catch {
      return undefined;
    }
    const keys = Array.isArray(manifest.keys) ? manifest.keys.filter((key): key is string => typeof key === 'string') : [];
    const records = new Map<string, StoredResult>();
    for (const key of keys) {
      try {
        const record = JSON.parse(await readFile(path.join(dir, `${fileNameOfKey(key)}.json`), 'utf8')) as StoredResult;
        if (record.format === 1 && record.key === key && record.result) records.set(key, record);
      } catch {
        // A missing or unreadable file is a result the baseline does not have: the block shows as new.
      }
    }
    return {savedAt: typeof manifest.savedAt === 'string' ? manifest.savedAt : '', records};
  }
}
