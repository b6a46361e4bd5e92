import assert from 'node:assert/strict';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {parseNotebook} from '../../src/parse/index.js';
import {describeResolution, formatChange, renderChangesSection, withBaselineNote} from '../../src/render/baseline.js';
import {baselineOutcomes, compareWithBaseline, regressionsOf, resolutionOf, type BlockChange} from '../../src/check/baseline.js';

import {BaselineStore, checkBaselineName} from '../../src/store/baseline.js';
import type {StoredResult} from '../../src/model/index.js';
import {runCli, scratchCopy} from './helpers.js';

/** The HTML of one block of a page, found by its id. */
function blockHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `block ${id} is on the page`);
  const next = html.indexOf('class="block', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

test('baselines from the command line', async (t) => {
  const scratch = await scratchCopy('fast.md');
  t.after(() => scratch.dispose());
  const notebook = scratch.file('fast.md');
  const report = (...args: string[]) => runCli(['report', notebook, ...args, '--data', scratch.data, '--out', scratch.out]);

  await t.test('--save-baseline copies the results shown into data/baselines/<name>/, atomically', async () => {
    const run = await report('--save-baseline', 'main');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^saved baseline main: 2 results \(compare later runs with --baseline main\)$/m);
    const files = (await readdir(path.join(scratch.data, 'baselines', 'main', 'fast'))).sort();
    assert.deepEqual(files, ['_baseline.json', 'js.json', 'py.json'], 'one file per result and the manifest, no temporary file left');
    const saved = JSON.parse(await readFile(path.join(scratch.data, 'baselines', 'main', 'fast', 'py.json'), 'utf8')) as StoredResult;
    // Sampled until steady: at least `repeat` (5) of them.
    assert.ok((saved.result.samples?.length ?? 0) >= 5, 'the samples are kept: later runs compare sample against sample');
  });

  await t.test('a block made slower is flagged, the unchanged one is not, and --fail-on-regression exits 3', async () => {
    const source = await readFile(notebook, 'utf8');
    await writeFile(notebook, source.replace('    return sum(range(100))', '    import time; time.sleep(0.002)\n    return sum(range(100))'));
    const markdown = path.join(scratch.dir, 'results.md');
    const run = await report('--baseline', 'main', '--fail-on-regression', '20', '--export-markdown', markdown);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^running fast\/py \(code, options or parameters changed\)$/m);
    assert.match(run.stderr, /^reused {2}fast\/js$/m);
    assert.match(run.stderr, /^slower {2}fast\/py: .+ \(.+ → .+, 95% CI ×.+, (?:p = 0\.0\d\d|p < 0\.001)\) vs baseline main$/m);
    assert.doesNotMatch(run.stderr, /^(slower|faster) +fast\/js/m, 'the unchanged block has no change line');
    assert.match(run.stderr, /^claim {3}fast\/py-quick: holds → does not hold vs baseline main$/m);
    assert.match(run.stderr, /^baseline main: 1 slower, 1 no significant change; the comparisons' 95% intervals ±[\d.]+% at the median \(±[\d.]+% to ±[\d.]+%\): a smaller change is not seen$/m);
    assert.match(run.stderr, /^regression: fast\/py is .+ slower than baseline main, more than the 20% --fail-on-regression allows$/m);
    assert.match(run.stdout, /^benchbook: 1 notebook, 1 run, 1 reused, 0 failed/m, 'the summary line is still printed');

    const page = await readFile(path.join(scratch.out, 'fast.html'), 'utf8');
    assert.match(blockHtml(page, 'py'), /<p class="result baseline">vs baseline <b>main<\/b>: <span class="change change-slower"><b>[^<]+<\/b> slower<\/span>/);
    assert.match(blockHtml(page, 'js'), /vs baseline <b>main<\/b>: <span class="change change-none">no significant change<\/span>/);
    assert.doesNotMatch(page, /<script/i, 'the published page stays script-free');

    const index = await readFile(path.join(scratch.out, 'index.html'), 'utf8');
    const section = /<section class="changes"[\s\S]*?<\/section>/.exec(index)?.[0] ?? '';
    assert.match(section, /<h2 id="changes-since">Changes since main<\/h2>/);
    assert.match(section, /1 slower, 1 no significant change/);
    assert.match(section, /<a href="fast\.html#py">Python<\/a>: <span class="change change-slower">/);
    assert.doesNotMatch(section, /fast\.html#js/);
    assert.match(section, /<a href="fast\.html#py-quick">Claim<\/a> [^<]+: <span class="verdict verdict-holds">holds<\/span> → <span class="verdict verdict-fails">does not hold<\/span>/);

    const table = await readFile(markdown, 'utf8');
    assert.match(table, /^\| Command \| Mean( \[.+?\])? \| Min.* \| Relative \| Median.* \| n \| Runtime \| vs main \|$/m);
    assert.match(table, /^\| `Python` \| .+ \| \d+ \| CPython .+ \| .+ slower \|$/m);
    assert.match(table, /^\| `JavaScript` \| .+ \| \d+ \| node .+ \| ~ \|$/m);
  });

  await t.test('without --fail-on-regression, or under its threshold, a slower block does not fail the run', async () => {
    assert.equal((await report('--baseline', 'main', '--quiet')).code, 0);
    const lenient = await report('--baseline', 'main', '--fail-on-regression', '1e9');
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /^slower {2}fast\/py/m, 'still reported');
    assert.doesNotMatch(lenient.stderr, /^regression:/m);
  });

  await t.test('an unknown or invalid baseline name is a usage error (exit 2) before anything runs', async () => {
    const missing = await report('--baseline', 'nope');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^benchbook: no baseline named nope in .+baselines \(saved: main\): save one first with --save-baseline nope$/m);
    assert.doesNotMatch(missing.stderr, /^(running|reused)/m);
    const invalid = await report('--save-baseline', '../up');
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /invalid --save-baseline "\.\.\/up": use letters, digits/);
  });
});

