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
    assert.match(html, /<div class="error" role="alert">[^]*<pre class="failure">Traceback &lt;x&gt;<\/pre>/);
  });

  await t.test('a timed-out run shows its reason, and stdout when stderr is empty', async () => {
    const notebook = setup();
    const stored = failedResult('uname', 'run', '');
    stored.result = {status: 'timed-out', reason: 'timed out after 2 s', timedOut: true, durationMs: 2000, stdout: 'partial <out>', stderr: ''};
    const html = await renderBlock(notebook.blocks[1]!, {notebook, outcomes: outcomesOf(stored)});
    assert.match(html, /<strong>Failed<\/strong>: timed out after 2 s<\/p><pre class="failure">partial &lt;out&gt;<\/pre>/);
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
    assert.match(html, /<div class="chart" role="img" aria-label="bars">\n<div class="chart-wide"><svg[^]*<div class="chart-narrow"><svg/);
  });

  await t.test('a chart without alt gets a generated text alternative', async () => {
    const notebook = setup();
    const block = {...notebook.blocks[2]!, options: {}, code: 'Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})'};
    const html = await renderBlock(block, {notebook, outcomes: outcomesOf(benchResult('loop', 2500))});
    assert.match(html, /<div class="chart" role="img" aria-label="Bar chart of 1 result: loop median 2.50 µs.">/);
  });

  await t.test('charts and tables state their provenance and how to re-run their blocks', async () => {
    const notebook = setup();
    const noisy = benchResult('loop', 2500);
    noisy.stats!.warnings = ['2 of 30 samples are outliers: rerun on a quieter machine'];
    const block = {...notebook.blocks[2]!, code: 'Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})'};
    const html = await renderBlock(block, {notebook, outcomes: outcomesOf(noisy), reportCommand: 'npm run report -- notebooks/demo.md'});
    assert.match(html, /<figcaption>\n<div class="provenance">\n<p>Measured <time datetime="2024-05-01T12:00:00.000Z">2024-05-01<\/time> · on Test CPU 3000 \(8 cores\) · <a href="#parameters">quick profile<\/a> · python 3.11.7 · 30 samples per result/);
    assert.match(html, /<span class="badge warn" title="loop: 2 of 30 samples are outliers: rerun on a quieter machine">⚠ noisy<\/span> <a href="#loop">loop<\/a><span class="permalink-item"> · <a class="permalink" href="#chart">Link to this chart<\/a><\/span><\/p>/);
    assert.match(html, /<details class="rerun"><summary>Measure these again<\/summary><p><code>npm run report -- notebooks\/demo.md --filter loop --rerun<\/code> runs just the block of this chart again/);
  });

  await t.test('a chart without blocks= that draws blocks of different sections is warned about; one of a single section is not', async () => {
    const markdown = ['## One', '', '```python', 'a', '```', '', '```python', 'b', '```', '', '## Two', '', '```python', 'c', '```', '', '```plot', 'Chart.bars(data)', '```', ''].join('\n');
    const notebook = makeNotebook(markdown, [
      {kind: 'bench', id: 'a', runtime: 'python'},
      {kind: 'bench', id: 'b', runtime: 'python'},
      {kind: 'bench', id: 'c', runtime: 'python'},
      {kind: 'plot', id: 'chart'}
    ]);
    const outcomes = outcomesOf(benchResult('a', 10), benchResult('b', 20), benchResult('c', 3e7));
    const mixed = await renderBlock(notebook.blocks[3]!, {notebook, outcomes});
    assert.match(mixed, /<p class="notice warning">This chart draws all 3 measured blocks, from 2 sections of the page; name the ones it compares with blocks=, e.g. blocks=a,b,c.<\/p>/);
    const related = await renderBlock({...notebook.blocks[3]!, options: {}}, {notebook, outcomes: outcomesOf(benchResult('a', 10), benchResult('b', 20))});
    assert.ok(!related.includes('notice warning'), 'blocks of one section belong together');
    const chosen = await renderBlock({...notebook.blocks[3]!, options: {blocks: ['a', 'c']}}, {notebook, outcomes});
    assert.ok(!chosen.includes('notice warning'), 'blocks= says the author chose them');
  });

  await t.test('a table names the libraries its blocks load, with their compiler and flags', async () => {
    const markdown = ['```c', 'int f(void) { return 1; }', '```', '', '```python', 'a', '```', '', '```table', '```', ''].join('\n');
    const notebook = makeNotebook(markdown, [
      {kind: 'lib', id: 'cgsum', runtime: 'c'},
      {kind: 'bench', id: 'gsum-c', runtime: 'python', options: {uses: ['cgsum']}},
      {kind: 'table', id: 'table-1'}
    ]);
    const outcomes = outcomesOf(benchResult('gsum-c', 500));
    const runtimes = {c: {name: 'c', executable: '/usr/bin/gcc', version: 'gcc 12.2.0', flags: ['-O2', '-std=gnu11']}};
    assert.match(await renderBlock(notebook.blocks[2]!, {notebook, outcomes, runtimes}), /python 3.11.7, cgsum: C shared library built with gcc 12.2.0 -O2 -std=gnu11 · /);
    assert.match(await renderBlock(notebook.blocks[2]!, {notebook, outcomes}), /cgsum: C shared library \(compiler not known to this build\)/);
  });

  await t.test('bench code is highlighted at build time and starts collapsed, after the result', async () => {
    const notebook = setup();
    notebook.blocks[0]!.code = 'def bench():\n    return "<b>"';
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(benchResult('loop', 1))});
    assert.match(html, /<p class="bench-head"><a class="self" href="#loop">loop<\/a> <span class="bench-meta">python<\/span><\/p>/);
    assert.match(html, /<p class="result">median[^]*<details class="code"><summary>python code, 2 lines<\/summary>/);
    assert.match(html, /<span class="hljs-keyword">def<\/span> <span class="hljs-title function_">bench<\/span>/);
    assert.match(html, /<span class="hljs-string">&quot;&lt;b&gt;&quot;<\/span>/);
  });

  await t.test('warnings of a result are one compact note; their advice, which names options, goes to the page\'s notes', async () => {
    const notebook = setup();
    const stored = benchResult('loop', 2e3);
    stored.stats!.warnings = ['spread is wide: raise repeat', '3 outliers: raise repeat', 'the shortest sample lasted 25031 ns'];
    const notes = new Set<string>();
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(stored), notes});
    assert.match(html, /<p class="warnings"><span class="badge warn">⚠ noisy<\/span> spread is wide, 3 outliers, the shortest sample lasted 25,031 ns<\/p>/);
    assert.deepEqual([...notes], ['Results marked ⚠ noisy: raise repeat.']);
  });

  await t.test('a swept block says each warning once, with the values it holds for', async () => {
    const notebook = setup();
    const runs = [1, 2, 3, 4].map((value) => benchResult('loop', 2e3, {sweep: {name: 'workers', value}}));
    for (const stored of runs) stored.stats!.warnings = ['only 3 samples: raise runs'];
    runs[1]!.stats!.warnings.push('2 of 3 samples are outliers: rerun');
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(...runs)});
    assert.equal(html.match(/⚠ noisy/g)?.length, 1, 'one badge for the block');
    assert.match(html, /⚠ noisy<\/span> at every value of workers: only 3 samples; at workers 2: 2 of 3 samples are outliers<\/p>/);
  });

  await t.test('a result line says samples of calls, in the singular when there is one', async () => {
    const notebook = setup();
    const one = benchResult('loop', 2e7, {result: {...benchResult('loop', 1).result, loops: [1]}});
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(one)});
    assert.match(html, /min–max 18.0–26.0 ms · 30 samples of 1 call · python 3.11.7/);
  });

  await t.test('an instruction count reads as instructions per call, not as a time', async () => {
    const notebook = setup();
    const base = benchResult('loop', 5_114_957);
    const counted = {...base, key: 'loop#instructions', result: {...base.result, unit: 'instructions' as const}, stats: {...base.stats!, unit: 'instructions' as const}};
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes: {loop: [{key: 'loop', stored: benchResult('loop', 2e3)}, {key: 'loop#instructions', stored: counted}]}});
    assert.match(html, /median <strong>5,114,957<\/strong> instructions per call · 95% CI [\d,]+–[\d,]+ · min–max 4,603,461–6,649,444 ·/);
    assert.doesNotMatch(html, /5\.11 ms/);
    assert.match(html, /median <strong>2\.00 µs<\/strong>/, 'the time is shown beside it');
  });

  await t.test('the measurement line says whether the interval includes the spread between runs', async () => {
    const notebook = setup();
    const groups = {result: {...benchResult('loop', 1).result, groups: [10, 10, 10]}};
    const alone = benchResult('loop', 2e3, {...groups, history: [{date: '2024-04-01T00:00:00.000Z', median: 2e3, ci: [1.9e3, 2.1e3], processes: 3}]});
    assert.match(await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(alone)}), /interval from this run&#39;s processes only: the spread between runs needs 3 runs of this code here \(2 so far\)/);
    const spread = benchResult('loop', 2e3, groups);
    spread.stats = {...spread.stats!, runs: {count: 4, spread: 0.021, ownCi: [1980, 2020]}};
    assert.match(await renderBlock(notebook.blocks[0]!, {notebook, outcomes: outcomesOf(spread)}), /interval includes the spread between 4 runs of this code here \(±2\.1%\); this run alone: 1\.98–2\.02 µs/);
  });

  await t.test('a skipped block says what is missing; what to do goes to the page\'s notes', async () => {
    const notebook = setup();
    const notes = new Set<string>();
    const reason = 'python not configured: BENCHBOOK_PY is not set — set BENCHBOOK_PY to an interpreter';
    const outcomes = {loop: [1, 2].map((value) => ({key: `loop@n=${value}`, skipped: reason}))};
    const html = await renderBlock(notebook.blocks[0]!, {notebook, outcomes, notes});
    assert.equal(html.match(/<p class="notice">Not measured: this machine has no python runtime.<\/p>/g)?.length, 1, 'one notice for every skipped value');
    assert.ok(!html.includes('BENCHBOOK_PY'));
    assert.deepEqual([...notes], [`loop was not measured: ${reason}`]);
  });

  await t.test('a run block\'s long output is cut on the page, with a line saying how much, linking the whole of it', async () => {
    const notebook = setup();
    const stored = {...benchResult('uname', 1), kind: 'run' as const};
    const stdout = Array.from({length: 5000}, (_, index) => `line ${index} /tmp/benchbook-AbC123/block-uname.sh`).join('\n') + '\n';
    stored.result = {...stored.result, stdout, stderr: ''};
    const html = await renderBlock(notebook.blocks[1]!, {notebook, outcomes: outcomesOf(stored)});
    const shown = /<pre class="output">([^]*?)<\/pre>/.exec(html)![1]!;
    assert.equal(shown.split('\n').length - 1, 200, 'the first 200 lines');
    assert.ok(!shown.includes('/tmp/benchbook-'), 'temporary folders are left out of paths');
    assert.match(shown, /^line 0 block-uname.sh\n/);
    assert.match(html, /<p class="output-cut">Cut: the first 200 of 5,000 lines \([\d.]+ KiB of [\d.]+ KiB\) are shown. The whole output: <a href="demo.uname.stdout.txt" download>demo.uname.stdout.txt<\/a>.<\/p>/);
  });
});
