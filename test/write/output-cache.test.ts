import assert from 'node:assert/strict';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {inputsKey, outputCache} from '../../src/write/output-cache.js';

test('outputCache', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-output-cache-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const site = new Map<string, string>();
  const cache = outputCache(path.join(dir, 'records'), async (name) => site.get(name));
  site.set('a.html', '<p>a</p>');
  site.set('a.json', '{}');
  await cache.record('a', 'key-1', {'a.html': '<p>a</p>', 'a.json': '{}'}, {entry: 'A'});

  await t.test('gives back the value when the key and every file are as recorded', async () => {
    assert.deepEqual(await cache.fresh('a', 'key-1'), {entry: 'A'});
  });
  await t.test('another key, an edited or a missing file, or no record is a miss', async () => {
    assert.equal(await cache.fresh('a', 'key-2'), undefined);
    assert.equal(await cache.fresh('b', 'key-1'), undefined);
    site.set('a.json', '{"edited": true}');
    assert.equal(await cache.fresh('a', 'key-1'), undefined);
    site.set('a.json', '{}');
    site.delete('a.html');
    assert.equal(await cache.fresh('a', 'key-1'), undefined);
    site.set('a.html', '<p>a</p>');
    assert.deepEqual(await cache.fresh('a', 'key-1'), {entry: 'A'});
  });
  await t.test('a damaged record is a miss, not an error', async () => {
    await writeFile(path.join(dir, 'records', 'a.json'), '{"format": 1, "key": "key-1", "files": ');
    assert.equal(await cache.fresh('a', 'key-1'), undefined);
    await writeFile(path.join(dir, 'records', 'a.json'), JSON.stringify({format: 1, key: 'key-1', files: {'a.html': 'not the hash'}, value: 1}));
    assert.equal(await cache.fresh('a', 'key-1'), undefined);
  });
  await t.test('inputsKey changes with any input', () => {
    assert.equal(inputsKey({a: 1}, 'x'), inputsKey({a: 1}, 'x'));
    assert.notEqual(inputsKey({a: 1}, 'x'), inputsKey({a: 2}, 'x'));
    assert.notEqual(inputsKey('ab', 'c'), inputsKey('a', 'bc'));
    assert.notEqual(inputsKey(undefined), inputsKey(null));
  });
});
