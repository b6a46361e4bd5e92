import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {renderPage} from '../../src/render/index.js';
import type {PageInput} from '../../src/render/types.js';
import {assertSnapshot} from '../helpers/snapshot.js';
import {benchResult, failedResult, machine, makeNotebook, outcomesOf} from './fixture.js';

const markdown = `---
title: Loops in Python
---

# Loops in Python

Prose with <b>raw HTML</b>, a [bad link](javascript:alert(1)), a [good one](https://example.com)
and a literal {{css}} placeholder.

## Setup

\`\`\`python
import sys
print(sys.version)
\`\`\`

## Timing

\`\`\`python
def bench():
    for i in range(100): pass
\`\`\`

\`\`\`python
def bench():
    [i for i in range(100)]
\`\`\`

## Timing

\`\`\`python
def bench(workers):
    pass
\`\`\`

\`\`\`plot
Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})
\`\`\`

\`\`\`table
\`\`\`

\`\`\`go
func main() {}
\`\`\`

\`\`\`js
console.log("<i>shown</i>")
\`\`\`
`;

function pageInput(): PageInput {
  const notebook = makeNotebook(
    markdown,
    [
      {kind: 'run', id: 'version', runtime: 'python'},
      {kind: 'bench', id: 'loop', runtime: 'python', options: {label: 'for <loop>'}},
      {kind: 'bench', id: 'comprehension', runtime: 'python'},
      {kind: 'bench', id: 'pool', runtime: 'python', options: {sweep: 'workers'}},
      {kind: 'plot', id: 'chart', options: {caption: 'Time per call (lower is better)', blocks: ['loop', 'comprehension']}},
      {kind: 'table', id: 'summary'},
      {kind: 'bench', id: 'go-loop', runtime: 'go'},
      {kind: 'code', id: 'code-1'}
    ],
    {
      title: 'Loops in Python',
      article: {title: 'Why <loops> are slow', url: 'https://example.com/loops', author: 'A. Author', site: 'Example'}
    }
  );
  const outcomes = outcomesOf(
    failedResult('version', 'run', '<script>alert(1)</script>'),
    benchResult('loop', 2.5e6),
    benchResult('pool', 4e6, {sweep: {name: 'workers', value: 1}}),
    benchResult('pool', 1.5e6, {sweep: {name: 'workers', value: 4}, date: '2024-05-02T08:00:00.000Z'}),
    failedResult('pool', 'bench', 'MemoryError', {key: 'pool@workers=16', sweep: {name: 'workers', value: 16}})
  );
  outcomes['go-loop'] = [{key: 'go-loop', skipped: 'go is not installed: see https://go.dev/dl'}];
  return {notebook, profile: 'quick', outcomes, machine, command: 'npx benchbook report notebooks/demo.md --profile quick'};
}

async function templates() {
  const read = (name: string) => readFile(path.join(packageRoot, 'templates', name), 'utf8');
  return {template: await read('page.html'), css: await read('style.css')};
}