/** A stored bench result with these samples (ns). */
function record(key: string, samples: number[], extra: Partial<StoredResult['result']> = {}, fingerprint = 'here'): StoredResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    format: 1,
    notebook: 'nb',
    key,
    blockId: key.split('@')[0]!,
    kind: 'bench',
    hash: 'h',
    profile: 'quick',
    runtime: {name: 'python', executable: '/usr/bin/python3', version: 'CPython 3.11.7'},
    machine: {fingerprint} as StoredResult['machine'],
    date: '2024-05-01T12:00:00.000Z',
    result: {status: 'ok', timedOut: false, durationMs: 100, stdout: '', stderr: '', samples, ...extra},
    stats: {median: sorted[Math.floor(sorted.length / 2)]!} as StoredResult['stats']
  };
}

const source = ['---', 'title: T', '---', '', '```python bench id=a label="Block A"', 'def bench():', '    return 1', '```', '', '```python bench id=b', 'def bench():', '    return 2', '```', ''].join('\n');
const {notebook} = parseNotebook(source, 'nb.md');

function changesOf(now: Record<string, number[]>, before: Record<string, number[]>, noise?: number): BlockChange[] {
  const outcomes = Object.fromEntries(Object.entries(now).map(([key, samples]) => [key, [{key, stored: record(key, samples)}]]));
  const snapshot = {savedAt: '2024-05-01T00:00:00.000Z', records: new Map(Object.entries(before).map(([key, samples]) => [key, record(key, samples)]))};
  return compareWithBaseline(notebook!, outcomes, snapshot, noise === undefined ? {} : {noise});
}

const base = [100, 101, 102, 103, 104, 105, 106, 107];

