import assert from 'node:assert/strict';
import test from 'node:test';
import {articleRows, renderTable, resultRows} from '../../src/render/index.js';
import type {Block} from '../../src/parse/types.js';
import {benchResult, makeNotebook, outcomesOf} from './fixture.js';

const markdown = ['```python', 'a', '```', '', '```python', 'b', '```', '', '```table', '```', ''].join('\n');

function setup(tableOptions: Block['options'] = {}, published: Record<string, {median?: number}> = {}) {
  const notebook = makeNotebook(
    markdown,
    [
      {kind: 'bench', id: 'fast', runtime: 'python', options: {label: '<b>fast</b> & "quick"'}},
      {kind: 'bench', id: 'slow', runtime: 'python'},
      {kind: 'table', id: 'table-1', options: tableOptions}
    ],
    {published} as never
  );
  const rows = resultRows(outcomesOf(benchResult('fast', 1.5e6), benchResult('slow', 3.25e7)), notebook);
  return {block: notebook.blocks[2]!, rows};
}

/** The text of each cell, row by row, header first. */
function cells(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!));
}

/** A notebook of one block swept over workers, and a table of it, with the article's figures for more workers than were run. */
function sweptSetup(tableOptions: Block['options'], published: Record<string, Record<string, unknown>>, blockOptions: Block['options'] = {}) {
  const notebook = makeNotebook(['```python', 'a', '```', '', '```table', '```'].join('\n'), [
    {kind: 'bench', id: 'pool', runtime: 'python', options: {label: 'pool', sweep: 'workers', ...blockOptions}},
    {kind: 'table', id: 'table-1', options: tableOptions}
  ], {published} as never);
  const outcomes = outcomesOf(
    benchResult('pool', 4e9, {sweep: {name: 'workers', value: 1}}),
    benchResult('pool', 2e9, {sweep: {name: 'workers', value: 2}})
  );
  const rows = resultRows(outcomes, notebook);
  return {notebook, block: notebook.blocks[1]!, rows, article: articleRows(notebook, undefined, rows)};
}

