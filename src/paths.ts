import {fileURLToPath} from 'node:url';
import path from 'node:path';

/** The project root: this file is compiled to `dist/src/paths.js`. */
export const packageRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where disposable build artefacts and rendered-chart caches live (git-ignored with node_modules). */
export const defaultCacheDir = path.join(packageRoot, 'node_modules', '.cache', 'benchbook');
