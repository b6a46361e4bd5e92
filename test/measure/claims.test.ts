import assert from 'node:assert/strict';
import {test} from 'node:test';
import {checkClaim, evaluateClaim, summarize, type ClaimInput} from '../../src/measure/index.js';
import {parseClaimExpression, ClaimSyntaxError} from '../../src/parse/claim-expression.js';
import {readPublishedFigure} from '../../src/parse/claim.js';
import type {ClaimSpec} from '../../src/parse/types.js';

/** A fixed result: samples spread ±1% around a centre, so the interval is narrow and known. */
function result(centre: number, extra: Partial<ClaimInput> = {}): ClaimInput {
  const samples = Array.from({length: 20}, (_, i) => centre * (0.99 + (i % 5) * 0.005));
  return {status: 'ok', samples, stats: summarize(samples), cores: 2, logicalCores: 2, ...extra};
}

const results = new Map<string, ClaimInput>(
  Object.entries({
    'pi-python': result(300),
    'pi-go': result(10),
    'list-comp': result(100),
    'list-map': result(130),
    same: result(100),
    near: result(102),
    tenth: result(110),
    noisy: {status: 'ok', samples: [50, 150, 90, 200, 60, 140], stats: summarize([50, 150, 90, 200, 60, 140])},
    'count-len': result(100, {peakBytes: 4_167_400}),
    'count-for': result(120, {peakBytes: 112}),
    broken: {status: 'failed'},
    'pool@workers=1': result(100),
    'pool@workers=2': result(51),
    'pool@workers=4': result(50),
    profile: {status: 'ok', stdout: 'hot spot: slow_unique\n', cores: 2}
  })
);
const check = (text: string, from = results) => evaluateClaim(text, from);
const claim = (check: string, extra: Partial<ClaimSpec> = {}): ClaimSpec => ({kind: 'claim', text: '"words"', check, expression: parseClaimExpression(check), ...extra});
const published = (text: string) => {
  const figure = readPublishedFigure(text);
  assert.ok(!('message' in figure), text);
  return figure;
};

