import assert from 'node:assert/strict';
import {test} from 'node:test';
import {bootstrapMedianInterval, quantileOfSorted, seededRandom, summarize, summarizeResult} from '../../src/measure/index.js';

test('summarize', async (t) => {
  await t.test('computes location and spread of a fixed sample (values checked by hand)', () => {
    const stats = summarize([3, 1, 100, 2, 4]);
    assert.equal(stats.n, 5);
    assert.equal(stats.min, 1);
    assert.equal(stats.max, 100);
    assert.equal(stats.median, 3);
    assert.equal(stats.mean, 22);
    // Deviations from 22: -21 -20 -19 -18 78; squares sum to 7610; / (n-1) = 1902.5.
    assert.equal(stats.stddev, Math.sqrt(1902.5));
    // |x - 3| sorted: 0 1 1 2 97.
    assert.equal(stats.mad, 1);
    // Q1 = 2, Q3 = 4, fences -1 .. 7: only 100 (index 2 in input order) is out.
    assert.deepEqual(stats.outliers, [2]);
  });

  await t.test('flags wide spread the way pyperf check does, saying what to do', () => {
    const stats = summarize([3, 1, 100, 2, 4]);
    assert.ok(stats.warnings.some((warning) => /standard deviation is \d+% of the mean: rerun/.test(warning)), stats.warnings.join('\n'));
    assert.ok(stats.warnings.some((warning) => /maximum is \d+% above the mean/.test(warning)));
    assert.deepEqual(summarize([10, 10.1, 9.9, 10, 10.05, 9.95]).warnings, []);
  });

  await t.test('the median interval of a constant sample is that constant', () => {
    assert.deepEqual(summarize([7, 7, 7, 7]).ci, [7, 7]);
    assert.deepEqual(summarize([5]).ci, [5, 5]);
  });

  await t.test('the bootstrap is seeded: same interval every time, inside the data, around the median', () => {
    const samples = Array.from({length: 40}, (_, i) => 100 + ((i * 37) % 17));
    const a = bootstrapMedianInterval(samples, 2000, 1);
    const b = bootstrapMedianInterval(samples, 2000, 1);
    assert.deepEqual(a, b);
    const stats = summarize(samples);
    assert.ok(stats.ci[0] <= stats.median && stats.median <= stats.ci[1], `${stats.ci} vs ${stats.median}`);
    assert.ok(stats.ci[0] >= stats.min && stats.ci[1] <= stats.max);
    assert.ok(stats.ci[1] - stats.ci[0] < stats.max - stats.min);
  });

  await t.test('rejects an empty sample with a TypeError', () => {
    assert.throws(() => summarize([]), TypeError);
  });
});

test('quantileOfSorted interpolates like NumPy', () => {
  assert.equal(quantileOfSorted([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantileOfSorted([1, 2, 3, 4], 0.5), 2.5);
});

test('seededRandom repeats its sequence for a seed and stays in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 100; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});

test('summarize warns when samples approach the clock resolution (tinybench)', async (t) => {
  const samples = [100, 101, 99, 100.5, 99.5];
  await t.test('a sample of 10 calls of 100 ns read by a 50 ns clock is too short', () => {
    const stats = summarize(samples, {timerResolutionNs: 50, loops: [10]});
    assert.ok(stats.warnings.some((warning) => /only \d+× the clock's resolution of 50 ns: raise min-sample/.test(warning)), stats.warnings.join('\n'));
  });
  await t.test('a sample of 10,000 calls is long enough', () => {
    assert.deepEqual(summarize(samples, {timerResolutionNs: 50, loops: [10_000]}).warnings, []);
  });
  await t.test('instruction counts get neither the clock warning nor the small-sample one', () => {
    const stats = summarize([5000, 5000, 5000], {unit: 'instructions', timerResolutionNs: 50, loops: [1]});
    assert.deepEqual(stats.warnings, []);
    assert.equal(stats.unit, 'instructions');
  });
});

test('summarizeResult reads the unit, clock and loops from a run result', () => {
  assert.equal(summarizeResult({samples: []}), undefined);
  const stats = summarizeResult({samples: [100, 101, 99, 100.5, 99.5], timerResolutionNs: 50, loops: [10, 20], unit: 'ns'})!;
  assert.equal(stats.median, 100);
  assert.equal(stats.warnings.length, 1, 'the shortest sample, 99 ns x 10 calls, is under 1000 clock steps');
});

test('summarize judges the timer against what a sample really lasted, per= included', () => {
  // 50 ns per iteration, 1 call per sample, 1000 iterations per call: each sample lasted 50 µs.
  const perIteration = [50, 51, 49, 50, 50];
  const warnings = (options: Parameters<typeof summarize>[1]) => summarize(perIteration, options).warnings.filter((warning) => warning.includes('resolution'));
  assert.equal(warnings({timerResolutionNs: 20, loops: [1]}).length, 1);
  assert.deepEqual(warnings({timerResolutionNs: 20, loops: [1], per: 1000}), []);
});
