import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {ChartCache} from '../render/types.js';
import {writeFileAtomic} from '../system/atomic-write.js';

/** A chart cache in a folder: one SVG file per content hash, written atomically. */
export function folderChartCache(dir: string): ChartCache {
  return {
    async get(hash) {
      try {
        return await readFile(path.join(dir, `${hash}.svg`), 'utf8');
      } catch {
        return undefined;
      }
    },
    async set(hash, svg) {
      await writeFileAtomic(path.join(dir, `${hash}.svg`), svg);
    }
  };
}
