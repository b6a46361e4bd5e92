import path from 'node:path';
import {packageRoot} from '../../src/paths.js';

/** Absolute path of a file under `test/fixtures/` (tests run from dist/, fixtures stay in test/). */
export function fixture(...parts: string[]): string {
  return path.join(packageRoot, 'test', 'fixtures', ...parts);
}