test('evaluateClaim', async (t) => {
  await t.test('holds when the whole interval satisfies the check', () => {
    const outcome = check('ratio(pi-python, pi-go) > 20');
    assert.equal(outcome.verdict, 'holds');
    assert.equal(outcome.figure!.unit, 'x');
    assert.equal(outcome.figure!.interval, true);
    assert.ok(Math.abs(outcome.figure!.value - 30) < 0.5, String(outcome.figure!.value));
    assert.ok(outcome.figure!.low <= outcome.figure!.value && outcome.figure!.value <= outcome.figure!.high);
    assert.deepEqual(outcome.terms[0]!.pair && {a: outcome.terms[0]!.pair.a, b: outcome.terms[0]!.pair.b}, {a: 'pi-python', b: 'pi-go'});
  });

  await t.test('does not hold when the whole interval contradicts it', () => {
    assert.equal(check('ratio(pi-python, pi-go) > 100').verdict, 'does not hold');
    assert.equal(check('faster(list-map, list-comp)').verdict, 'does not hold');
    assert.equal(check('faster(list-comp, list-map)').verdict, 'holds');
    assert.equal(check('slower(list-map, list-comp)').verdict, 'holds');
    assert.equal(check('slower(list-comp, list-map)').verdict, 'does not hold');
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
    // The term that could be measured is still shown with its figure.
    assert.equal(absent.terms[1]!.verdict, 'holds');
    // A result without the measure the claim needs (no tracemalloc figure) is not measured either.
    assert.equal(check('peak(pi-go) < 1000B').verdict, 'not measured');
  });

  await t.test('uses units, arithmetic and logic', () => {
    assert.equal(check('peak(count-len) > 1000 * peak(count-for)').verdict, 'holds');
    assert.equal(check('peak(count-for) <= 112B and median(pi-go) < 1us').verdict, 'holds');
    assert.equal(check('not faster(list-comp, list-map)').verdict, 'does not hold');
    assert.equal(check('ratio(pool@workers=1, pool@workers=4) > 1.9').verdict, 'holds');
    assert.equal(check('median(pi-python) / median(pi-go) > 20').figure!.unit, 'x');
  });

  await t.test('lists every term of a compound check with its value', () => {
    const outcome = check('peak(count-len) > 10 * peak(count-for) and ratio(list-map, list-comp) > 1.2');
    assert.deepEqual(
      outcome.terms.map((term) => [term.expr, term.verdict, term.value, term.unit, term.interval]),
      [
        ['peak(count-len) > 10 * peak(count-for)', 'holds', 4_167_400, 'B', false],
        ['ratio(list-map, list-comp) > 1.2', 'holds', outcome.terms[1]!.value, 'x', true]
      ]
    );
    assert.deepEqual(outcome.terms[0]!.threshold && [outcome.terms[0]!.threshold.expr, outcome.terms[0]!.threshold.value], ['10 * peak(count-for)', 1120]);
    assert.deepEqual(outcome.terms[0]!.values.map((value) => [value.expr, value.figure.value]), [
      ['peak(count-len)', 4_167_400],
      ['peak(count-for)', 112]
    ]);
    assert.equal(outcome.reason, 'all 2 terms hold');
  });

  await t.test('gives spread, peak and rss no interval, and says so', () => {
    const spread = check('spread(noisy) > 10%');
    assert.equal(spread.figure!.unit, '%');
    assert.equal(spread.figure!.interval, false);
    assert.equal(spread.verdict, 'holds');
    assert.match(spread.reason, /no interval/);
    assert.doesNotMatch(spread.reason, /95%/);
  });

  await t.test('misranks() is how often single timings rank two results the other way, with an interval over processes', () => {
    const grouped = (values: number[][]): ClaimInput => ({status: 'ok', samples: values.flat(), groups: values.map((group) => group.length), stats: summarize(values.flat())});
    const from = new Map<string, ClaimInput>([
      ['slow', grouped([[110, 112, 111], [109, 113, 110], [111, 112, 114]])],
      ['fast', grouped([[100, 101, 99], [102, 100, 101], [98, 100, 103]])],
      ['overlapping', grouped([[95, 120, 100], [90, 125, 105], [99, 118, 101]])]
    ]);
    const apart = check('misranks(slow, fast) > 5%', from);
    assert.deepEqual([apart.figure!.value, apart.figure!.low, apart.figure!.high, apart.figure!.unit, apart.figure!.interval], [0, 0, 0, '%', true]);
    assert.equal(apart.verdict, 'does not hold', 'no single timing of the slower one is below one of the faster');
    const mixed = check('misranks(overlapping, fast) > 5%', from);
    assert.ok(mixed.figure!.value > 0.2 && mixed.figure!.value < 0.6, String(mixed.figure!.value));
    assert.ok(mixed.figure!.low < mixed.figure!.value && mixed.figure!.value < mixed.figure!.high);
    assert.equal(mixed.verdict, 'holds');
    assert.equal(check(`misranks(overlapping, fast) > ${(mixed.figure!.value * 100).toFixed(1)}%`, from).verdict, 'inconclusive', 'a threshold inside the interval decides nothing');
    assert.equal(check('misranks(fast, slow) > 99%', from).figure!.value, 1, 'every timing of fast is below every timing of slow');
  });

  await t.test('checks a run block\'s output with prints()', () => {
    assert.equal(check('prints(profile, "hot spot: slow_unique")').verdict, 'holds');
    assert.equal(check('prints(profile, "hot spot: parse")').verdict, 'does not hold');
    assert.equal(check('prints(broken, "x")').verdict, 'not measured');
  });

  await t.test('takes the smallest or largest of values with min() and max()', () => {
    const outcome = check('min(ratio(pi-python, pi-go), ratio(list-map, list-comp)) > 1.2');
    assert.equal(outcome.verdict, 'holds');
    assert.ok(Math.abs(outcome.figure!.value - 1.3) < 0.05);
    assert.equal(check('max(ratio(pi-python, pi-go), 2) > 25').verdict, 'holds');
    // min(a) of one block is still its fastest sample.
    assert.equal(check('min(pi-go) < 10ns').verdict, 'holds');
  });
});

test('same() decides equivalence by two one-sided tests on the ratio\'s interval', async (t) => {
  await t.test('holds inside the margin', () => {
    const outcome = check('same(same, near, 10%)');
    assert.equal(outcome.verdict, 'holds');
    assert.equal(outcome.terms[0]!.margin, 1.1);
    assert.match(outcome.reason, /within the margin/);
  });
  await t.test('does not hold outside it', () => {
    assert.equal(check('same(list-comp, list-map, 10%)').verdict, 'does not hold');
    assert.equal(check('same(list-map, list-comp, 1.1x)').verdict, 'does not hold');
  });
  await t.test('is inconclusive when the interval straddles a bound', () => {
    // 100 / 110 = 0.909 = 1 / 1.1, with an interval of about ±1% around it.
    const outcome = check('same(same, tenth, 10%)');
    assert.equal(outcome.verdict, 'inconclusive');
    assert.match(outcome.reason, /straddles a bound of the margin/);
  });
  await t.test('compares two values', () => {
    assert.equal(check('same(ratio(pool@workers=1, pool@workers=2), ratio(pool@workers=1, pool@workers=4), 10%)').verdict, 'holds');
    assert.equal(check('same(ratio(pool@workers=1, pool@workers=2), 2, 10%)').verdict, 'holds');
  });
});