test('renderTable', async (t) => {
  await t.test('adds the article\'s rows at sizes this run did not measure, in the order of the values, and says so', () => {
    const published = {
      'pool@workers=1': {median: 100.77e9},
      'pool@workers=2': {median: 51.44e9, improvement: 0.489531},
      'pool@workers=3': {median: 35.21e9, improvement: 0.315513},
      'pool@workers=4': {median: 27.02e9}
    };
    const {block, rows, article} = sweptSetup({columns: ['value', 'published', 'median', 'publishedImprovement', 'improvement']}, published);
    const html = renderTable(block, rows, article);
    assert.deepEqual(cells(html), [
      ['workers', 'Published (s)', 'Median (s)', 'Published change from previous row', 'Change from previous row'],
      ['1', '100.77', '4.00', '', ''],
      ['2', '51.44', '2.00', '48.9531%', '+50.0%'],
      ['3', '35.21', '', '31.5513%', ''],
      ['4', '27.02', '', '23.2604%', '']
    ]);
    assert.match(html, /Rows with the article's figures only are sizes this run did not measure/);
  });

  await t.test('a published set is a second table of the article for the same results', () => {
    const published = {'pool@workers=1': {median: 1e9}, 'pool@workers=1#first': {min: 2e9, median: 3e9, max: 9e9}};
    const {notebook, block} = sweptSetup({columns: ['value', 'publishedMin', 'publishedMedian', 'publishedMax'], published: 'first'}, published);
    const outcomes = outcomesOf(benchResult('pool', 4e9, {sweep: {name: 'workers', value: 1}}));
    const rows = resultRows(outcomes, notebook, undefined, {published: 'first'});
    assert.deepEqual(cells(renderTable(block, rows, articleRows(notebook, undefined, rows, {published: 'first'}))), [
      ['workers', 'Published min (s)', 'Published median (s)', 'Published max (s)'],
      ['1', '2', '3', '9']
    ]);
  });

  await t.test('work=grows: the speed-up counts the tasks done in the time of one, and time ÷ value is per thread', () => {
    const {block, rows} = sweptSetup({columns: ['value', 'median', 'share', 'publishedShare', 'speedup']}, {'pool@workers=2': {median: 3e9, share: 1.5e9}}, {work: 'grows'});
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['workers', 'Median (s)', 'Time ÷ workers (s)', 'Published time ÷ workers (s)', 'Speed-up (tasks done in the time of one; the work grows with workers)'],
      ['1', '4.00', '4.00', '', '1.00×'],
      ['2', '2.00', '1.00', '1.5', '4.00×']
    ]);
  });


  await t.test('shows times in one unit picked from the smallest median, stated in readable headers', () => {
    const {block, rows} = setup();
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['Benchmark', 'Runtime', 'Samples', 'Min (ms)', 'Median (ms)', 'Max (ms)'],
      ['&lt;b&gt;fast&lt;/b&gt; &amp; &quot;quick&quot;', 'python', '30', '1.35', '1.50', '1.95'],
      ['slow', 'python', '30', '29.3', '32.5', '42.3']
    ]);
  });

  await t.test('scrolls in its own labelled box, so a wide table never widens the page; the caption, outside the box, names it', () => {
    const {block, rows} = setup({caption: 'Times'});
    assert.match(renderTable(block, rows), /^<section class="table-scroll" aria-label="Table table-1: Times" tabindex="0">\n<table aria-labelledby="table-1-caption">\n<thead>/);
    assert.ok(!renderTable(block, rows).includes('<caption'), 'a caption inside the box would scroll away on a phone');
  });

  await t.test('escapes labels and the caption', () => {
    const {block, rows} = setup({caption: '<script>alert(1)</script>'});
    const html = renderTable(block, rows);
    assert.ok(!html.includes('<b>'));
    assert.ok(!html.includes('<script'));
    assert.match(html, /aria-label="Table table-1: &lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  });

  await t.test('honours blocks and columns, with ci as low–high in the median\'s unit', () => {
    const {block, rows} = setup({blocks: ['slow'], columns: ['label', 'version', 'median', 'ci']});
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['Benchmark', 'Version', 'Median (ms)', '95% CI of median (ms)'],
      ['slow', '3.11.7', '32.5', '31.9–33.1']
    ]);
  });

  await t.test('one unit per column, from its middle value, with thousands separators', () => {
    const notebook = makeNotebook(['```python', 'a', '```', '', '```python', 'b', '```', '', '```python', 'c', '```', '', '```table', '```'].join('\n'), [
      {kind: 'bench', id: 'sleep', runtime: 'python'},
      {kind: 'bench', id: 'call', runtime: 'python'},
      {kind: 'bench', id: 'loop', runtime: 'python'},
      {kind: 'table', id: 'table-1', options: {columns: ['block', 'median', 'ci', 'published']}}
    ], {published: {sleep: {median: 85_183_700_000}, call: {median: 78_475_500}, loop: {median: 137_944_000}}} as never);
    const rows = resultRows(outcomesOf(benchResult('sleep', 20_109_286), benchResult('call', 1710), benchResult('loop', 507_000)), notebook);
    assert.deepEqual(cells(renderTable(notebook.blocks[3]!, rows)), [
      ['Block', 'Median (µs)', '95% CI of median (µs)', 'Published (ms)'],
      ['sleep', '20,109', '19,707–20,511', '85,183.7'],
      ['call', '1.71', '1.68–1.74', '78.4755'],
      ['loop', '507', '497–517', '137.944']
    ]);
  });

  await t.test('a time column shares the medians\' unit when its values read well in it', () => {
    const {block, rows} = setup({columns: ['block', 'median', 'published']}, {fast: {median: 2.2e6}, slow: {median: 2.5e7}});
    assert.deepEqual(cells(renderTable(block, rows)).map((row) => row.slice(1)), [
      ['Median (ms)', 'Published (ms)'],
      ['1.50', '2.2'],
      ['32.5', '25']
    ]);
  });

  await t.test('leaves out the article\'s columns when no row has a figure at this run\'s sizes, and says so', () => {
    const {block, rows} = setup({columns: ['block', 'median', 'published', 'ratio']});
    const html = renderTable(block, rows);
    assert.deepEqual(cells(html)[0], ['Block', 'Median (ms)']);
    assert.match(html, /<p class="table-note">The article gives no figure for these rows at this run's sizes/);
  });

  await t.test('sorts on the server: sort=median ascending, sort=-median descending, marked with aria-sort', () => {
    const ascending = setup({sort: 'median', columns: ['block', 'median']});
    assert.deepEqual(cells(renderTable(ascending.block, ascending.rows)).map((row) => row[0]), ['Block', 'fast', 'slow']);
    const descending = setup({sort: '-median', columns: ['block', 'median']});
    const html = renderTable(descending.block, descending.rows);
    assert.deepEqual(cells(html).map((row) => row[0]), ['Block', 'slow', 'fast']);
    assert.match(html, /<th scope="col" class="num" aria-sort="descending">Median \(ms\)<\/th>/);
    const byLabel = setup({sort: '-block', columns: ['block']});
    assert.deepEqual(cells(renderTable(byLabel.block, byLabel.rows)).map((row) => row[0]), ['Block', 'slow', 'fast']);
  });

  await t.test('shows the published figure in the table unit and the ratio with its interval', () => {
    const {block, rows} = setup({columns: ['block', 'median', 'published', 'ratio']}, {slow: {median: 2.5e7}});
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['Block', 'Median (ms)', 'Published (ms)', 'Measured ÷ published'],
      ['fast', '1.50', '', ''],
      ['slow', '32.5', '25', '1.30× (1.27–1.33)']
    ]);
  });

  await t.test('adds published and ratio columns by default when the article gives figures', () => {
    const {block, rows} = setup({}, {fast: {median: 1e6}});
    assert.deepEqual(cells(renderTable(block, rows))[0], ['Benchmark', 'Runtime', 'Samples', 'Min (ms)', 'Median (ms)', 'Max (ms)', 'Published (ms)', 'Measured ÷ published']);
  });

  await t.test('says which columns and sort keys it does not know', () => {
    const {block, rows} = setup({columns: ['label', 'medain'], sort: 'speed'});
    const html = renderTable(block, rows);
    assert.deepEqual(cells(html)[0], ['Benchmark']);
    assert.match(html, /<p class="notice">Unknown column `medain` in columns=: use label, key, /);
    assert.match(html, /<p class="notice">Unknown sort column `speed`/);
  });

  await t.test('adds the swept value, speed-up and efficiency for swept rows, headed by the parameter', () => {
    const notebook = makeNotebook(['```python', 'a', '```', '', '```table', '```'].join('\n'), [
      {kind: 'bench', id: 'pool', runtime: 'python'},
      {kind: 'table', id: 'table-1'}
    ]);
    const outcomes = outcomesOf(
      benchResult('pool', 2000, {sweep: {name: 'workers', value: 1}}),
      benchResult('pool', 800, {sweep: {name: 'workers', value: 4}})
    );
    assert.deepEqual(cells(renderTable(notebook.blocks[1]!, resultRows(outcomes, notebook))), [
      ['Benchmark', 'workers', 'Runtime', 'Samples', 'Min (ns)', 'Median (ns)', 'Max (ns)', 'Speed-up', 'Efficiency'],
      ['pool', '1', 'python', '30', '1,800', '2,000', '2,600', '1.00×', '100%'],
      ['pool', '4', 'python', '30', '720', '800', '1,040', '2.50×', '63%']
    ]);
  });

  await t.test('shows memory in one size unit per column', () => {
    const {block, rows} = setup({columns: ['block', 'peak', 'rss']});
    rows[0]!.peak = 2048;
    rows[0]!.rss = 50 * 1024 ** 2;
    rows[1]!.peak = 3 * 1024 ** 2;
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['Block', 'Peak memory per call (KiB)', 'Peak RSS (MiB)'],
      ['fast', '2.00', '50.0'],
      ['slow', '3,072', '']
    ]);
  });
});
