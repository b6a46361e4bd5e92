import assert from 'node:assert/strict';
import {test} from 'node:test';
import {checkClaim, compareReturnValues, sameResultWarnings, summarize, type ClaimInput} from '../../src/measure/index.js';
import type {ReturnValue} from '../../src/model/index.js';
import {parseClaimExpression} from '../../src/parse/claim-expression.js';
import type {ClaimSpec} from '../../src/parse/types.js';

const number = (value: number): ReturnValue => ({kind: 'number', value});
const digest = (value: string): ReturnValue => ({kind: 'digest', value});

test('compareReturnValues', async (t) => {
  await t.test('numbers agree within a relative 1e-6: the same sum added in another order', () => {
    assert.equal(compareReturnValues(number(3.141592653589793), number(3.141592653589793 * (1 + 1e-9))), 'same');
    assert.equal(compareReturnValues(number(49995000), number(49995000)), 'same');
    assert.equal(compareReturnValues(number(1e6), number(1e6 + 0.9)), 'same');
    assert.equal(compareReturnValues(number(3.14159), number(3.1416)), 'different');
    assert.equal(compareReturnValues(number(49995000), number(0)), 'different');
  });

  await t.test('near zero, within an absolute 1e-12', () => {
    assert.equal(compareReturnValues(number(0), number(1e-13)), 'same');
    assert.equal(compareReturnValues(number(-5e-13), number(4e-13)), 'same');
    assert.equal(compareReturnValues(number(0), number(1e-9)), 'different');
  });

  await t.test('digests must be equal, and a number is never a digest', () => {
    assert.equal(compareReturnValues(digest('28bbee4398699f19'), digest('28bbee4398699f19')), 'same');
    assert.equal(compareReturnValues(digest('28bbee4398699f19'), digest('8755052375c333b2')), 'different');
    assert.equal(compareReturnValues(number(6), digest('28bbee4398699f19')), 'different');
  });

  await t.test('none, or no record at all, is comparable with nothing', () => {
    assert.equal(compareReturnValues({kind: 'none'}, number(1)), 'not comparable');
    assert.equal(compareReturnValues({kind: 'none'}, {kind: 'none'}), 'not comparable');
    assert.equal(compareReturnValues(undefined, number(1)), 'not comparable');
    assert.equal(compareReturnValues(digest('28bbee4398699f19'), undefined), 'not comparable');
  });
});

test('sameResultWarnings', async (t) => {
  const values: Record<string, ReturnValue> = {
    'pi-go': number(3.14159),
    'pi-python': number(3.1416),
    'pi-pypy': number(3.1416),
    'pool-go@workers=4': number(50),
    'pool-python@workers=4': number(49),
    'pool-python@workers=8': number(100),
    'list-js': digest('28bbee4398699f19')
  };
  const warningsOf = (...keys: string[]) => sameResultWarnings(keys, (key) => values[key]);

  await t.test('one warning per pair that differs, numbers with the digits that tell them apart', () => {
    assert.deepEqual(warningsOf('pi-go', 'pi-python', 'pi-pypy'), [
      'the blocks do not compute the same result: `pi-go` returned 3.14159 and `pi-python` 3.14160; if they are meant to differ, say so with `same-result=no`',
      'the blocks do not compute the same result: `pi-go` returned 3.14159 and `pi-pypy` 3.14160; if they are meant to differ, say so with `same-result=no`'
    ]);
    assert.deepEqual(warningsOf('pi-python', 'pi-pypy', 'pi-python'), []);
  });

  await t.test('a digest and a number differ, said in words', () => {
    assert.deepEqual(warningsOf('list-js', 'pi-python'), [
      'the blocks do not compute the same result: `list-js` returned data of digest 28bbee4398699f19 and `pi-python` 3.1416; if they are meant to differ, say so with `same-result=no`'
    ]);
  });

  await t.test('sweep points are compared at the same parameter value only', () => {
    assert.equal(warningsOf('pool-go@workers=4', 'pool-python@workers=4').length, 1);
    assert.deepEqual(warningsOf('pool-python@workers=4', 'pool-python@workers=8'), [], 'another point of the sweep does other work');
    assert.deepEqual(warningsOf('pool-go@workers=4', 'pool-python@workers=8'), []);
    assert.deepEqual(warningsOf('pi-go', 'pool-python@workers=4'), [], 'a sweep point against an unswept block');
  });

  await t.test('keys without a value are left out', () => {
    assert.deepEqual(warningsOf('pi-go', 'unknown'), []);
  });
});

test('checkClaim warns when the blocks it compares return different results, and never changes the verdict for it', async (t) => {
  const timed = (centre: number, returnValue?: ReturnValue): ClaimInput => {
    const samples = Array.from({length: 20}, (_, i) => centre * (0.99 + (i % 5) * 0.005));
    return {status: 'ok', samples, stats: summarize(samples), ...(returnValue ? {returnValue} : {})};
  };
  const results = new Map<string, ClaimInput>([
    ['sum-python', timed(300, number(49995000))],
    ['sum-js', timed(20, number(49995000))],
    ['sum-go', timed(1, number(0))],
    ['sum-old', timed(2)]
  ]);
  const claim = (check: string, extra: Partial<ClaimSpec> = {}) => ({id: 'c', claim: {kind: 'claim' as const, text: '"words"', check, expression: parseClaimExpression(check), ...extra}});

  await t.test('blocks that agree: no warning', () => {
    const result = checkClaim(claim('ratio(sum-python, sum-js) > 2'), results);
    assert.equal(result.verdict, 'holds');
    assert.equal(result.warnings, undefined);
  });

  await t.test('blocks that differ: a warning beside the same verdict', () => {
    const result = checkClaim(claim('ratio(sum-python, sum-go) > 2'), results);
    assert.equal(result.verdict, 'holds');
    assert.deepEqual(result.warnings, [
      'the blocks do not compute the same result: `sum-python` returned 49995000 and `sum-go` 0; if they are meant to differ, say so with `same-result=no`'
    ]);
  });

  await t.test('same-result=no: the difference is meant, no warning', () => {
    const result = checkClaim(claim('ratio(sum-python, sum-go) > 2', {sameResult: false}), results);
    assert.equal(result.verdict, 'holds');
    assert.equal(result.warnings, undefined);
  });

  await t.test('every term of a compound check counts; a result without a value is not compared', () => {
    const result = checkClaim(claim('faster(sum-js, sum-python) and faster(sum-go, sum-old)'), results);
    assert.equal(result.warnings?.length, 2, JSON.stringify(result.warnings));
    assert.ok(result.warnings!.every((warning) => warning.includes('`sum-go`')));
  });
});