test('cores is the physical core count of the machine that measured', async (t) => {
  const machine = (cores: number) =>
    new Map<string, ClaimInput>(
      Object.entries({
        'pool@workers=1': result(100, {cores}),
        'pool@workers=2': result(51, {cores}),
        'pool@workers=4': result(50, {cores}),
        'pool@workers=16': result(7, {cores}),
        'pool@workers=32': result(7, {cores})
      })
    );
  const scaling = 'same(pool@workers=(cores), pool@workers=(2 * cores), 10%)';

  await t.test('on a 2-core machine', () => {
    const outcome = check(scaling, machine(2));
    assert.equal(outcome.verdict, 'holds');
    assert.deepEqual(outcome.cores, {value: 2, logical: false});
    assert.deepEqual(outcome.terms[0]!.pair && [outcome.terms[0]!.pair.a, outcome.terms[0]!.pair.b], ['pool@workers=2', 'pool@workers=4']);
  });
  await t.test('on a 16-core machine', () => {
    const outcome = check(scaling, machine(16));
    assert.equal(outcome.verdict, 'holds');
    assert.deepEqual(outcome.terms[0]!.pair && [outcome.terms[0]!.pair.a, outcome.terms[0]!.pair.b], ['pool@workers=16', 'pool@workers=32']);
    assert.equal(check('ratio(pool@workers=1, pool@workers=(min(cores, 4))) > 1.9', machine(16)).verdict, 'holds');
  });
  await t.test('is not measured when the sweep does not reach the value', () => {
    const outcome = check(scaling, machine(8));
    assert.equal(outcome.verdict, 'not measured');
    assert.deepEqual(outcome.missing, ['pool@workers=8', 'pool@workers=16'].filter((key) => !machine(8).has(key)));
  });
  await t.test('is not measured when the results come from machines of different sizes', () => {
    const mixed = new Map([...machine(2)]);
    mixed.set('pool@workers=4', result(50, {cores: 16}));
    const outcome = check(scaling, mixed);
    assert.equal(outcome.verdict, 'not measured');
    assert.match(outcome.reason, /machines with 2 and 16 cores/);
  });
  await t.test('falls back to the logical CPU count of old records', () => {
    const old = new Map([...machine(2)].map(([key, input]) => [key, {...input, cores: undefined, logicalCores: 4}]));
    const outcome = check('ratio(pool@workers=1, pool@workers=(cores)) > 1.9', old);
    assert.deepEqual(outcome.cores, {value: 4, logical: true});
  });
  await t.test('compares with a value', () => {
    assert.equal(check('ratio(pool@workers=1, pool@workers=4) < cores', machine(4)).verdict, 'holds');
    assert.equal(check('ratio(pool@workers=1, pool@workers=4) < cores', machine(1)).verdict, 'does not hold');
  });
});

