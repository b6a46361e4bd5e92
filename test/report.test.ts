import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {copyFile, readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {packageRoot} from '../src/paths.js';
import {fixture} from './helpers/paths.js';
import {scratchProject, type Scratch} from './helpers/build.js';

let scratch: Scratch;
let notebook: string;
before(async () => {
  scratch = await scratchProject();
  notebook = path.join(scratch.dir, 'mixed.md');
  await copyFile(fixture('report', 'mixed.md'), notebook);
});
after(() => scratch.dispose());

/** The bars of a chart: rects inside Plot's bar mark group. */
function countBars(html: string): number {
  const group = /<g aria-label="bar"[^>]*>([\s\S]*?)<\/g>/.exec(html);
  return group ? (group[1]!.match(/<rect/g) ?? []).length : 0;
}

/** The HTML of one block, found by its id. */
function blockHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `block ${id} is on the page`);
  const next = html.indexOf('class="block', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

test('buildReport', async (t) => {
  await t.test('runs every block for real, contains failures, and writes the page and the index', async () => {
    const summary = await scratch.build([notebook]);
    assert.equal(summary.notebooks, 1);
    assert.equal(summary.run, 5, scratch.lines.join('\n'));
    assert.equal(summary.failed, 3, scratch.lines.join('\n'));
    const html = await scratch.read('mixed.html');
    const index = await scratch.read('index.html');
    assert.match(index, /href="mixed\.html"/);

    // One bar per successful bench block: Python, Go, C, JavaScript.
    assert.equal(countBars(html), 4);
    for (const label of ['Python', 'Go', 'C', 'JavaScript']) assert.match(blockHtml(html, 'times'), new RegExp(`>${label}<`));

    assert.match(blockHtml(html, 'broken-c'), /class="error"[\s\S]*compile error[\s\S]*undeclared_variable/);
    assert.match(blockHtml(html, 'exits'), /class="error"[\s\S]*exited with code 3/);
    assert.match(blockHtml(html, 'exits'), /about to fail/);
    assert.match(blockHtml(html, 'hangs'), /class="error"[\s\S]*timed out/);

    // A claim resting on a failed block is never shown as holding.
    assert.match(blockHtml(html, 'on-failed-evidence'), /verdict-unmeasured">not measured</);
    assert.match(blockHtml(html, 'on-failed-evidence'), /no successful result for <code>broken-c<\/code>/);
    assert.match(blockHtml(html, 'js-beats-python'), /verdict-(holds|fails|inconclusive)"/);
    assert.equal(summary.claims.unmeasured, 1);
    assert.equal(summary.claims.holds + summary.claims.fails + summary.claims.inconclusive, 1);
    assert.match(html, /class="claim-summary"/);
  });

  await t.test('escapes what blocks print: no script or injected element reaches the page', async () => {
    const html = await scratch.read('mixed.html');
    const hostile = blockHtml(html, 'hostile');
    assert.match(hostile, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(hostile, /&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
  });

  await t.test('a second build re-runs nothing that succeeded', async () => {
    const summary = await scratch.build([notebook]);
    assert.equal(summary.reused, 5);
    assert.equal(summary.run, 0);
    // Failed blocks are tried again: a failure is never served from the store as if it were final.
    assert.equal(summary.failed, 3);
    assert.ok(scratch.lines.some((line) => /^running mixed\/exits \(previous run failed\)$/.test(line)), scratch.lines.join('\n'));
  });

  await t.test('editing one block re-runs only that block, and says why', async () => {
    const source = await readFile(notebook, 'utf8');
    await writeFile(notebook, source.replace('return sum(range({{n}}))', 'return sum(range({{n}} + 1))'));
    const summary = await scratch.build([notebook], {filter: ['py', 'go', 'c', 'js']});
    assert.equal(summary.run, 1);
    assert.equal(summary.reused, 7, "the other blocks come from the store, failed ones included");
    assert.ok(scratch.lines.includes('running mixed/py (code, options or parameters changed)'), scratch.lines.join('\n'));
  });

  await t.test('--rerun runs again; --from-data runs nothing and still writes the page', async () => {
    const rerun = await scratch.build([notebook], {rerun: true, filter: ['js']});
    assert.equal(rerun.run, 1);
    const fromData = await scratch.build([notebook], {fromData: true});
    assert.equal(fromData.run + fromData.failed + fromData.reused, 0);
    assert.equal(countBars(await scratch.read('mixed.html')), 4);
  });

  await t.test('an unchanged rebuild loads neither jsdom nor Plot and writes identical bytes', async () => {
    const before = await scratch.read('mixed.html');
    // A fresh process, as `npm run report` would be: the chart must come from the cache.
    const script = `
      const {scratchProjectAt} = await import(${JSON.stringify(path.join(packageRoot, 'dist/test/helpers/build.js'))});
      const {wasChartLibraryLoaded} = await import(${JSON.stringify(path.join(packageRoot, 'dist/src/render/index.js'))});
      const scratch = scratchProjectAt(${JSON.stringify(scratch.dir)});
      const summary = await scratch.build([${JSON.stringify(notebook)}], {fromData: true});
      console.log(JSON.stringify({loaded: wasChartLibraryLoaded(), notebooks: summary.notebooks}));`;
    const {stdout} = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    assert.deepEqual(JSON.parse(stdout), {loaded: false, notebooks: 1});
    assert.equal(await scratch.read('mixed.html'), before);
  });
});

test('a build that changes nothing loads no parser, chart or process library', async () => {
  await scratch.build([notebook], {fromData: true}, {pageCache: true});
  // A fresh process, as `npm run report` would be, whose module loader reports every package it loads.
  const hooks = `export async function resolve(specifier, context, next) { const found = await next(specifier, context); process.stderr.write('LOADED ' + found.url + '\\n'); return found; }`;
  const script = `
    const {register} = await import('node:module');
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    const {scratchProjectAt} = await import(${JSON.stringify(path.join(packageRoot, 'dist/test/helpers/build.js'))});
    const scratch = scratchProjectAt(${JSON.stringify(scratch.dir)});
    const summary = await scratch.build([${JSON.stringify(notebook)}], {fromData: true}, {pageCache: true});
    console.log(JSON.stringify({writes: scratch.writes, notebooks: summary.notebooks}));`;
  const {stdout, stderr} = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), {writes: [], notebooks: 1});
  const loaded = [...stderr.matchAll(/^LOADED (.+)$/gm)].map((match) => match[1]!);
  assert.ok(loaded.some((url) => url.includes('/dist/src/report.js')), 'the hook sees the modules loaded');
  const heavy = loaded.filter((url) => /node_modules\/(remark-parse|unified|yaml|jsdom|@observablehq\/plot|execa)\//.test(url));
  assert.deepEqual([...new Set(heavy.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)![1]))], [], 'remark, yaml, jsdom, Plot and execa stay unloaded');
});

test('a build that changes nothing writes nothing; a page edited or deleted in the output, or a new result, is written again', async () => {
  const first = await scratch.build([notebook], {fromData: true}, {pageCache: true});
  const page = await scratch.read('mixed.html');
  const again = await scratch.build([notebook], {fromData: true}, {pageCache: true});
  assert.deepEqual([...scratch.writes], [], 'nothing is rendered or written');
  assert.deepEqual(again.claims, first.claims, 'the recorded claims are the ones checked');

  await writeFile(path.join(scratch.outputDir, 'mixed.html'), `${page}<!-- edited by hand -->`);
  await rm(path.join(scratch.outputDir, 'mixed.csv'));
  await scratch.build([notebook], {fromData: true}, {pageCache: true});
  assert.deepEqual(scratch.writes.filter((name) => name.startsWith('mixed.')).sort(), ['mixed.csv', 'mixed.html', 'mixed.hyperfine.json', 'mixed.json']);
  assert.equal(await scratch.read('mixed.html'), page, 'the page is made again as it was');
  assert.deepEqual(scratch.writes.filter((name) => name === 'index.html'), [], 'the index did not change');

  const rerun = await scratch.build([notebook], {rerun: true, filter: ['js']}, {pageCache: true});
  assert.equal(rerun.run, 1);
  assert.ok(scratch.writes.includes('mixed.html'), 'a new result changes the page');
  assert.notEqual(await scratch.read('mixed.html'), page);
});

test('buildReport reports a notebook with errors, builds the others, and runs nothing of it', async () => {
  const summary = await scratch.build([fixture('parse', 'bad-blocks.md'), notebook], {fromData: true});
  assert.equal(summary.invalid, 1);
  assert.equal(summary.notebooks, 1);
  assert.ok(summary.messages.some((message) => message.rule === 'duplicate-id'));
  assert.ok(scratch.lines.some((line) => /bad-blocks\.md:19:17: error: duplicate block id/.test(line)));
});

test('building one notebook keeps the others on the index, listed from their stored results', async () => {
  const other = path.join(scratch.dir, 'other.md');
  await writeFile(other, '---\ntitle: Another notebook\n---\n\n```python bench id=tiny min-sample=1ms repeat=3 processes=1\ndef bench():\n    return 1\n```\n');
  const index = [notebook, other];
  await scratch.build([other], {indexNotebooks: index});
  await scratch.build([notebook], {fromData: true, indexNotebooks: index});
  const html = await scratch.read('index.html');
  assert.match(html, /href="mixed\.html"/);
  assert.match(html, /href="other\.html"/);
  // A notebook that was never run has no page, so it is not listed.
  const never = path.join(scratch.dir, 'never.md');
  await writeFile(never, '---\ntitle: Never run\n---\n\n```python bench id=x\ndef bench():\n    return 1\n```\n');
  await scratch.build([other], {fromData: true, indexNotebooks: [...index, never]});
  assert.doesNotMatch(await scratch.read('index.html'), /never\.html/);
});
