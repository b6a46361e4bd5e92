import assert from 'node:assert/strict';
import test from 'node:test';
import {resultRows, sampleRows} from '../../src/render/index.js';
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

  await t.test('blockIds limits rows to those blocks, in the order it names them (charts and tables alike)', () => {
    const outcomes = outcomesOf(benchResult('loop', 1), benchResult('pool', 2, {sweep: {name: 'workers', value: 1}}));
    assert.deepEqual(
      resultRows(outcomes, notebook, ['pool', 'loop']).map((row) => row.block),
      ['pool', 'loop']
    );
    assert.deepEqual(
      resultRows(outcomes, notebook, ['loop', 'pool', 'loop', 'nope']).map((row) => row.block),
      ['loop', 'pool'],
      'a repeated or unknown id adds nothing'
    );
    assert.deepEqual(
      resultRows(outcomes, notebook).map((row) => row.block),
      ['loop', 'pool'],
      'without blockIds: block order'
    );
    assert.deepEqual(
      resultRows(outcomes, notebook, ['pool']).map((row) => row.block),
      ['pool']
    );
  });

  await t.test('swept rows carry speed-up, ideal speed-up and efficiency against the first measured value', () => {
    const outcomes = outcomesOf(
      failedResult('pool', 'bench', 'MemoryError', {key: 'pool@workers=1', sweep: {name: 'workers', value: 1}}),
      benchResult('pool', 4e6, {sweep: {name: 'workers', value: 2}}),
      benchResult('pool', 1e6, {sweep: {name: 'workers', value: 8}}),
      benchResult('loop', 5e5)
    );
    const rows = resultRows(outcomes, notebook);
    assert.deepEqual(
      rows.map((row) => [row.key, row.speedup, row.ideal, row.efficiency]),
      [
        ['loop', undefined, undefined, undefined],
        ['pool@workers=2', 1, 1, 1],
        ['pool@workers=8', 4, 4, 1]
      ]
    );
  });

  await t.test('a swept value that is not a number gets a speed-up but no ideal', () => {
    const outcomes = outcomesOf(
      benchResult('pool', 3e6, {sweep: {name: 'workers', value: 'one'}}),
      benchResult('pool', 1e6, {sweep: {name: 'workers', value: 'many'}})
    );
    assert.deepEqual(
      resultRows(outcomes, notebook).map((row) => [row.speedup, 'ideal' in row, 'efficiency' in row]),
      [
        [1, false, false],
        [3, false, false]
      ]
    );
  });

  await t.test("rows carry the article's figure from the front matter's published:, and memory when measured", () => {
    const withFigures = {...notebook, published: {loop: {median: 4e5, peakBytes: 1000}}} as typeof notebook;
    const stored = benchResult('loop', 5e5);
    stored.result = {...stored.result, memory: {peakBytes: 2048, maxRssKiB: 10_000}};
    const [row] = resultRows(outcomesOf(stored), withFigures);
    assert.equal(row!.published, 4e5);
    assert.equal(row!.publishedPeak, 1000);
    assert.equal(row!.peak, 2048);
    assert.equal(row!.rss, 10_000 * 1024);
  });

  await t.test('sampleRows: one row per raw sample, with its process and whether it is an outlier', () => {
    const stored = benchResult('pool', 10, {sweep: {name: 'workers', value: 2}});
    stored.result = {...stored.result, samples: [10, 11, 12, 90], loops: [100, 200]};
    stored.stats = {...stored.stats!, outliers: [3]};
    const samples = sampleRows(outcomesOf(stored, benchResult('loop', 7)), notebook, ['pool']);
    assert.deepEqual(samples, [
      {key: 'pool@workers=2', block: 'pool', label: 'pool', runtime: 'python', param: 'workers', paramValue: 2, value: 10, index: 0, process: 0, outlier: false},
      {key: 'pool@workers=2', block: 'pool', label: 'pool', runtime: 'python', param: 'workers', paramValue: 2, value: 11, index: 1, process: 0, outlier: false},
      {key: 'pool@workers=2', block: 'pool', label: 'pool', runtime: 'python', param: 'workers', paramValue: 2, value: 12, index: 2, process: 1, outlier: false},
      {key: 'pool@workers=2', block: 'pool', label: 'pool', runtime: 'python', param: 'workers', paramValue: 2, value: 90, index: 3, process: 1, outlier: true}
    ]);
  });
});
