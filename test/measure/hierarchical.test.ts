import assert from 'node:assert/strict';
import {test} from 'node:test';
import {seededRandom} from '../../src/measure/basics.js';
import {chooseDesign} from '../../src/measure/design.js';
import {bootstrapMedians, hierarchicalMedianInterval, hierarchicalRatio, splitGroups, studentT975, varianceComponents} from '../../src/measure/hierarchical.js';
import {compareSamples} from '../../src/measure/compare.js';
import {summarize} from '../../src/measure/statistics.js';

/** Processes whose means differ by `between` (relative sd) and whose samples by `within`. */
function processes(count: number, perProcess: number, between: number, within: number, seed: number, level = 100): number[][] {
  const random = seededRandom(seed);
  const normal = () => (random() + random() + random() + random() - 2) * Math.sqrt(3);
  return Array.from({length: count}, () => {
    const mean = level * (1 + between * normal());
    return Array.from({length: perProcess}, () => mean * (1 + within * normal()));
  });
}

test('the two-level bootstrap', async (t) => {
  await t.test('splitGroups follows the group sizes, and falls back to one group when they do not add up', () => {
    assert.deepEqual(splitGroups([1, 2, 3, 4, 5], [2, 3]), [[1, 2], [3, 4, 5]]);
    assert.deepEqual(splitGroups([1, 2, 3], [2, 2]), [[1, 2, 3]]);
  });

  await t.test('with processes that differ, its interval is wider than pooling samples as independent', () => {
    const groups = processes(4, 10, 0.05, 0.01, 3);
    const pooled = summarize(groups.flat()).ci;
    const twoLevel = hierarchicalMedianInterval(groups);
    assert.ok(twoLevel[1] - twoLevel[0] > 2 * (pooled[1] - pooled[0]), `two-level ${twoLevel} vs pooled ${pooled}`);
    assert.deepEqual(summarize(groups.flat(), {groups: groups.map((group) => group.length)}).ci, twoLevel, 'summarize uses it when given groups');
  });

  await t.test('unchanged code measured twice is not flagged, where pooled samples would be', () => {
    let pooledFlags = 0;
    let twoLevelFlags = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const a = processes(3, 10, 0.04, 0.01, seed);
      const b = processes(3, 10, 0.04, 0.01, seed + 100);
      if (compareSamples(a.flat(), b.flat()).verdict !== 'no significant difference') pooledFlags++;
      const sizes = (groups: number[][]) => groups.map((group) => group.length);
      if (compareSamples(a.flat(), b.flat(), {groups: [sizes(a), sizes(b)]}).verdict !== 'no significant difference') twoLevelFlags++;
    }
    assert.ok(twoLevelFlags <= 2, `two-level flagged ${twoLevelFlags} of 20`);
    assert.ok(pooledFlags > twoLevelFlags, `pooled flagged ${pooledFlags}, two-level ${twoLevelFlags}`);
  });

  await t.test('a real 20% change is still found', () => {
    const a = processes(5, 10, 0.02, 0.01, 1, 120);
    const b = processes(5, 10, 0.02, 0.01, 2, 100);
    const result = hierarchicalRatio(a, b);
    assert.ok(result.ci[0] > 1.1 && result.p < 0.05, JSON.stringify(result));
  });

  await t.test('with three processes, the interval is as wide as Student\'s t over their medians, wider than the bootstrap alone', () => {
    // Three processes 10% apart, their samples tight: the bootstrap can only draw from three medians.
    const groups = [[100, 100.2, 99.9, 100.1], [110, 110.1, 109.8, 110.2], [90, 90.1, 89.9, 90.2]];
    const resampled = Array.from(bootstrapMedians(groups)).sort((a, b) => a - b);
    const bootstrapWidth = resampled[Math.floor(0.975 * resampled.length)]! - resampled[Math.floor(0.025 * resampled.length)]!;
    const [low, high] = hierarchicalMedianInterval(groups);
    assert.ok(high - low > 1.5 * bootstrapWidth, `t interval ${low}-${high}, bootstrap width ${bootstrapWidth}`);
    // t(2) = 4.303 times the standard error of the log medians (sd about 0.1) over sqrt(3).
    assert.ok(low < 80 && high > 120, `${low}-${high}`);
    const ratio = hierarchicalRatio(groups, groups.map((group) => group.map((x) => x * 1.05)));
    assert.ok(ratio.ci[0] < 1 && ratio.ci[1] > 1, `a 5% change among processes 10% apart is not a change: ${ratio.ci}`);
  });

  await t.test('studentT975 follows the table and tends to the normal quantile', () => {
    assert.equal(studentT975(1), 12.706);
    assert.equal(studentT975(4), 2.776);
    assert.ok(Math.abs(studentT975(2.5) - (4.303 + 3.182) / 2) < 1e-9);
    for (const [df, t] of [[12, 2.179], [20, 2.086], [30, 2.042], [120, 1.980]] as const) assert.ok(Math.abs(studentT975(df) - t) < 0.002, `t(${df}) = ${studentT975(df)}`);
    assert.equal(studentT975(0), Number.POSITIVE_INFINITY);
  });

  await t.test('varianceComponents separates the levels', () => {
    const {within, between} = varianceComponents(processes(30, 20, 0.05, 0.01, 9));
    assert.ok(between > 10 * within, `between ${between}, within ${within}`);
  });
});

test('chooseDesign (Kalibera and Jones)', async (t) => {
  const pilot = (between: number, within: number) => ({groups: processes(3, 10, between, within, 5), processMs: [300, 300, 300], sampleMs: 10});

  await t.test('more processes when processes differ, more samples when samples do', () => {
    const spreadBetween = chooseDesign(pilot(0.03, 0.002), {repeat: 5, budgetMs: 60_000, spentMs: 600});
    const spreadWithin = chooseDesign(pilot(0.0005, 0.05), {repeat: 5, budgetMs: 60_000, spentMs: 600});
    assert.ok(spreadBetween.processes > spreadWithin.processes, `${spreadBetween.reason} / ${spreadWithin.reason}`);
    assert.ok(spreadWithin.samplesPerProcess > spreadBetween.samplesPerProcess, `${spreadBetween.reason} / ${spreadWithin.reason}`);
  });

  await t.test('stays within the budget, with three processes at least, and says why', () => {
    const tight = chooseDesign(pilot(0.05, 0.01), {repeat: 5, budgetMs: 1000, spentMs: 900});
    assert.equal(tight.processes, 3);
    assert.match(tight.reason, /^3 processes × \d+ samples: the 1 s budget allows/);
  });
});
