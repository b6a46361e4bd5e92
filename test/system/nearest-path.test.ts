import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {closest, editDistance} from '../../src/system/closest.js';
import {nearestPath, unreadableReason} from '../../src/system/nearest-path.js';

test('closest: the nearest name when it is near enough to be a typo', async (t) => {
  await t.test('edit distance counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('fast', 'fats'), 2);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('baseline', 'baselin'), 1);
  });
  await t.test('picks the nearest, and nothing when every name is far', () => {
    assert.equal(closest('baselin', ['baseline', 'filter']), 'baseline');
    assert.equal(closest('Fast.md', ['fast.md', 'last.md']), 'fast.md', 'a change of case beats any other edit');
    assert.equal(closest('zzzzzz', ['fast.md']), undefined);
  });
});

test('nearestPath: a missing path corrected segment by segment', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-nearest-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  await mkdir(path.join(dir, 'notebooks'));
  await writeFile(path.join(dir, 'notebooks', 'fast.md'), '');
  await writeFile(path.join(dir, 'notebooks', 'broken.md'), '');

  await t.test('a misspelled file, folder, or both', () => {
    assert.equal(nearestPath(path.join(dir, 'notebooks', 'fats.md')), path.join(dir, 'notebooks', 'fast.md'));
    assert.equal(nearestPath(path.join(dir, 'notebook', 'fast.md')), path.join(dir, 'notebooks', 'fast.md'));
    assert.equal(nearestPath(path.join(dir, 'notebok', 'brokn.md')), path.join(dir, 'notebooks', 'broken.md'));
  });
  await t.test('nothing for a path that exists or has no near neighbour', () => {
    assert.equal(nearestPath(path.join(dir, 'notebooks', 'fast.md')), undefined);
    assert.equal(nearestPath(path.join(dir, 'notebooks', 'completely-different.md')), undefined);
    assert.equal(nearestPath(path.join(dir, 'elsewhere', 'x', 'y.md')), undefined);
  });
  await t.test('unreadableReason says "no such file" and suggests, else gives the code', () => {
    const missing = path.join(dir, 'notebooks', 'fats.md');
    assert.equal(unreadableReason(missing, Object.assign(new Error('x'), {code: 'ENOENT'})), `no such file: did you mean ${path.join(dir, 'notebooks', 'fast.md')}?`);
    assert.equal(unreadableReason(path.join(dir, 'none.md'), Object.assign(new Error('x'), {code: 'ENOENT'})), 'no such file');
    assert.equal(unreadableReason(dir, Object.assign(new Error('x'), {code: 'EISDIR'})), 'EISDIR');
  });
});
