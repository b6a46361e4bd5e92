import assert from 'node:assert/strict';
import {test} from 'node:test';
import {seededRandom} from '../../src/measure/basics.js';
import {changepoints, steadyState} from '../../src/measure/steady.js';

/** A trace with noise of `cv` (relative) around `levels`, each for its count of samples. */
function trace(levels: Array<[value: number, count: number]>, cv = 0.02, seed = 7): number[] {
  const random = seededRandom(seed);
  // The sum of four uniforms is close enough to a normal distribution for timing noise.
  const noise = () => (random() + random() + random() + random() - 2) * Math.sqrt(3);
  return levels.flatMap(([value, count]) => Array.from({length: count}, () => value * (1 + cv * noise())));
}

test('steadyState classifies process executions as Barrett et al. do', async (t) => {
  await t.test('flat: noise alone is one segment, and every sample is steady', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const state = steadyState(trace([[100, 20]], 0.03, seed), {warmup: 1, repeat: 5});
      assert.equal(state.classification, 'flat', `seed ${seed}: ${JSON.stringify(state)}`);
      assert.equal(state.steadyFrom, 1, 'only the declared warm-up sample is dropped');
    }
  });

  await t.test('warm-up: slow samples then fast ones; the steady segment is the fast one', () => {
    const state = steadyState(trace([[150, 6], [100, 14]]), {warmup: 1, repeat: 5});
    assert.equal(state.classification, 'warm-up');
    assert.ok(Math.abs(state.steadyFrom - 6) <= 1, `steady from ${state.steadyFrom}`);
    assert.equal(state.changepoints.length, 1);
    const twoStages = steadyState(trace([[300, 6], [150, 6], [100, 14]]), {warmup: 0, repeat: 5});
    assert.equal(twoStages.classification, 'warm-up');
    assert.ok(Math.abs(twoStages.steadyFrom - 12) <= 1, `the steady part starts after the last change: ${twoStages.steadyFrom}`);
  });

  await t.test('slow-down: the last segment is slower', () => {
    const state = steadyState(trace([[100, 12], [140, 12]]), {warmup: 0, repeat: 5});
    assert.equal(state.classification, 'slow-down');
    assert.ok(Math.abs(state.steadyFrom - 12) <= 1, `steady from ${state.steadyFrom}, the change is at 12`);
  });

  await t.test('no steady state: capped while still getting faster, or still moving at the end', () => {
    const ramp = Array.from({length: 30}, (_, i) => 100 * 1.05 ** i);
    assert.equal(steadyState(ramp, {repeat: 5}).classification, 'no steady state');
    const capped = steadyState(trace([[100, 20]]), {warmup: 0, repeat: 5, capped: true});
    assert.equal(capped.classification, 'no steady state');
    assert.equal(capped.steadyFrom, 15, 'without a steady state the last window is used');
  });

  await t.test('one preempted sample is not a segment of its own, and small shifts are merged', () => {
    const spiky = trace([[100, 20]], 0.01);
    spiky[9] = 400;
    assert.equal(steadyState(spiky, {repeat: 5}).classification, 'flat');
    assert.equal(steadyState(trace([[100, 10], [108, 12]], 0.001), {repeat: 5}).classification, 'flat', 'an 8% step is within the equivalence');
    const cuts = changepoints(trace([[100, 10], [130, 12]], 0.01));
    assert.equal(cuts.length, 1, `one change: ${cuts}`);
    assert.ok(Math.abs(cuts[0]! - 10) <= 1, `a 30% step is a changepoint at 10: ${cuts}`);
    const burst = trace([[100, 30]], 0.01);
    burst.splice(26, 3, 400, 300, 500);
    assert.equal(steadyState(burst, {repeat: 5}).classification, 'flat', 'a burst of noise at the end is not a new steady state');
  });
});
