import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';

/**
 * Compares `actual` with a reviewed snapshot file. A missing snapshot is written (but fails in CI,
 * where nobody reviews it); `UPDATE=1` rewrites it; a mismatch writes `<name>-changed.<ext>` beside
 * it for review and fails.
 */
export async function assertSnapshot(file: string, actual: string): Promise<void> {
  const changed = file.replace(/(\.[^.]+)$/, '-changed$1');
  if (process.env.UPDATE || !existsSync(file)) {
    assert.ok(!process.env.CI || process.env.UPDATE, `snapshot ${file} is missing: generate it locally and review it`);
    await mkdir(path.dirname(file), {recursive: true});
    await writeFile(file, actual);
    await rm(changed, {force: true});
    return;
  }
  const expected = await readFile(file, 'utf8');
  if (expected !== actual) {
    await writeFile(changed, actual);
    assert.fail(`snapshot ${file} differs: see ${changed}`);
  }
  await rm(changed, {force: true});
}
