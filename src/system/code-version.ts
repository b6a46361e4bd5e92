/**
 * A fingerprint of benchbook's own compiled code: the caches of derived files (parsed notebooks,
 * built pages) key on it, so that a new version of the parser or the renderer never serves what an
 * older one made. Cheap enough to take on every report (a stat of each file, no reading): a rebuilt
 * or edited file changes its size or modification time.
 */
import {createHash} from 'node:crypto';
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The compiled `src/` folder this file belongs to. */
const codeRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

let memo: string | undefined;

/** Hash of every `.js` file under benchbook's compiled `src/`: path, size and modification time. */
export function codeVersion(root = codeRoot): string {
  if (root === codeRoot && memo !== undefined) return memo;
  const hash = createHash('sha256');
  for (const file of listFiles(root)) {
    const stats = statSync(path.join(root, file));
    hash.update(`${file}\0${stats.size}\0${stats.mtimeMs}\n`);
  }
  const version = hash.digest('hex').slice(0, 16);
  if (root === codeRoot) memo = version;
  return version;
}

function listFiles(root: string): string[] {
  return readdirSync(root, {recursive: true, encoding: 'utf8'})
    .filter((file) => file.endsWith('.js'))
    .sort();
}
