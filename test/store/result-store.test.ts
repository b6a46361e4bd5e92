import assert from 'node:assert/strict';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {describeMachine, ResultStore} from '../../src/store/index.js';
import {writeFileAtomic} from '../../src/system/atomic-write.js';
import type {StoredResult} from '../../src/model/index.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, {recursive: true, force: true});
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-store-'));
  dirs.push(dir);
  return dir;
}

function record(status: 'ok' | 'failed', hash = 'h1'): StoredResult {
  return {
    format: 1,
    notebook: 'nb',
    key: 'pool@workers=2',
    blockId: 'pool',
    kind: 'bench',
    hash,
    profile: 'quick',
    runtime: {name: 'python', executable: '/usr/bin/python3', version: '3.11.7'},
    machine: describeMachine(),
    date: '2026-01-01T00:00:00.000Z',
    result: {status, timedOut: false, durationMs: 1, stdout: '', stderr: status === 'ok' ? '' : 'boom', samples: status === 'ok' ? [1, 2, 3] : undefined}
  };
}

test('ResultStore', async (t) => {
  await t.test('saves one file per result under notebook/machine and reads it back', async () => {
    const store = new ResultStore(await tempDir());
    const saved = record('ok');
    assert.equal(await store.save(saved), 'saved');
    const file = store.fileOf('nb', saved.machine.fingerprint, saved.key);
    assert.match(file, /nb\/[0-9a-f]{12}\/pool@workers=2\.json$/);
    assert.deepEqual(await store.read('nb', saved.machine.fingerprint, saved.key), saved);
    assert.deepEqual(await store.machines('nb'), [saved.machine.fingerprint]);
  });

  await t.test('a failed re-run never replaces a good result: it is kept beside it', async () => {
    const store = new ResultStore(await tempDir());
    const good = record('ok');
    await store.save(good);
    assert.equal(await store.save(record('failed', 'h2')), 'kept-previous');
    const fp = good.machine.fingerprint;
    assert.equal((await store.read('nb', fp, good.key))!.result.status, 'ok');
    assert.equal((await store.readFailure('nb', fp, good.key))!.result.stderr, 'boom');
    // A later success clears the remembered failure.
    await store.save(record('ok', 'h3'));
    assert.equal(await store.readFailure('nb', fp, good.key), undefined);
    assert.equal((await store.read('nb', fp, good.key))!.hash, 'h3');
  });

  await t.test('a corrupt file reads as no result instead of throwing', async () => {
    const store = new ResultStore(await tempDir());
    const fp = describeMachine().fingerprint;
    await writeFileAtomic(store.fileOf('nb', fp, 'x'), '{"format": 1, "hash": ');
    assert.equal(await store.read('nb', fp, 'x'), undefined);
  });

  await t.test('concurrent saves leave valid JSON and no temporary files', async () => {
    const dataDir = await tempDir();
    const store = new ResultStore(dataDir);
    await Promise.all(Array.from({length: 50}, (_, i) => store.save(record('ok', `h${i}`))));
    const fp = describeMachine().fingerprint;
    const files = await readdir(path.join(dataDir, 'nb', fp));
    assert.deepEqual(files, ['pool@workers=2.json']);
    const text = await readFile(path.join(dataDir, 'nb', fp, files[0]!), 'utf8');
    assert.match(JSON.parse(text).hash, /^h\d+$/);
  });
});

test('writeFileAtomic replaces a file whole and cleans up after a failed write', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'a.json');
  await writeFile(file, 'old');
  await writeFileAtomic(file, 'new');
  assert.equal(await readFile(file, 'utf8'), 'new');
  await assert.rejects(writeFileAtomic(path.join(file, 'not-a-dir', 'b.json'), 'x'));
  assert.deepEqual(await readdir(dir), ['a.json']);
});

test('describeMachine gives a stable fingerprint', () => {
  const a = describeMachine();
  assert.equal(a.fingerprint, describeMachine().fingerprint);
  assert.ok(a.cores >= 1);
  assert.match(a.fingerprint, /^[0-9a-f]{12}$/);
});
