import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {closest} from './closest.js';

/**
 * The existing path nearest to one that does not exist, for "did you mean" messages: each missing
 * segment is replaced by the closest entry of its folder (`notebook/fats.md` -> `notebooks/fast.md`),
 * the last one among files, the others among folders. Written as the input was (relative stays
 * relative). `undefined` when the path exists or nothing is near enough.
 *
 * @param file the path that could not be read
 */
export function nearestPath(file: string): string | undefined {
  if (typeof file !== 'string' || file === '' || exists(file)) return undefined;
  const absolute = path.isAbsolute(file);
  const segments = path.normalize(file).split(path.sep).filter((segment) => segment !== '');
  let current = absolute ? path.parse(path.resolve(file)).root : '.';
  const fixed: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const next = path.join(current, segment);
    const last = index === segments.length - 1;
    if (segment === '..' || segment === '.' || exists(next, last ? 'file' : 'directory')) {
      fixed.push(segment);
      current = next;
      continue;
    }
    const near = closest(segment, entries(current, last ? 'file' : 'directory'));
    if (near === undefined) return undefined;
    fixed.push(near);
    current = path.join(current, near);
  }
  const suggestion = absolute ? path.join(path.parse(path.resolve(file)).root, ...fixed) : fixed.join(path.sep);
  return suggestion === path.normalize(file) ? undefined : suggestion;
}

function exists(file: string, kind?: 'file' | 'directory'): boolean {
  try {
    const stat = statSync(file);
    return kind === undefined || (kind === 'file' ? stat.isFile() : stat.isDirectory());
  } catch {
    return false;
  }
}

function entries(dir: string, kind: 'file' | 'directory'): string[] {
  try {
    return readdirSync(dir, {withFileTypes: true})
      .filter((entry) => (kind === 'file' ? entry.isFile() : entry.isDirectory()))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Why a file could not be read, for a message that goes on `cannot read <file>: `: `no such file`
 * with the nearest existing path when there is one (`no such file: did you mean notebooks/fast.md?`),
 * else the error's code (`EACCES`, `EISDIR`).
 */
export function unreadableReason(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return code ?? String(error);
  const near = nearestPath(file);
  return `no such file${near === undefined ? '' : `: did you mean ${near}?`}`;
}
