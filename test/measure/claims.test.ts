import assert from 'node:assert/strict';
import {test} from 'node:test';
import {evaluateClaim, summarize, type ClaimInput} from '../../src/measure/index.js';
import {parseClaimExpression, ClaimSyntaxError} from '../../src/parse/claim-expression.js';

/** A fixed result: samples spread ±1% around a centre, so the interval is narrow and known. */
function result(centre: number, extra: Partial<ClaimInput> = {}): ClaimInput {
  const samples = Array.from({length: 20}, (_, i) => centre * (0.99 + (i % 5) * 0.005));
  return {status: 'ok', samples, stats: summarize(samples), ...extra};
}

const results: Record<string, ClaimInput> = {
  'pi-python': result(300),
  'pi-go': result(10),
  'list-comp': result(100),
  'list-map': result(130),
  same: result(100),
  noisy: {status: 'ok', samples: [50, 150, 90, 200, 60, 140], stats: summarize([50, 150, 90, 200, 60, 140])},
  'count-len': result(100, {peakBytes: 4_167_400}),
  'count-for': result(120, {peakBytes: 112}),
  broken: {status: 'failed'},
  'pool@workers=1': result(100),
  'pool@workers=4': result(26)
};
const check = (text: string) => evaluateClaim(parseClaimExpression(text), (key) => results[key]);

test('evaluateClaim', async (t) => {
  await t.test('holds when the whole interval satisfies the check', () => {
    const outcome = check('ratio(pi-python, pi-go) > 20');
    assert.equal(outcome.verdict, 'holds');
    assert.equal(outcome.figure!.unit, 'x');
    assert.ok(Math.abs(outcome.figure!.value - 30) < 0.5, String(outcome.figure!.value));
    assert.ok(outcome.figure!.low <= outcome.figure!.value && outcome.figure!.value <= outcome.figure!.high);
  });

  await t.test('does not hold when the whole interval contradicts it', () => {
    assert.equal(check('ratio(pi-python, pi-go) > 100').verdict, 'does not hold');
    assert.equal(check('faster(list-map, list-comp)').verdict, 'does not hold');
    assert.equal(check('faster(list-comp, list-map)').verdict, 'holds');
  });

  await t.test('is inconclusive when the interval straddles the threshold', () => {
    assert.equal(check('faster(same, list-comp)').verdict, 'inconclusive');
    assert.equal(check('median(noisy) > 100ns').verdict, 'inconclusive');
  });

  await t.test('is never shown as holding when a result is missing or failed', () => {
    const failed = check('ratio(broken, pi-go) > 0');
    assert.equal(failed.verdict, 'not measured');
    assert.deepEqual(failed.missing, ['broken']);
    const absent = check('faster(pi-go, nowhere) or ratio(pi-python, pi-go) > 1');
    assert.equal(absent.verdict, 'not measured');
    assert.deepEqual(absent.missing, ['nowhere']);
    // A result without the measure the claim needs (no tracemalloc figure) is not measured either.
    assert.equal(check('peak(pi-go) < 1000B').verdict, 'not measured');
  });

  await t.test('uses units, arithmetic and logic', () => {
    assert.equal(check('peak(count-len) > 1000 * peak(count-for)').verdict, 'holds');
    assert.equal(check('peak(count-for) <= 112B and median(pi-go) < 1us').verdict, 'holds');
    assert.equal(check('not faster(list-comp, list-map)').verdict, 'does not hold');
    assert.equal(check('ratio(pool@workers=1, pool@workers=4) > 3.5').verdict, 'holds');
    assert.equal(check('median(pi-python) / median(pi-go) > 20').figure!.unit, 'x');
  });
});

test('parseClaimExpression locates syntax errors', () => {
  const columnOf = (text: string): number => {
    try {
      parseClaimExpression(text);
    } catch (error) {
      assert.ok(error instanceof ClaimSyntaxError);
      return error.column;
    }
    assert.fail(`${text} parsed`);
  };
  assert.equal(columnOf('ratio(a, b) >'), 14);
  assert.equal(columnOf('speed(a) > 1'), 1);
  assert.equal(columnOf('ratio(a) > 1'), 1);
  assert.equal(columnOf('median(a) > 1 $'), 15);
  assert.equal(columnOf('a > 1'), 1);
});
