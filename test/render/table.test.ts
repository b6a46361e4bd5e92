import assert from 'node:assert/strict';
import test from 'node:test';
import {renderTable, resultRows} from '../../src/render/index.js';
import type {Block} from '../../src/parse/types.js';
import {benchResult, makeNotebook, outcomesOf} from './fixture.js';

const markdown = ['```python', 'a', '```', '', '```python', 'b', '```', '', '```table', '```', ''].join('\n');

function setup(tableOptions: Block['options'] = {}) {
  const notebook = makeNotebook(markdown, [
    {kind: 'bench', id: 'fast', runtime: 'python', options: {label: '<b>fast</b> & "quick"'}},
    {kind: 'bench', id: 'slow', runtime: 'python'},
    {kind: 'table', id: 'table-1', options: tableOptions}
  ]);
  const rows = resultRows(outcomesOf(benchResult('fast', 1.5e6), benchResult('slow', 3.25e7)), notebook);
  return {block: notebook.blocks[2]!, rows};
}

/** The text of each cell, row by row, header first. */
function cells(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!));
}

test('renderTable', async (t) => {
  await t.test('shows times in one unit picked from the smallest median, stated in the header', () => {
    const {block, rows} = setup();
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['label', 'runtime', 'n', 'min (ms)', 'median (ms)', 'max (ms)'],
      ['&lt;b&gt;fast&lt;/b&gt; &amp; &quot;quick&quot;', 'python', '30', '1.35', '1.50', '1.95'],
      ['slow', 'python', '30', '29.3', '32.5', '42.3']
    ]);
  });

  await t.test('escapes labels and the caption', () => {
    const {block, rows} = setup({caption: '<script>alert(1)</script>'});
    const html = renderTable(block, rows);
    assert.ok(!html.includes('<b>'));
    assert.ok(!html.includes('<script'));
    assert.match(html, /<caption>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/caption>/);
  });

  await t.test('honours blocks and columns, with ci as [low, high]', () => {
    const {block, rows} = setup({blocks: ['slow'], columns: ['label', 'version', 'median', 'ci']});
    assert.deepEqual(cells(renderTable(block, rows)), [
      ['label', 'version', 'median (ms)', 'ci (ms)'],
      ['slow', '3.11.7', '32.5', '[31.9, 33.1]']
    ]);
  });

  await t.test('adds the swept value after the label, headed by the parameter', () => {
    const notebook = makeNotebook(['```python', 'a', '```', '', '```table', '```'].join('\n'), [
      {kind: 'bench', id: 'pool', runtime: 'python'},
      {kind: 'table', id: 'table-1'}
    ]);
    const outcomes = outcomesOf(
      benchResult('pool', 900, {sweep: {name: 'workers', value: 1}}),
      benchResult('pool', 2500, {sweep: {name: 'workers', value: 4}})
    );
    assert.deepEqual(cells(renderTable(notebook.blocks[1]!, resultRows(outcomes, notebook))), [
      ['label', 'workers', 'runtime', 'n', 'min (ns)', 'median (ns)', 'max (ns)'],
      ['pool', '1', 'python', '30', '810', '900', '1170'],
      ['pool', '4', 'python', '30', '2250', '2500', '3250']
    ]);
  });
});