test('checkClaim gives the magnitude against the article\'s figure', async (t) => {
  const block = (check: string, figure: string, extra: Partial<ClaimSpec> = {}) => ({id: 'c', claim: claim(check, {published: figure, publishedFigure: published(figure), ...extra})});

  await t.test('agrees within the tolerance', () => {
    const outcome = checkClaim(block('ratio(pi-python, pi-go) > 20', '31×'), results);
    assert.equal(outcome.verdict, 'holds');
    assert.equal(outcome.magnitude!.verdict, 'agrees');
    assert.ok(Math.abs(outcome.magnitude!.factor! - 30 / 31) < 0.02);
    assert.equal(outcome.magnitude!.tolerance, 1.5);
  });
  await t.test('differs, smaller or larger, by a factor', () => {
    const smaller = checkClaim(block('ratio(pi-python, pi-go) > 20', '317×'), results);
    assert.equal(smaller.magnitude!.verdict, 'differs');
    assert.equal(smaller.magnitude!.direction, 'smaller');
    assert.ok(Math.abs(smaller.magnitude!.factor! - 30 / 317) < 0.005);
    const larger = checkClaim(block('ratio(pi-python, pi-go) > 1.2', '1.3×'), results);
    assert.equal(larger.verdict, 'holds');
    assert.equal(larger.magnitude!.verdict, 'differs');
    assert.equal(larger.magnitude!.direction, 'larger');
  });
  await t.test('is inconclusive when the interval straddles the tolerance', () => {
    // 30 / 20 = 1.5, the tolerance itself, with an interval around it.
    assert.equal(checkClaim(block('ratio(pi-python, pi-go) > 20', '20×'), results).magnitude!.verdict, 'inconclusive');
    // The same figure agrees with a wider tolerance.
    assert.equal(checkClaim(block('ratio(pi-python, pi-go) > 20', '20×', {tolerance: 2}), results).magnitude!.verdict, 'agrees');
  });
  await t.test('reads faster and slower as the article says them', () => {
    // list-comp takes 100/130 of list-map's time: 1.3× faster.
    const faster = checkClaim(block('faster(list-comp, list-map)', '1.3× faster'), results);
    assert.equal(faster.magnitude!.verdict, 'agrees');
    assert.ok(Math.abs(faster.magnitude!.factor! - 1) < 0.02);
    const slower = checkClaim(block('slower(list-map, list-comp)', '2.6× slower'), results);
    assert.equal(slower.magnitude!.verdict, 'differs');
    assert.equal(slower.magnitude!.direction, 'smaller');
  });
  await t.test('judges every term in the figure\'s unit and keeps the worst', () => {
    const outcome = checkClaim(block('ratio(list-map, list-comp) > 1 and ratio(pi-python, pi-go) > 1', '1.3×'), results);
    assert.equal(outcome.terms[0]!.magnitude!.verdict, 'agrees');
    assert.equal(outcome.terms[1]!.magnitude!.verdict, 'differs');
    assert.equal(outcome.magnitude!.verdict, 'differs');
    assert.equal(outcome.magnitude!.term, 1);
  });
  await t.test('compares bytes as bytes, without an interval', () => {
    const outcome = checkClaim(block('peak(count-len) > 10 * peak(count-for)', '4,167,400 B vs 112 B'), results);
    assert.equal(outcome.magnitude!.verdict, 'agrees');
    assert.equal(outcome.magnitude!.interval, false);
  });
  await t.test('has no figure when the article gives none or the claim is not measured', () => {
    assert.equal(checkClaim({id: 'c', claim: claim('faster(list-comp, list-map)')}, results).magnitude, null);
    const unmeasured = checkClaim(block('ratio(broken, pi-go) > 1', '2×'), results);
    assert.equal(unmeasured.magnitude!.verdict, 'no figure');
    assert.equal(unmeasured.magnitude!.factor, undefined);
  });
  await t.test('carries what the JSON export needs', () => {
    const outcome = checkClaim({id: 'go', claim: claim('ratio(pi-python, pi-go) > 20', {kind: 'hypothesis', published: '317×', publishedFigure: published('317×')})}, results);
    assert.deepEqual([outcome.id, outcome.kind, outcome.text, outcome.check, outcome.published!.value, outcome.published!.unit], ['go', 'hypothesis', '"words"', 'ratio(pi-python, pi-go) > 20', 317, 'x']);
    assert.deepEqual(Object.keys(outcome.terms[0]!).filter((key) => ['expr', 'value', 'low', 'high', 'unit'].includes(key)).sort(), ['expr', 'high', 'low', 'unit', 'value']);
    assert.doesNotThrow(() => JSON.stringify(outcome));
  });
});

test('readPublishedFigure', () => {
  const read = (text: string) => {
    const figure = readPublishedFigure(text);
    return 'message' in figure ? `error at ${figure.column}: ${figure.message}` : [figure.value, figure.unit, figure.sense];
  };
  assert.deepEqual(read('317×'), [317, 'x', undefined]);
  assert.deepEqual(read('1.3x'), [1.3, 'x', undefined]);
  assert.deepEqual(read('2.2× slower (2,336 ns vs 1,067 ns)'), [2.2, 'x', 'slower']);
  assert.deepEqual(read('1.8x faster than Python'), [1.8, 'x', 'faster']);
  assert.deepEqual(read('4,167,400 B vs 112 B and 408 B'), [4_167_400, 'B', undefined]);
  assert.deepEqual(read('16.19 s, 16 threads'), [16.19e9, 'ns', undefined]);
  assert.deepEqual(read('1,085× (85.18 s vs 0.078 s of task time)'), [1085, 'x', undefined]);
  assert.deepEqual(read('2.5 MiB'), [2.5 * 1024 ** 2, 'B', undefined]);
  assert.deepEqual(read('23.6%'), [0.236, '%', undefined]);
  assert.match(String(read('✓ sleep_1000')), /^error at 1: expected a figure at its start/);
  assert.match(String(read('about 24×')), /^error at 1:/);
  assert.match(String(read('42 widgets')), /^error at 3: `42` needs a unit/);
  assert.match(String(read('3xs')), /^error at 2: `3` needs a unit/);
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
  // A time compared with bytes, at the operator.
  assert.equal(columnOf('median(a) > 1MiB'), 11);
  assert.equal(columnOf('same(a, b, 2)'), 12);
  assert.equal(columnOf('same(a, median(b), 10%)'), 9);
  assert.equal(columnOf('prints(a, b)'), 11);
  assert.equal(columnOf('prints(a, "open'), 11);
  assert.equal(columnOf('min(a, b)'), 5);
  assert.equal(columnOf('median(pool@workers=(cores) > 1'), 29);
});
