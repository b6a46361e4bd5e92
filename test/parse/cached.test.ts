import assert from 'node:assert/strict';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {parseNotebookCached} from '../../src/parse/cached.js';
import {parseNotebook} from '../../src/parse/index.js';
import {fixture} from '../helpers/paths.js';

test('parseNotebookCached', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-parse-cache-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const file = fixture('site', 'showcase.md');
  const source = await readFile(file, 'utf8');
  // What a fresh parse gives, as JSON keeps it (fields set to undefined are absent).
  const fresh = JSON.parse(JSON.stringify(parseNotebook(source, file)));

  await t.test('a second parse of the same text comes from the cache, equal to a fresh one', async () => {
    assert.deepEqual(await parseNotebookCached(source, file, dir), fresh);
    const [entry] = await readdir(path.join(dir, 'parsed'));
    const cached = JSON.parse(await readFile(path.join(dir, 'parsed', entry!), 'utf8'));
    cached.result.notebook.title = 'Served from the cache';
    await writeFile(path.join(dir, 'parsed', entry!), JSON.stringify(cached));
    assert.equal((await parseNotebookCached(source, file, dir)).notebook?.title, 'Served from the cache');
  });
  await t.test('other text or another file name is parsed again; a damaged entry is parsed again', async () => {
    const edited = source.replace(/^title: .*$/m, 'title: Edited');
    assert.equal((await parseNotebookCached(edited, file, dir)).notebook?.title, 'Edited');
    assert.equal((await parseNotebookCached(source, '/elsewhere/showcase.md', dir)).notebook?.path, '/elsewhere/showcase.md');
    for (const entry of await readdir(path.join(dir, 'parsed'))) await writeFile(path.join(dir, 'parsed', entry), '{"key": ');
    assert.deepEqual(await parseNotebookCached(source, file, dir), fresh);
  });
});
