import assert from 'node:assert/strict';
import {test} from 'node:test';
import {minRuns, runSummary, withRunSpread} from '../../src/measure/runs.js';
import type {RunSummary, Stats} from '../../src/model/index.js';

const stats = (median: number, ci: [number, number]): Stats => ({n: 10, min: ci[0], max: ci[1], mean: median, median, stddev: 1, mad: 1, ci, outliers: [], warnings: []});
const run = (median: number, half = 0.005): RunSummary => ({date: '2026-12-01T00:00:00.000Z', median, ci: [median * (1 - half), median * (1 + half)], processes: 10});

test('withRunSpread', async (t) => {
  await t.test(`with fewer than ${minRuns} runs the interval is the run's own`, () => {
    const own = stats(100, [99.5, 100.5]);
    assert.deepEqual(withRunSpread(own, [run(110)]), own);
    assert.deepEqual(withRunSpread(own, []), own);
  });

  await t.test('runs that agree within their own intervals add nothing', () => {
    const own = stats(100, [99, 101]);
    const widened = withRunSpread(own, [run(100.2, 0.01), run(99.8, 0.01)]);
    assert.deepEqual(widened.ci, [99, 101]);
    assert.equal(widened.runs?.count, 3);
    assert.equal(widened.runs?.spread, 0);
  });

  await t.test('runs 5% apart with narrow intervals widen it to cover where the next run lands', () => {
    const history = [run(95), run(105), run(100), run(96), run(104)];
    const own = stats(100, [99.5, 100.5]);
    const widened = withRunSpread(own, history);
    assert.equal(widened.runs?.count, 6);
    assert.deepEqual(widened.runs?.ownCi, [99.5, 100.5], "this run's own interval is kept");
    assert.ok(widened.runs!.spread > 0.03 && widened.runs!.spread < 0.06, `spread ${widened.runs!.spread}`);
    for (const other of history) assert.ok(widened.ci[0] < other.median && other.median < widened.ci[1], `${other.median} in ${widened.ci.join('–')}`);
    assert.ok(widened.ci[0] < 100 && widened.ci[1] > 100);
  });

  await t.test('a run summary keeps the own interval, not the widened one', () => {
    const widened = withRunSpread(stats(100, [99.5, 100.5]), [run(95), run(105)]);
    assert.deepEqual(runSummary(widened, 'now', 4).ci, [99.5, 100.5]);
    assert.equal(runSummary(widened, 'now', 4).processes, 4);
  });

  await t.test('malformed history (zero or inverted intervals) is left out, not trusted', () => {
    const own = stats(100, [99.5, 100.5]);
    const bad: RunSummary[] = [{...run(50), ci: [60, 40]}, {...run(0), ci: [0, 0]}];
    assert.deepEqual(withRunSpread(own, [...bad, run(101)]), own, 'two good runs are fewer than three');
  });
});
