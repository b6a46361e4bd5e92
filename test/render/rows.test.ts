import assert from 'node:assert/strict';
import test from 'node:test';
import {resultRows} from '../../src/render/index.js';
import {benchResult, failedResult, makeNotebook, outcomesOf} from './fixture.js';

const markdown = ['```python', 'a', '```', '', '```python', 'b', '```', '', '```python', 'c', '```', ''].join('\n');

test('resultRows', async (t) => {
  const notebook = makeNotebook(markdown, [
    {kind: 'bench', id: 'loop', runtime: 'python', options: {label: 'for loop'}},
    {kind: 'bench', id: 'pool', runtime: 'python', options: {sweep: 'workers'}},
    {kind: 'run', id: 'version', runtime: 'python'}
  ]);

  await t.test('one row per measured result, in block order, label from the option else the id', () => {
    const outcomes = outcomesOf(
      benchResult('pool', 2e6, {sweep: {name: 'workers', value: 1}}),
      benchResult('pool', 1e6, {sweep: {name: 'workers', value: 4}}),
      benchResult('loop', 5e5)
    );
    const rows = resultRows(outcomes, notebook);
    assert.deepEqual(
      rows.map((row) => [row.block, row.label, row.param, row.value, row.median]),
      [
        ['loop', 'for loop', undefined, undefined, 5e5],
        ['pool', 'pool', 'workers', 1, 2e6],
        ['pool', 'pool', 'workers', 4, 1e6]
      ]
    );
    assert.deepEqual(rows[0], {
      key: 'loop',
      block: 'loop',
      label: 'for loop',
      runtime: 'python',
      version: '3.11.7',
      status: 'ok',
      n: 30,
      min: 5e5 * 0.9,
      median: 5e5,
      mean: 5e5 * 1.05,
      max: 5e5 * 1.3,
      stddev: 5e5 * 0.1,
      mad: 5e5 * 0.05,
      ciLow: 5e5 * 0.98,
      ciHigh: 5e5 * 1.02
    });
    assert.equal('param' in rows[0]!, false, 'unswept rows have no param key at all');
  });

  await t.test('skips failed runs, run blocks, results without stats and skipped outcomes', () => {
    const outcomes = outcomesOf(failedResult('loop', 'bench', 'boom'), {...benchResult('version', 1), kind: 'run'});
    outcomes['pool'] = [{key: 'pool', skipped: 'python is not installed'}];
    assert.deepEqual(resultRows(outcomes, notebook), []);
  });

  await t.test('blockIds limits rows to those blocks, still in block order', () => {
    const outcomes = outcomesOf(benchResult('loop', 1), benchResult('pool', 2, {sweep: {name: 'workers', value: 1}}));
    assert.deepEqual(
      resultRows(outcomes, notebook, ['pool', 'loop']).map((row) => row.block),
      ['loop', 'pool']
    );
    assert.deepEqual(
      resultRows(outcomes, notebook, ['pool']).map((row) => row.block),
      ['pool']
    );
  });
});
