import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {parseNotebook} from '../../src/parse/index.js';
import {planNotebook, sweepValues} from '../../src/plan/index.js';
import type {RuntimeInfo} from '../../src/model/index.js';
import {fixture} from '../helpers/paths.js';

const runtimes: Record<string, RuntimeInfo> = {
  python: {name: 'python', executable: '/usr/bin/python3.11', version: '3.11.7'},
  go: {name: 'go', executable: '/usr/local/go/bin/go', version: 'go1.26.8'},
  js: {name: 'js', executable: '/usr/bin/node', version: 'node v20.20.2'}
};

async function goodNotebook(source?: string) {
  const text = source ?? (await readFile(fixture('parse', 'good.md'), 'utf8'));
  const {notebook, messages} = parseNotebook(text, 'good.md');
  assert.deepEqual(messages.filter((message) => message.fatal), []);
  return notebook!;
}

test('planNotebook', async (t) => {
  await t.test('resolves the profile: params and measurement defaults', async () => {
    const notebook = await goodNotebook();
    const quick = planNotebook(notebook, {runtimes});
    assert.equal(quick.profile, 'quick');
    assert.equal(quick.params.n, 10);
    assert.equal(quick.runs[0]!.code, 'def bench():\n    return sum(range(10))');
    const full = planNotebook(notebook, {runtimes, profile: 'full'});
    assert.equal(full.runs[0]!.code, 'def bench():\n    return sum(range(100000))');
    // Block options beat the profile, the profile beats the notebook, the notebook beats built-ins.
    assert.equal(full.runs[0]!.measure.repeat, 7);
    assert.equal(full.runs.find((run) => run.blockId === 'pool')!.measure.repeat, 20);
    assert.equal(quick.runs.find((run) => run.blockId === 'pool')!.measure.repeat, 3);
    assert.equal(quick.runs.find((run) => run.blockId === 'pool')!.measure.minSampleMs, 2);
    assert.equal(quick.runs[0]!.measure.minSampleMs, 5);
    assert.equal(quick.runs[0]!.timeoutMs, 30_000);
    assert.equal(quick.runs.find((run) => run.blockId === 'pool')!.measure.fn, 'work');
  });

  await t.test('a written timeout holds at the quick sizes and grows with size= in larger profiles', async () => {
    const source = [
      '---', 'title: T',
      'params: {tasks: 8, task_iter: 1000, workers: [1, 2]}',
      'profiles:', '  quick: {}', '  full: {tasks: 50, task_iter: 100000, workers: [1, 2, 4]}', '  strict: {measure: {timeout: 5s}}',
      '---', '',
      '```python bench id=pool sweep=workers size=tasks*task_iter timeout=2m', 'def bench():', '    return {{tasks}} * {{task_iter}} * {{workers}}', '```', '',
      '```python bench id=plain', 'def bench():', '    return 1', '```', '',
      '```python bench id=fixed processes=2', 'def bench():', '    return 1', '```', ''
    ].join('\n');
    const notebook = await goodNotebook(source);
    const quick = planNotebook(notebook, {runtimes});
    assert.deepEqual(quick.runs.map((run) => [run.key, run.timeoutMs]), [['pool@workers=1', 120_000], ['pool@workers=2', 120_000], ['plain', 60_000], ['fixed', 60_000]]);
    const full = planNotebook(notebook, {runtimes, profile: 'full'});
    // 50 × 100,000 against 8 × 1,000: 625 times the work, 625 times the limit.
    assert.equal(full.runs[0]!.timeoutMs, 120_000 * 625);
    assert.equal(full.runs[0]!.size, 5_000_000);
    assert.equal(planNotebook(notebook, {runtimes, profile: 'strict'}).runs[2]!.timeoutMs, 5000, "a profile's own timeout is taken as written");
    assert.equal(full.runs[0]!.hash === planNotebook(await goodNotebook(source.replace('timeout=2m', 'timeout=3m')), {runtimes, profile: 'full'}).runs[0]!.hash, true, 'the limit is not part of the hash');
    const budgeted = planNotebook(await goodNotebook(source.replace('title: T', 'title: T\nmeasure: {budget: 30s}')), {runtimes});
    assert.equal(budgeted.runs[2]!.timeoutMs, 90_000, 'without a timeout, three budgets when that is more than a minute');
  });

  await t.test('rejects a profile the notebook does not declare', async () => {
    assert.throws(() => planNotebook(parseNotebook('---\ntitle: x\nprofiles:\n  full: {}\n---\n', 'x.md').notebook!, {runtimes, profile: 'fast'}), /profile `fast` is not declared in x\.md: expected one of full/);
  });

  await t.test('expands a sweep into one run per value with its own key and hash', async () => {
    const plan = planNotebook(await goodNotebook(), {runtimes});
    const pool = plan.runs.filter((run) => run.blockId === 'pool');
    assert.deepEqual(pool.map((run) => run.key), ['pool@workers=1', 'pool@workers=2', 'pool@workers=3']);
    assert.deepEqual(pool.map((run) => run.code), ['export function work() { return 1 * 2 }', 'export function work() { return 2 * 2 }', 'export function work() { return 3 * 2 }']);
    assert.equal(new Set(pool.map((run) => run.hash)).size, 3);
    assert.deepEqual(pool[1]!.sweep, {name: 'workers', value: 2});
  });

  await t.test('plans only bench and run blocks, and only those selected by filter', async () => {
    const notebook = await goodNotebook();
    assert.deepEqual([...new Set(planNotebook(notebook, {runtimes}).runs.map((run) => run.blockId))], ['py-loop', 'go-version', 'pool']);
    assert.deepEqual(planNotebook(notebook, {runtimes, filter: ['go-version']}).runs.map((run) => run.key), ['go-version']);
  });

  await t.test('hashes code, options, used params and runtime version, nothing else', async () => {
    const notebook = await goodNotebook();
    const base = planNotebook(notebook, {runtimes}).runs[0]!.hash;
    assert.equal(planNotebook(notebook, {runtimes}).runs[0]!.hash, base, 'stable across plans');
    const newerPython = {...runtimes, python: {...runtimes.python!, version: '3.11.8'}};
    assert.notEqual(planNotebook(notebook, {runtimes: newerPython}).runs[0]!.hash, base, 'runtime version');
    assert.notEqual(planNotebook(notebook, {runtimes, profile: 'full'}).runs[0]!.hash, base, 'param used by the code');

    const source = await readFile(fixture('parse', 'good.md'), 'utf8');
    const otherSizes = await goodNotebook(source.replace('sizes: [10, 100]', 'sizes: [10, 1000]'));
    assert.equal(planNotebook(otherSizes, {runtimes}).runs[0]!.hash, base, 'a param the code does not use');
    const otherRepeat = await goodNotebook(source.replace('repeat=7', 'repeat=8'));
    assert.notEqual(planNotebook(otherRepeat, {runtimes}).runs[0]!.hash, base, 'a measurement option');
    const otherCode = await goodNotebook(source.replace('return sum(range({{n}}))', 'return sum(range({{n}})) + 0'));
    assert.notEqual(planNotebook(otherCode, {runtimes}).runs[0]!.hash, base, 'the code');
    const otherProse = await goodNotebook(source.replace('Some *prose*.', 'Other prose.'));
    assert.equal(planNotebook(otherProse, {runtimes}).runs[0]!.hash, base, 'prose');
  });
});

test('sweepValues expands lists and inclusive ranges', () => {
  assert.deepEqual(sweepValues([1, 2, 4]), [1, 2, 4]);
  assert.deepEqual(sweepValues('1..4'), [1, 2, 3, 4]);
  assert.deepEqual(sweepValues('3..1'), [3, 2, 1]);
});
