import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {
  display,
  loadNotebook,
  NotebookError,
  openNotebook,
  prepareNotebook,
  renderBlock,
  results,
  runAll,
  runBlock,
  type LoadedNotebook
} from '../../src/notebook/index.js';
import {fixture} from '../helpers/paths.js';

let dir: string;
let dataDir: string;
const lines: string[] = [];
const log = (line: string): void => {
  lines.push(line);
};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-library-'));
  dataDir = path.join(dir, 'data');
});
after(() => rm(dir, {recursive: true, force: true}));

test('the notebook library, on a real Python and JavaScript notebook', async (t) => {
  let nb: LoadedNotebook;

  await t.test('loadNotebook parses and plans, running nothing', async () => {
    nb = await loadNotebook(fixture('notebook', 'jupyter.md'), {dataDir, log});
    assert.equal(nb.notebook.name, 'jupyter');
    assert.deepEqual(nb.plan.runs.map((run) => run.key), ['py', 'js']);
    assert.deepEqual(lines, []);
    assert.equal(existsSync(dataDir), false);
  });

  await t.test('runBlock runs one block for real and stores it where npm run report does', async () => {
    const [outcome] = await runBlock(nb, 'py');
    assert.equal(outcome?.stored?.result.status, 'ok', lines.join('\n'));
    const file = path.join(dataDir, 'jupyter', outcome!.stored!.machine.fingerprint, 'py.json');
    assert.equal(JSON.parse(await readFile(file, 'utf8')).hash, nb.plan.runs[0]!.hash);
    assert.ok(lines.some((line) => line.startsWith('running jupyter/py')), lines.join('\n'));
  });

  await t.test('runBlock reuses a stored result with the same hash', async () => {
    lines.length = 0;
    await runBlock(nb, 'py');
    assert.deepEqual(lines, ['reused  jupyter/py']);
  });

  await t.test('results and renderBlock show what has run, and say what has not', async () => {
    assert.deepEqual((await results(nb)).map((row) => row.label), ['Python']);
    assert.match((await renderBlock(nb, 'py')).html, /<table>[\s\S]*<td>Python<\/td>/);
    const chart = await renderBlock(nb, 'chart');
    assert.match(chart.svg ?? '', /^<svg/);
    assert.match(chart.html, /No results for js/);
  });

  await t.test('runAll runs the rest and reuses the rest', async () => {
    lines.length = 0;
    const summary = await runAll(nb);
    assert.deepEqual([summary.run, summary.reused, summary.failed, summary.skipped], [1, 1, 0, 0], lines.join('\n'));
    assert.deepEqual((await results(nb)).map((row) => row.label), ['Python', 'JavaScript']);
    const table = (await renderBlock(nb, 'times')).html;
    assert.match(table, /<td>Python<\/td>[\s\S]*<td>JavaScript<\/td>/);
    // Outside the tslab kernel, display gives the HTML back.
    assert.match(await display(nb, 'chart'), /^<svg[\s\S]*<\/svg>/);
  });

  await t.test('results leave out a result stored for other code', async () => {
    const edited = await prepareNotebook(nb.source.replace('sum(range({{n}}))', 'sum(range({{n}} + 1))'), nb.path, nb.settings);
    assert.deepEqual((await results(edited)).map((row) => row.label), ['JavaScript']);
    assert.match((await renderBlock(edited, 'py')).html, /Not run/);
  });

  await t.test('a mistake names what to do', async () => {
    await assert.rejects(runBlock(nb, 'nope'), (error: unknown) => error instanceof TypeError && /no block `nope`.*expected one of py, js, chart, times/.test(error.message));
    await assert.rejects(loadNotebook(fixture('notebook', 'jupyter.md'), {profile: 3 as unknown as string}), /options\.profile must be a non-empty string/);
    await assert.rejects(loadNotebook(fixture('notebook', 'jupyer.md')), /cannot read notebook .*jupyer\.md: no such file: did you mean .*jupyter\.md\?/);
    await assert.rejects(loadNotebook(fixture('parse', 'bad-blocks.md')), (error: unknown) => {
      assert.ok(error instanceof NotebookError);
      assert.ok(error.messages.length > 1);
      assert.match(error.message, /bad-blocks\.md:\d+:\d+: error: .* \[[a-z-]+\]/);
      return true;
    });
  });
});

test('openNotebook builds the notebook from cells, as the setup and block cells do in Jupyter', async () => {
  lines.length = 0;
  const nb = openNotebook('jupyter.md', {dataDir, log});
  nb.frontMatter`---
title: Run in Jupyter
params:
  n: 200
measure:
  repeat: 3
  warmup: 0
  processes: 1
  min-sample: 1ms
---`;
  await nb.block`python bench id=py label=Python
def bench():
    return sum(range({{n}}))
`;
  // The same code and parameters as the Markdown: the result stored above is reused.
  assert.deepEqual(lines, ['reused  jupyter/py']);
  await nb.block`python bench id=py label=Python
def bench():
    return sum(range({{n}})) + 0
`;
  assert.match(lines[1] ?? '', /^running jupyter\/py \(code, options or parameters changed\)$/);
  assert.deepEqual((await nb.results()).map((row) => row.label), ['Python']);
  assert.equal((await nb.loaded()).notebook.blocks.length, 1, 'running a cell again replaces its block');
});

test('in Jupyter, a cell may run before the blocks it refers to: it says so, and the others still run', async () => {
  lines.length = 0;
  const errors: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(' '));
  try {
    const nb = openNotebook('refs.md', {dataDir, log});
    nb.frontMatter`---
title: References
published:
  later: {median: 1 us}
measure: {repeat: 2, warmup: 0, processes: 1, min-sample: 1ms}
---`;
    assert.deepEqual(errors, [], 'a published figure for a block whose cell has not run is not a problem yet');
    await nb.block`table id=t blocks=later
`;
    assert.match(errors.join('\n'), /^refs#t:1:\d+: warning: `t` refers to `later`, which is not a bench or run block of this notebook \[unknown-block-ref\]\nCells make the notebook as they run: run the cells of the blocks it refers to first\.$/);
    errors.length = 0;
    await nb.block`python bench id=later
def bench():
    return 1
`;
    assert.deepEqual(errors, []);
    assert.match(lines.join('\n'), /^running refs\/later/m);
    assert.deepEqual((await nb.results()).map((row) => row.block), ['later']);
  } finally {
    console.error = consoleError;
  }
});