test('compareWithBaseline', async (t) => {
  await t.test('slower and faster need a significant U test and a change beyond the noise band', () => {
    const [slower, faster] = changesOf({a: base.map((x) => x * 1.5), b: base.map((x) => x * 0.5)}, {a: base, b: base});
    assert.equal(slower!.verdict, 'slower');
    assert.equal(slower!.label, 'Block A');
    assert.ok(slower!.ratio! > 1.4 && slower!.ci![0] > 1 && slower!.p! < 0.05);
    assert.equal(faster!.verdict, 'faster');
    assert.equal(regressionsOf([slower!, faster!], 20).length, 1);
    assert.equal(regressionsOf([slower!, faster!], 60).length, 0, 'a 50% slowdown is within a 60% allowance');
  });

  await t.test('a significant change inside the noise band is no significant change, saying why', () => {
    const [small] = changesOf({a: base.map((x) => x * 1.03)}, {a: base});
    assert.equal(small!.verdict, 'no significant change');
    assert.equal(small!.reason, 'within the ±5% noise band');
    const [strict] = changesOf({a: base.map((x) => x * 1.03)}, {a: base}, 0.01);
    assert.equal(strict!.verdict, 'slower', 'with a 1% band the same change counts');
  });

  await t.test('the same samples are no change; a key the baseline lacks is new', () => {
    const [same, fresh] = changesOf({a: base, b: base}, {a: base});
    assert.equal(same!.verdict, 'no significant change');
    assert.equal(same!.ratio, 1);
    assert.equal(fresh!.verdict, 'new');
  });

  await t.test('unchanged blocks measured again tell how the machine moved: blocks that moved with it are no change, one that moved apart is', () => {
    const blocks = ['a', 'b', 'c', 'd'].map((id) => ['```python bench id=' + id, 'def bench():', '    return 1', '```', ''].join('\n'));
    const four = parseNotebook(['---', 'title: Four', '---', '', ...blocks].join('\n'), 'nb.md').notebook!;
    // The baseline's results, and this build's: measured later, on a machine 30% slower throughout.
    const saved = (key: string) => record(key, base);
    const now = (key: string, factor: number, hash = 'h') => ({...record(key, base.map((x, i) => x * factor * (1 + ((i * 7) % 5) / 1000))), hash, date: '2024-06-01T12:00:00.000Z'});
    const snapshot = {savedAt: '2024-05-01T00:00:00.000Z', records: new Map(['a', 'b', 'c', 'd'].map((key) => [key, saved(key)]))};
    const compare = (records: StoredResult[]) => compareWithBaseline(four, Object.fromEntries(records.map((stored) => [stored.key, [{key: stored.key, stored}]])), snapshot);

    const [a, b, c, d] = compare([now('a', 1.3), now('b', 1.31), now('c', 1.29), now('d', 1.3 * 1.15, 'edited')]);
    for (const change of [a!, b!, c!]) {
      assert.equal(change.verdict, 'no significant change', `${change.key}: ${JSON.stringify(change)}`);
      assert.ok(change.rawRatio! > 1.25 && change.drift!.ratio > 1.25 && change.drift!.blocks === 2);
    }
    assert.equal(d!.verdict, 'slower', JSON.stringify(d));
    assert.ok(Math.abs(d!.ratio! - 1.15) < 0.02 && d!.drift!.blocks === 3, `${d!.ratio} over ${d!.drift?.blocks} blocks`);

    // Same code, same runtime, yet slower than the rest (a new library under it): still flagged.
    const alone = compare([now('a', 1.3), now('b', 1.31), now('c', 1.29), now('d', 1.3 * 1.4)])[3]!;
    assert.equal(alone.verdict, 'slower');
    assert.ok(Math.abs(alone.ratio! - 1.4) < 0.03);

    // With one other unchanged block only, nothing is corrected: the raw ratio decides.
    const few = compare([now('a', 1.3), now('b', 1.3, 'edited'), now('c', 1.3, 'edited')]);
    assert.deepEqual(few.map((change) => [change.verdict, change.drift]), [['slower', undefined], ['slower', undefined], ['slower', undefined]]);
  });

  await t.test('one erratic unchanged block does not hide a real 15% slowdown; a block whose runs spread widely is not flagged for a jump within its spread', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const five = parseNotebook(['---', 'title: Five', '---', '', ...ids.map((id) => ['```python bench id=' + id, 'def bench():', '    return 1', '```', ''].join('\n'))].join('\n'), 'nb.md').notebook!;
    const snapshot = {savedAt: '2024-05-01T00:00:00.000Z', records: new Map(ids.map((key) => [key, record(key, base)]))};
    const now = (key: string, factor: number, extra: Partial<StoredResult> = {}) => ({...record(key, base.map((x, i) => x * factor * (1 + ((i * 7) % 5) / 1000))), date: '2024-06-01T12:00:00.000Z', ...extra});
    const compare = (records: StoredResult[]) => compareWithBaseline(five, Object.fromEntries(records.map((stored) => [stored.key, [{key: stored.key, stored}]])), snapshot);

    // d, a Go map that ran 2.4x slower this once, is one of the four others e's drift is read from.
    const changes = compare([now('a', 1), now('b', 1.01), now('c', 0.99), now('d', 2.4), now('e', 1.15, {hash: 'edited'})]);
    const e = changes[4]!;
    assert.equal(e.verdict, 'slower', JSON.stringify(e));
    assert.ok(e.ci![0] > 1.05, `the interval ${e.ci} is not blown open by d`);
    assert.equal(changes[3]!.verdict, 'slower', 'd itself, with no history, is flagged');

    // The same jump, when d's history shows its runs spread by 40%: no significant change.
    const spread = {runs: {count: 6, spread: 0.4, ownCi: [237, 242] as [number, number]}};
    const withHistory = compare([now('a', 1), now('b', 1.01), now('c', 0.99), {...now('d', 2.4), stats: {...now('d', 2.4).stats!, ...spread}}, now('e', 1)]);
    assert.equal(withHistory[3]!.verdict, 'no significant change', JSON.stringify(withHistory[3]));

    // Every block's runs spread by 4% over three builds, the machine's drift: dividing by the drift
    // took that out, so a 12% slowdown of e is still seen, where t(2) × 4% alone would have hidden it.
    const machine = (factor: number) => ({runs: {count: 3, spread: 0.04, ownCi: [base[0]! * factor * 0.99, base[0]! * factor * 1.01] as [number, number]}});
    const drifting = (key: string, factor: number, extra: Partial<StoredResult> = {}) => {
      const measured = now(key, factor, extra);
      return {...measured, stats: {...measured.stats!, ...machine(factor)}};
    };
    const shared = compare([drifting('a', 1), drifting('b', 1.01), drifting('c', 0.99), drifting('d', 1), drifting('e', 1.12, {hash: 'edited'})]);
    assert.equal(shared[4]!.verdict, 'slower', JSON.stringify(shared[4]));
    assert.ok(shared[4]!.runSpread?.runs === 3, 'the block\'s own run spread is reported');
    // A block whose own runs spread well beyond the others' (20% against 4%) is widened by the excess.
    const own = {...drifting('e', 1.12, {hash: 'edited'})};
    own.stats = {...own.stats, runs: {...own.stats.runs, spread: 0.2}};
    assert.equal(compare([drifting('a', 1), drifting('b', 1.01), drifting('c', 0.99), drifting('d', 1), own])[4]!.verdict, 'no significant change');
  });

  await t.test('the smallest change the comparisons could see: their intervals\' half-widths, the wider side', () => {
    const change = (ratio: number, ci: [number, number]): BlockChange => ({notebook: 'nb', key: 'k', blockId: 'k', label: 'k', verdict: 'no significant change', ratio, ci, unit: 'ns'});
    const resolution = resolutionOf([change(1, [0.98, 1.02]), change(2, [1.8, 2.4]), change(1, [0.5, 1.5]), {...change(1, [1, 1]), ci: undefined}]);
    assert.deepEqual(resolution && {...resolution, median: Number(resolution.median.toFixed(6)), low: Number(resolution.low.toFixed(6))}, {median: 0.2, low: 0.02, high: 0.5, count: 3});
    assert.equal(describeResolution(resolution!), "the comparisons' 95% intervals ±20.0% at the median (±2.0% to ±50.0%): a smaller change is not seen");
    assert.equal(resolutionOf([]), undefined);
  });

  await t.test('results in different units are not comparable', () => {
    const outcomes = {a: [{key: 'a', stored: record('a', base, {unit: 'instructions'})}]};
    const [change] = compareWithBaseline(notebook!, outcomes, {savedAt: '', records: new Map([['a', record('a', base)]])});
    assert.equal(change!.verdict, 'not comparable');
    assert.match(change!.reason!, /ns, this run instructions/);
  });

  await t.test('option and name mistakes throw TypeErrors that say what to do', () => {
    assert.throws(() => changesOf({a: base}, {a: base}, 5), /options\.noise must be a fraction in \[0, 1\), e\.g\. 0\.05 for 5%, got 5/);
    assert.throws(() => checkBaselineName('a/b'), /invalid baseline "a\/b": use letters, digits/);
    assert.throws(() => new BaselineStore('data').dirOf('..'), TypeError);
  });

  await t.test('changes read as percentages, and as factors from twice as slow', () => {
    assert.deepEqual([1.452, 0.8, 1, 3.5, 3163.2].map(formatChange), ['+45.2%', '-20.0%', '+0.0%', '3.50×', '3163×']);
  });

  await t.test('baseline results become page outcomes, for checking claims as they were', () => {
    const outcomes = baselineOutcomes({savedAt: '', records: new Map([['a@n=1', record('a@n=1', base)], ['a@n=2', record('a@n=2', base)]])});
    assert.deepEqual(Object.keys(outcomes), ['a']);
    assert.deepEqual(outcomes.a!.map((outcome) => outcome.key), ['a@n=1', 'a@n=2']);
  });
});