test('renderPage', async (t) => {
  const options = await templates();
  const html = await renderPage(pageInput(), options);

  await t.test('escapes block output and notebook text, and has no script element', () => {
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/<script/i.test(html));
    assert.ok(!html.includes('<b>raw HTML</b>'), 'raw HTML in prose is not passed through');
    assert.ok(!html.includes('javascript:'));
    assert.ok(html.includes('<a href="https://example.com">good one</a>'));
    assert.ok(html.includes('for &lt;loop&gt;'));
    assert.ok(html.includes('&lt;i&gt;shown&lt;/i&gt;'));
    assert.ok(html.includes('a literal {{css}} placeholder'), 'placeholders in content are not expanded');
  });

  await t.test('shows failures in an error box and other states as notices', () => {
    assert.match(html, /<div class="error" role="alert"><p><strong>Failed<\/strong>: exited with code 1<\/p><pre class="failure">&lt;script&gt;/);
    assert.match(html, /<strong>Failed \(workers=16\)<\/strong>/);
    assert.match(html, /<p class="notice">Not measured: this machine has no go runtime.<\/p>/);
    assert.match(html, /<section class="reproduce"[^]*<li>go-loop was not measured: go is not installed: see https:\/\/go.dev\/dl<\/li>/, 'what to do is in How to reproduce');
    assert.match(html, /id="comprehension">[^]*?<p class="notice">Not run<\/p>/);
    assert.match(html, /No results for comprehension \(not run\)\./);
  });

  await t.test('renders each block by kind with its id', () => {
    for (const id of ['version', 'loop', 'comprehension', 'pool', 'go-loop', 'code-1']) {
      assert.match(html, new RegExp(`<div class="block block-\\w+" id="${id}">`));
    }
    assert.match(html, /<figure class="block block-table" id="summary">\n<section class="table-scroll"/);
    assert.match(
      html,
      /<figure class="block block-plot" id="chart">\n<div class="chart" role="img" aria-label="Bar chart of 1 result: for &lt;loop&gt; median 2.50 ms.">\n<div class="chart-wide"><svg[^]*<\/svg><\/div>\n<\/div>\n<p class="notice">[^<]*<\/p>\n<figcaption>\n<p class="caption">Time per call \(lower is better\)<\/p>\n<div class="provenance">/
    );
    assert.match(html, /<details class="code"><summary>python code, 2 lines<\/summary><pre><code class="language-python"><span class="hljs-keyword">def<\/span> <span class="hljs-title function_">bench<\/span>/);
    assert.match(html, /median <strong>2.50 ms<\/strong> · 95% CI 2.45–2.55 ms · min–max 2.25–3.25 ms · 30 samples of 1,000 calls · python 3.11.7/);
    assert.match(html, /<table class="sweep">[^]*<th scope="col">workers<\/th><th scope="col" class="num">median \(ms\)<\/th>[^]*<td>1<\/td><td class="num">4.00<\/td>/);
    assert.match(html, /<table>\n<thead><tr><th scope="col">Benchmark<\/th>[^]*<th scope="col" class="num">Median \(ms\)<\/th>/);
  });

  await t.test('gives headings unique anchors that do not clash with block ids', () => {
    assert.match(html, /<h1 id="loops-in-python">Loops in Python<a class="anchor" href="#loops-in-python"/);
    assert.match(html, /<h2 id="setup">/);
    assert.match(html, /<h2 id="timing">/);
    assert.match(html, /<h2 id="timing-1">/);
    assert.equal(html.match(/<h1/g)?.length, 1, 'the title heading is not added twice');
  });

  await t.test('fills the template: title, inlined css, meta', () => {
    assert.match(html, /<title>Loops in Python<\/title>/);
    assert.ok(html.includes('prefers-color-scheme: dark'));
    assert.match(html, /<a href="https:\/\/example.com\/loops"><cite>Why &lt;loops&gt; are slow<\/cite><\/a> by A. Author, Example/);
    assert.ok(html.includes('Test CPU 3000 · 8 cores · 16 GiB · Linux 6.1 (x64)'));
    assert.ok(html.includes('<time datetime="2024-05-02T08:00:00.000Z">2024-05-02</time>'));
    assert.match(html, /<section class="reproduce" aria-labelledby="how-to-reproduce">\n<h2 class="meta-heading" id="how-to-reproduce">How to reproduce<\/h2>[^]*<pre><code>npx benchbook report notebooks\/demo.md --profile quick<\/code><\/pre>/);
    assert.ok(!/\{\{(title|css|content|meta|lang|description)\}\}/.test(html.replace('{{css}} placeholder', '')));
    assert.ok(!/(src|href)="(https?:)?\/\/[^"]*\.(css|js|woff2?)"/.test(html), 'no external resources');
  });

  await t.test('adds the title when the prose has no top heading', async () => {
    const input = pageInput();
    input.notebook = makeNotebook('Just prose.\n', [], {title: 'Only <front> matter'});
    const page = await renderPage(input, options);
    assert.match(page, /<h1 id="only-front-matter">Only &lt;front&gt; matter<a class="anchor"/);
  });

  await t.test('puts a byline, then a table of contents of the h2 and h3 headings, right after the title', () => {
    assert.match(
      html,
      /<\/h1>\n<p class="byline">Reproduces <a href="https:\/\/example.com\/loops"><cite>Why &lt;loops&gt; are slow<\/cite><\/a> by A. Author, Example · measured <time datetime="2024-05-02T08:00:00.000Z">2024-05-02<\/time> on Test CPU 3000 \(8 cores\)<\/p>\n<nav class="toc" aria-label="Contents">\n<p class="toc-title">Contents<\/p>\n<ol>\n<li><a href="#setup">Setup<\/a><\/li>\n<li><a href="#timing">Timing<\/a><\/li>\n<li><a href="#timing-1">Timing<\/a><\/li>\n<\/ol>\n<\/nav>/
    );
  });

  await t.test('sets this run beside the article: machine, versions, sizes and method, escaped', async () => {
    const input = pageInput();
    input.notebook.article = {
      title: 'Loops',
      machine: 'Ryzen <5> 3600, 6 cores',
      versions: 'Python 3.12.7',
      method: 'whole programs under perf stat',
      differences: 'Here calls are timed inside a running process.',
      sizes: {n: {value: 8_000_000_000, note: 'with the result kept this takes hours'}}
    };
    input.notebook.params = {n: 1000};
    input.notebook.profiles = {quick: {params: {}, measure: {}}, full: {params: {n: 300_000}, measure: {}}};
    const page = await renderPage({...input, profile: 'full', params: {n: 300_000}}, options);
    const panel = /<section class="comparison"[^]*?<\/section>/.exec(page)![0];
    // Each side says its name too (data-label), shown before it where the panel is a card on a phone.
    assert.match(panel, /<th scope="row">Machine<\/th><td data-label="The article">Ryzen &lt;5&gt; 3600, 6 cores<\/td><td data-label="This run">Test CPU 3000 · 8 cores · 16 GiB · Linux 6\.1 \(x64\)/);
    assert.match(panel, /<th scope="row">Versions<\/th><td data-label="The article">Python 3\.12\.7<\/td><td data-label="This run">python 3\.11\.7/);
    assert.match(panel, /<th scope="row">Method<\/th><td data-label="The article">whole programs under perf stat<\/td><td data-label="This run">\d+ results time calls of a function inside a running process/);
    assert.match(panel, /the <b>full<\/b> profile: 1 size differs from the article's/);
    assert.match(panel, /<b>How the measurement differs\.<\/b> Here calls are timed inside a running process\./);
    // The article's own size where the full profile cannot use it, with why.
    assert.match(page, /<tr class="differs"><th scope="row"><code>n<\/code><\/th><td class="num">300,000<\/td><td class="num">8,000,000,000<\/td><\/tr>/);
    assert.match(page, /<li><code>n<\/code>: The full profile uses 300,000 instead of the article's 8,000,000,000\. with the result kept this takes hours<\/li>/);
  });

  await t.test('each block names the sizes its placeholders took, linked to the parameters', async () => {
    const input = pageInput();
    input.notebook.params = {n: 1000, workers: [1, 2]};
    input.notebook.blocks.find((block) => block.id === 'loop')!.code = 'def bench():\n    return sum(range({{n}}))';
    const page = await renderPage({...input, params: {n: 1000, workers: [1, 2]}}, options);
    assert.match(page, /<p class="block-params"><a href="#parameters">Sizes<\/a>: <code>n<\/code> = 1,000<\/p>/);
    assert.match(page, /<code>workers<\/code> = 1, 2 \(one run each\)/);
  });

  await t.test('shows the sizes of this run beside the article\'s, after the contents', async () => {
    const input = pageInput();
    input.notebook.params = {n: 1000, workers: '1..4', sizes: [1, 2, 4], label: 'x'};
    input.notebook.profiles = {quick: {params: {}, measure: {}}, full: {params: {n: 25_000_000, workers: '1..12'}, measure: {}}};
    const page = await renderPage({...input, params: {n: 1000, workers: '1..4', sizes: [1, 2, 4], label: 'x'}}, options);
    assert.match(page, /<\/nav>\n<section class="comparison" id="this-run-and-the-article" aria-label="This run and the article">[^]*<\/section>\n<section class="parameters" id="parameters" aria-label="Parameters">/);
    assert.match(page, /This run used the <b>quick<\/b> profile: 2 of 4 sizes differ from the article's \(marked\)./);
    assert.match(page, /<tr class="differs"><th scope="row"><code>n<\/code><\/th><td class="num">1,000<\/td><td class="num">25,000,000<\/td><\/tr>/);
    assert.match(page, /<tr class="differs"><th scope="row"><code>workers<\/code><\/th><td class="num">1 to 4<\/td><td class="num">1 to 12<\/td><\/tr>/);
    assert.match(page, /<tr><th scope="row"><code>sizes<\/code><\/th><td class="num">1, 2, 4<\/td><td class="num">1, 2, 4<\/td><\/tr>/);
    assert.match(page, /<li>Add <code>--profile full<\/code> to run with the article's sizes/);
    input.notebook.profiles['full'] = {params: {n: 1000}, measure: {repeat: 10}};
    const sameSizes = await renderPage({...input, params: {n: 1000, workers: '1..4', sizes: [1, 2, 4], label: 'x'}}, options);
    assert.match(sameSizes, /<li>Add <code>--profile full<\/code> to take more samples; the sizes are the same.<\/li>/);
    assert.match(html, /<section class="parameters" id="parameters" aria-label="Parameters">\n<p class="panel-title">Parameters<\/p>\n<p>This notebook has no parameters/, 'every page has the panel provenance lines link to');
  });

  await t.test('a long title gives the tab the page\'s own heading; html ids start with a letter', async () => {
    const input = pageInput();
    input.notebook = makeNotebook('# Python vs Go\n\n## 1. Profile first\n\n## 2. Then measure\n', [], {
      title: 'Python vs Go — one core, many cores, and a 100-million-character string, measured again'
    });
    const page = await renderPage(input, options);
    assert.match(page, /<title>Python vs Go<\/title>/);
    assert.match(page, /<h2 id="section-1-profile-first">/);
    assert.match(page, /<ol class="numbered">\n<li><a href="#section-1-profile-first">1. Profile first<\/a><\/li>/, 'headings that number themselves are not numbered twice');
  });

  await t.test('shows a remote image as a link and loads nothing from the network', async () => {
    const input = pageInput();
    input.notebook = makeNotebook('# T\n\n![plot](https://example.com/p.png) ![x](//cdn.example.com/x.png) ![local](img/a.png) ![bad](javascript:alert(1))\n', []);
    const page = await renderPage(input, options);
    assert.match(page, /<a class="remote-image" href="https:\/\/example.com\/p.png" title="image, not loaded: open it">\[plot\]<\/a>/);
    assert.match(page, /<a class="remote-image" href="\/\/cdn.example.com\/x.png"[^>]*>\[x\]<\/a>/);
    assert.match(page, /<img src="img\/a.png" alt="local">/);
    assert.match(page, /<span class="remote-image">\[bad\]<\/span>/);
    assert.doesNotMatch(page, /<img[^>]*src="(https?:)?\/\//);
  });

  await t.test('links the exports written beside the page', async () => {
    const input = {...pageInput(), downloads: [{href: 'demo.csv', label: 'one row per run, CSV'}]};
    assert.match(await renderPage(input, options), /<dt>Download<\/dt><dd><a href="demo.csv" download>demo.csv<\/a> \(one row per run, CSV\)<\/dd>/);
  });

  await t.test('rejects a template without {{content}}', async () => {
    await assert.rejects(renderPage(pageInput(), {...options, template: '<html></html>'}), TypeError);
  });

  await t.test('is deterministic and matches the reviewed snapshot', async () => {
    assert.equal(await renderPage(pageInput(), options), html);
    await assertSnapshot(path.join(packageRoot, 'test', 'render', 'snapshots', 'page.html'), html);
  });
});
