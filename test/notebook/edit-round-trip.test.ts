import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {copyFile, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {packageRoot} from '../../src/paths.js';
import {scratchProject, type Scratch} from '../helpers/build.js';
import {fixture} from '../helpers/paths.js';

const run = promisify(execFile);
const bin = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

let scratch: Scratch;
let markdown: string;
let ipynb: string;
before(async () => {
  scratch = await scratchProject();
  markdown = path.join(scratch.dir, 'jupyter.md');
  ipynb = path.join(scratch.dir, 'jupyter.ipynb');
  await copyFile(fixture('notebook', 'jupyter.md'), markdown);
});
after(() => scratch.dispose());

interface Cell {
  cell_type: string;
  source: string[];
}

test('a block edited in Jupyter comes back to the Markdown, and only it is run again', async () => {
  const first = await scratch.build([markdown]);
  assert.deepEqual([first.run, first.failed], [2, 0], scratch.lines.join('\n'));
  const original = await readFile(markdown, 'utf8');

  const exported = await run(process.execPath, [bin, 'notebook', 'export', markdown]);
  assert.match(exported.stdout, /wrote .*jupyter\.ipynb \(1 setup cell, 4 block cells, 1 markdown cell\)/);
  const notebook = JSON.parse(await readFile(ipynb, 'utf8')) as {cells: Cell[]};
  const cell = notebook.cells.find((candidate) => candidate.source.join('').includes('id=py '))!;
  cell.source = cell.source.map((line) => line.replace('sum(range({{n}}))', 'sum(range({{n}} + 1))'));
  await writeFile(ipynb, JSON.stringify(notebook, null, 1));

  const imported = await run(process.execPath, [bin, 'notebook', 'import', ipynb]);
  assert.match(imported.stdout, /wrote .*jupyter\.md$/m);
  const edited = await readFile(markdown, 'utf8');
  assert.equal(edited, original.replace('return sum(range({{n}}))', 'return sum(range({{n}} + 1))'));

  const second = await scratch.build([markdown]);
  assert.deepEqual([second.run, second.reused, second.failed], [1, 1, 0], scratch.lines.join('\n'));
  assert.ok(scratch.lines.includes('running jupyter/py (code, options or parameters changed)'), scratch.lines.join('\n'));
});

test('export will not replace a .ipynb holding edits that are not in the Markdown yet', async () => {
  // The notebook holds the edit above and the Markdown too: export is safe. Now edit the Markdown only.
  await writeFile(markdown, (await readFile(markdown, 'utf8')).replace('Two benchmarks', 'Two small benchmarks'));
  const refused = await run(process.execPath, [bin, 'notebook', 'export', markdown]).then(
    () => assert.fail('export should refuse'),
    (error: {code: number; stderr: string}) => error
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /jupyter\.ipynb has changes that are not in .*jupyter\.md: run npm run notebook -- import .* first, or pass --force/);
  await run(process.execPath, [bin, 'notebook', 'export', markdown, '--force']);
  const notebook = JSON.parse(await readFile(ipynb, 'utf8')) as {cells: Cell[]};
  assert.ok(notebook.cells.some((cell) => cell.source.join('').includes('Two small benchmarks')));
});

test('the notebook command says how to use it', async () => {
  const usage = await run(process.execPath, [bin, 'notebook', '--help']);
  assert.match(usage.stdout, /export notebooks\/x\.md/);
  const wrong = await run(process.execPath, [bin, 'notebook', 'convert', markdown]).then(
    () => assert.fail('an unknown command should fail'),
    (error: {code: number; stderr: string}) => error
  );
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /unknown notebook command convert: expected export, import or lab/);
});
