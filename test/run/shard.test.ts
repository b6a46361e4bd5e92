import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {parseNotebook} from '../../src/parse/index.js';
import {planNotebook} from '../../src/plan/index.js';
import type {Plan} from '../../src/plan/types.js';
import {checkShard, parseShard, shardPlans, shardUnits} from '../../src/run/index.js';
import {fixture} from '../helpers/paths.js';

async function plan(): Promise<Plan> {
  const file = fixture('scale', 'two-machines.md');
  const {notebook} = parseNotebook(await readFile(file, 'utf8'), file);
  return planNotebook(notebook!, {runtimes: {}});
}

const keysOf = (plans: Plan[]): string[] => plans.flatMap((item) => item.runs.map((run) => `${item.notebook.name}/${run.key}`));

test('shardUnits keeps each comparison in one unit', async (t) => {
  const units = shardUnits(await plan());
  const unitOf = (key: string) => units.findIndex((unit) => unit.keys.includes(key));
  await t.test('a sweep is one unit', () => assert.equal(unitOf('swept@n=100'), unitOf('swept@n=1000')));
  await t.test('a group= is one unit', () => assert.equal(unitOf('proc-a'), unitOf('proc-b')));
  await t.test('the blocks of a claim are one unit', () => assert.equal(unitOf('loop'), unitOf('builtin')));
  await t.test('unrelated blocks are apart', () => assert.notEqual(unitOf('where'), unitOf('loop')));
  await t.test('weights come from the settings', () => assert.ok(units.every((unit) => unit.weightMs > 0)));
});

test('shardPlans splits every run into exactly one of N shards, the same way every time', async (t) => {
  const plans = [await plan()];
  const all = keysOf(plans);
  for (const count of [1, 2, 3, 7]) {
    await t.test(`${count} shards`, () => {
      const parts = Array.from({length: count}, (_, index) => keysOf(shardPlans(plans, {index: index + 1, count})));
      assert.deepEqual(parts.flat().sort(), [...all].sort(), 'every run once');
      assert.equal(new Set(parts.flat()).size, all.length, 'no run twice');
      const again = Array.from({length: count}, (_, index) => keysOf(shardPlans(plans, {index: index + 1, count})));
      assert.deepEqual(again, parts, 'deterministic');
      for (const part of parts) {
        const has = (key: string) => part.includes(`two-machines/${key}`);
        assert.equal(has('proc-a'), has('proc-b'), 'group together');
        assert.equal(has('loop'), has('builtin'), 'claim together');
        assert.equal(has('swept@n=100'), has('swept@n=1000'), 'sweep together');
      }
    });
  }
  await t.test('two shards each get work', () => {
    assert.ok(keysOf(shardPlans(plans, {index: 1, count: 2})).length > 0);
    assert.ok(keysOf(shardPlans(plans, {index: 2, count: 2})).length > 0);
  });
  await t.test('the split does not depend on the runtimes found (hashes differ by machine)', async () => {
    const other = {...plans[0]!, runs: plans[0]!.runs.map((run) => ({...run, hash: `${run.hash}x`}))};
    assert.deepEqual(keysOf(shardPlans([other], {index: 1, count: 2})), keysOf(shardPlans(plans, {index: 1, count: 2})));
  });
});

test('parseShard and checkShard', () => {
  assert.deepEqual(parseShard('2/4'), {index: 2, count: 4});
  assert.deepEqual(parseShard(' 1 / 1 '), {index: 1, count: 1});
  for (const bad of ['0/2', '3/2', '1', '1/0', 'a/b', '-1/2', '1/2/3']) assert.equal(parseShard(bad), undefined, bad);
  assert.throws(() => checkShard({index: 3, count: 2}), /invalid shard 3\/2: expected K\/N/);
  assert.throws(() => checkShard({index: 1, count: 0}), /invalid shard count 0/);
});
