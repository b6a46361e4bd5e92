import assert from 'node:assert/strict';
import test from 'node:test';
import {renderBlock} from '../../src/render/block.js';
import {benchResult, failedResult, makeNotebook, outcomesOf} from './fixture.js';

const markdown = ['```python', 'a', '```', '', '```bash', 'b', '```', '', '```plot', 'Plot.nope()', '```', ''].join('\n');

function setup() {
  return makeNotebook(markdown, [
    {kind: 'bench', id: 'loop', runtime: 'python'},
    {kind: 'run', id: 'uname', runtime: 'bash'},
    {kind: 'plot', id: 'chart', options: {alt: 'bars'}}
  ]);
}

test('renderBlock', async (t) => {
  await t.test('a stale result shows with the failure of the latest run', async () => {
    const notebook = setup();
    const outcomes = {
      loop: [{key: 'loop', stored: benchResult('loop', 2e3), failure: failedResult('loop', 'bench', 'Traceback <x>')}]
    };
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes});
    assert.match(html, /median <strong>2.00 µs<\/strong>/);
    assert.match(html, /<p class="notice stale">The latest run failed: the result shown is the previous one, from 2024-05-01.<\/p>/);
    assert.match(html, /<div class="error" role="alert">[^]*<pre>Traceback &lt;x&gt;<\/pre>/);
  });

  await t.test('a timed-out run shows its reason, and stdout when stderr is empty', async () => {
    const notebook = setup();
    const stored = failedResult('uname', 'run', '');
    stored.result = {status: 'timed-out', reason: 'timed out after 2 s', timedOut: true, durationMs: 2000, stdout: 'partial <out>', stderr: ''};
    const html = await renderBlock(notebook.blocks[1]!, {notebook, outcomes: outcomesOf(stored)});
    assert.match(html, /<strong>Failed<\/strong>: timed out after 2 s<\/p><pre>partial &lt;out&gt;<\/pre>/);
  });

  await t.test('a run shows stdout, and stderr apart', async () => {
    const notebook = setup();
    const stored = {...benchResult('uname', 1), kind: 'run' as const};
    stored.result = {...stored.result, stdout: 'Linux <x>\n', stderr: 'warning'};
    const html = await renderBlock(notebook.blocks[1]!, {notebook, outcomes: outcomesOf(stored)});
    assert.match(html, /<pre class="output">Linux &lt;x&gt;\n<\/pre><pre class="output stderr">warning<\/pre>/);
    assert.ok(!html.includes('median'));
  });

  await t.test('a broken plot shows an error box in its figure', async () => {
    const notebook = setup();
    const html = await renderBlock(notebook.blocks[2]!, {notebook, outcomes: outcomesOf(benchResult('loop', 1))});
    assert.match(html, /^<figure class="block block-plot" id="chart">\n<div class="error" role="alert"><p><strong>Plot failed<\/strong>: Plot.nope is not a function<\/p><\/div>/);
  });

  await t.test('a plot with no results says which blocks it waits for, and draws nothing', async () => {
    const notebook = setup();
    const html = await renderBlock(notebook.blocks[2]!, {notebook, outcomes: outcomesOf(failedResult('loop', 'bench', 'x'))});
    assert.match(html, /No results for loop \(failed\)\./);
    assert.ok(!html.includes('<svg'));
  });

  await t.test('alt text labels the chart', async () => {
    const notebook = setup();
    notebook.blocks[2]!.code = 'Plot.plot({marks: [Plot.barX(data, {x: "median"})]})';
    const html = await renderBlock(notebook.blocks[2]!, {notebook, outcomes: outcomesOf(benchResult('loop', 1))});
    assert.match(html, /<div class="chart" role="img" aria-label="bars"><svg/);
  });
});
