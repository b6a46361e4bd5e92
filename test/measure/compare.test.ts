import assert from 'node:assert/strict';
import {test} from 'node:test';
import {erfc} from '../../src/measure/compare.js';
import {compareSamples, mannWhitneyU} from '../../src/measure/index.js';

/** `count` values around `center`, spread deterministically by ±`spread`. */
function around(center: number, spread: number, count = 20): number[] {
  return Array.from({length: count}, (_, i) => center + spread * (((i * 37) % 17) / 8 - 1));
}

test('mannWhitneyU', async (t) => {
  await t.test('exact U and p for a small sample without ties (checked by hand)', () => {
    // Pairs with a > b: 3 > 2, 5 > 2, 5 > 4, so U = 3. For sizes 3 and 4 the 35 orderings give
    // U = 0, 1, 2, 3 in 1, 1, 2, 3 of them: P(U <= 3) = 7/35, two-sided p = 0.4.
    const result = mannWhitneyU([1, 3, 5], [2, 4, 6, 8]);
    assert.equal(result.u, 3);
    assert.equal(result.method, 'exact');
    assert.ok(Math.abs(result.p - 0.4) < 1e-12, String(result.p));
  });

  await t.test('the most extreme orderings of 5 and 5 give the smallest exact p, 2/252', () => {
    const result = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(result.u, 0);
    assert.ok(Math.abs(result.p - 2 / 252) < 1e-12, String(result.p));
    assert.equal(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).u, 25);
  });

  await t.test('ties: mid-ranks, the tie-corrected variance and a continuity correction (checked by hand)', () => {
    // Mid-ranks 1, 3, 3, 5.5 for a: R = 12.5, U = 12.5 - 10 = 2.5. Ties of 3 and 2 values: sum of
    // t^3 - t = 30, variance = 16/12 * (9 - 30/56) = 11.2857; z = (|2.5 - 8| - 0.5) / sqrt(variance).
    const result = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
    assert.equal(result.u, 2.5);
    assert.equal(result.method, 'normal');
    assert.ok(Math.abs(result.p - 0.136658) < 1e-5, String(result.p));
  });

  await t.test('identical samples have p = 1', () => {
    assert.equal(mannWhitneyU([4, 4, 4], [4, 4, 4]).p, 1);
  });
});

test('compareSamples', async (t) => {
  await t.test('two identical samples show no significant difference', () => {
    const samples = around(100, 5);
    const result = compareSamples(samples, [...samples]);
    assert.equal(result.ratio, 1);
    assert.equal(result.verdict, 'no significant difference');
    assert.equal(result.summary, '~');
    assert.ok(result.ci[0] <= 1 && 1 <= result.ci[1], String(result.ci));
    assert.ok(result.p > 0.5);
  });

  await t.test('a clearly separated pair is faster one way and slower the other', () => {
    const fast = around(80, 2);
    const slow = around(100, 2);
    const forward = compareSamples(fast, slow);
    assert.equal(forward.verdict, 'faster');
    assert.ok(forward.p < 1e-6, String(forward.p));
    assert.ok(forward.ci[1] < 1);
    assert.ok(Math.abs(forward.ratio - 0.8) < 0.02, String(forward.ratio));
    assert.match(forward.summary, /^-\d+\.\d%$/);
    const backward = compareSamples(slow, fast);
    assert.equal(backward.verdict, 'slower');
    assert.ok(backward.ci[0] > 1);
    assert.match(backward.summary, /^\+\d+\.\d%$/);
  });

  await t.test('too few samples are never significant, however far apart (benchstat needs more)', () => {
    // The smallest two-sided p for 3 against 3 is 2/20 = 0.1.
    assert.equal(compareSamples([1, 2, 3], [100, 200, 300]).verdict, 'no significant difference');
  });

  await t.test('overlapping samples whose medians differ a little are not called different', () => {
    const result = compareSamples(around(100, 30), around(102, 30));
    assert.equal(result.verdict, 'no significant difference');
  });

  await t.test('the bootstrap is seeded', () => {
    const a = around(100, 10);
    const b = around(110, 10);
    assert.deepEqual(compareSamples(a, b, {seed: 3}).ci, compareSamples(a, b, {seed: 3}).ci);
  });

  await t.test('rejects empty samples and bad options with a TypeError naming them', () => {
    assert.throws(() => compareSamples([], [1]), TypeError);
    assert.throws(() => compareSamples([1], [1], {alpha: 2}), /options\.alpha/);
    assert.throws(() => compareSamples([1], [1], {resamples: 0}), /options\.resamples/);
  });
});

test('erfc matches known values', () => {
  // erfc(0) = 1, erfc(1) = 0.157299207..., erfc(-1) = 1.842700792...
  assert.ok(Math.abs(erfc(0) - 1) < 1e-7);
  assert.ok(Math.abs(erfc(1) - 0.1572992070502851) < 1e-7);
  assert.ok(Math.abs(erfc(-1) - 1.8427007929497148) < 1e-7);
});