test('baseline rendering', async (t) => {
  const [slower, same] = changesOf({a: base.map((x) => x * 1.5), b: base}, {a: base, b: base});
  await t.test('the note goes after the results, before the collapsed code, only on bench blocks', () => {
    const html = '<div class="block block-bench" id="a">\n<p class="result">median</p>\n<details class="code"><summary>code</summary></details>\n</div>';
    const noted = withBaselineNote(html, notebook!.blocks[0]!, {name: 'v<1>', changes: [slower!, same!]});
    assert.match(noted, /<p class="result">median<\/p>\n<p class="result baseline">vs baseline <b>v&lt;1&gt;<\/b>: <span class="change change-slower"><b>\+50\.0%<\/b> slower<\/span> \(104 ns → 156 ns, 95% CI ×[\d.]+–[\d.]+, p (= 0\.\d{3}|&lt; 0\.001)\)<\/p>\n<details/);
    assert.equal(withBaselineNote(html, notebook!.blocks[0]!, undefined), html);
  });

  await t.test('the index section lists what changed and links each block', () => {
    const section = renderChangesSection('main', [{baseline: 'main', notebook: 'nb', title: 'A <T>', href: 'nb.html', savedAt: '2024-05-01T00:00:00.000Z', blocks: [slower!, same!], claims: []}]);
    assert.match(section, /Compared with the baseline <strong>main<\/strong> saved 2024-05-01: 1 slower, 1 no significant change\. The comparisons&#39; 95% intervals ±[\d.]+% at the median \(±[\d.]+% to ±[\d.]+%\): a smaller change is not seen\./);
    assert.match(section, /<a href="nb\.html">A &lt;T&gt;<\/a>/);
    assert.match(section, /<a href="nb\.html#a">Block A<\/a>/);
    assert.doesNotMatch(section, /nb\.html#b/);
    const quiet = renderChangesSection('main', [{baseline: 'main', notebook: 'nb', title: 'T', href: 'nb.html', blocks: [same!], claims: []}]);
    assert.match(quiet, /<p class="notice">No significant change\.<\/p>/);
  });
});
