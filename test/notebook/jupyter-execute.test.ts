import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {librarySpecifier} from '../../src/cli/notebook.js';
import {venvDir} from '../../src/runtimes/python.js';
import {exportIpynb, importIpynb} from '../../src/notebook/ipynb.js';
import {packageRoot} from '../../src/paths.js';
import {registerTslabKernel} from '../../src/setup/jupyter.js';
import {fixture} from '../helpers/paths.js';

const run = promisify(execFile);
const jupyter = path.join(venvDir, 'bin', 'jupyter');
const tslab = path.join(packageRoot, 'node_modules', 'tslab', 'bin', 'tslab');
const missing = !existsSync(jupyter)
  ? `Jupyter is not installed in ${venvDir}: run npm run setup`
  : !existsSync(tslab)
    ? `tslab is not installed (${tslab}): run npm ci`
    : undefined;

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string[];
  outputs?: Output[];
}

const join = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

test('an exported notebook runs headless in Jupyter with the tslab kernel', {skip: missing, timeout: 300_000}, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-jupyter-'));
  try {
    const markdown = await readFile(fixture('notebook', 'jupyter.md'), 'utf8');
    await writeFile(path.join(dir, 'jupyter.ipynb'), exportIpynb(markdown, 'jupyter.md', {importFrom: librarySpecifier(dir)}));
    // A kernelspec of its own, so the test neither needs nor changes what npm run setup registered.
    const kernel = await registerTslabKernel({prefix: path.join(dir, 'jupyter')});
    assert.equal(kernel.status, 'registered');
    const dataDir = path.join(dir, 'data');
    const env = {
      ...process.env,
      BENCHBOOK_DATA: dataDir,
      JUPYTER_PATH: path.join(dir, 'jupyter', 'share', 'jupyter'),
      JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime')
    };
    await run(jupyter, ['execute', '--output=executed.ipynb', 'jupyter.ipynb'], {cwd: dir, env, timeout: 240_000});

    const executed = JSON.parse(await readFile(path.join(dir, 'executed.ipynb'), 'utf8')) as {cells: Cell[]};
    const outputsOf = (id: string): Output[] => executed.cells.find((cell) => cell.source.join('').includes(`id=${id} `) || cell.source.join('').includes(`id=${id}\n`))?.outputs ?? [];
    const html = (id: string): string => outputsOf(id).map((output) => join(output.data?.['text/html'])).join('\n');
    const all = executed.cells.flatMap((cell) => cell.outputs ?? []);
    assert.deepEqual(all.filter((output) => output.output_type === 'error').map((output) => `${output.ename}: ${output.evalue}`), []);
    const stderr = all.filter((output) => output.output_type === 'stream' && /error/i.test(join(output.text)));
    assert.deepEqual(stderr.map((output) => join(output.text)), []);

    // Each bench block shows its result table, the plot its chart, the table block both results.
    assert.match(html('py'), /<table>[\s\S]*<td>Python<\/td>/);
    assert.match(html('js'), /<table>[\s\S]*<td>JavaScript<\/td>/);
    const chart = outputsOf('chart').map((output) => join(output.data?.['image/svg+xml'])).join('');
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    assert.equal((chart.match(/<rect/g) ?? []).length, 2, 'one bar per bench block');
    assert.match(html('times'), /<td>Python<\/td>[\s\S]*<td>JavaScript<\/td>/);

    // The results are where BENCHBOOK_DATA says, as npm run report stores them.
    const [machine] = await readdir(path.join(dataDir, 'jupyter'));
    assert.deepEqual((await readdir(path.join(dataDir, 'jupyter', machine!))).sort(), ['js.json', 'py.json']);

    // Imported back, the executed notebook is the Markdown it came from: outputs are not copied.
    assert.equal(importIpynb(await readFile(path.join(dir, 'executed.ipynb'), 'utf8'), 'executed.ipynb').markdown, markdown);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('in the real kernel, a table drawn before its block ran again says it is stale, in its own cell', {skip: missing, timeout: 300_000}, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-jupyter-stale-'));
  try {
    const markdown = (await readFile(fixture('notebook', 'jupyter.md'), 'utf8')).replace(/```js bench[\s\S]*?\n```\n\n/, '');
    const notebook = JSON.parse(exportIpynb(markdown, 'stale.md', {importFrom: librarySpecifier(dir)})) as {cells: Array<Cell & Record<string, unknown>>};
    // A cell after the table that runs the Python block again with other code: new results.
    notebook.cells.push({cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['await nb.block`python bench id=py label=Python\n', 'def bench():\n', '    return sum(range(300))\n', '`;']});
    await writeFile(path.join(dir, 'stale.ipynb'), JSON.stringify(notebook));
    const kernel = await registerTslabKernel({prefix: path.join(dir, 'jupyter')});
    assert.equal(kernel.status, 'registered');
    const env = {...process.env, BENCHBOOK_DATA: path.join(dir, 'data'), JUPYTER_PATH: path.join(dir, 'jupyter', 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime')};
    await run(jupyter, ['execute', '--output=executed.ipynb', 'stale.ipynb'], {cwd: dir, env, timeout: 240_000});
    const executed = JSON.parse(await readFile(path.join(dir, 'executed.ipynb'), 'utf8')) as {cells: Cell[]};
    const html = (id: string): string => (executed.cells.find((cell) => /id=(\S+)/.exec(cell.source.join(''))?.[1] === id)?.outputs ?? []).map((output) => join(output.data?.['text/html'])).join('\n');
    assert.match(html('times'), /^<p class="notice">Stale: py has new results since this table was drawn\. Run this cell again to redraw it\.<\/p>\n[\s\S]*<td>Python<\/td>/);
    assert.match(html('chart'), /Stale: py has new results since this chart was drawn/);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test("exported notebooks are valid nbformat 4.5, and nbformat writes them back byte for byte", {skip: missing}, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-nbformat-'));
  try {
    const names = ['edge-cases', 'jupyter'];
    for (const name of names) {
      const markdown = await readFile(fixture('notebook', `${name}.md`), 'utf8');
      await writeFile(path.join(dir, `${name}.ipynb`), exportIpynb(markdown, `${name}.md`));
    }
    // nbformat is what Jupyter reads and writes notebooks with: a save from JupyterLab changes nothing.
    const script = [
      'import nbformat, sys',
      'for path in sys.argv[1:]:',
      '    nb = nbformat.read(path, as_version=4)',
      '    nbformat.validate(nb)',
      '    nbformat.write(nb, path + ".saved")'
    ].join('\n');
    const files = names.map((name) => path.join(dir, `${name}.ipynb`));
    await run(path.join(venvDir, 'bin', 'python'), ['-c', script, ...files]);
    for (const file of files) assert.equal(await readFile(`${file}.saved`, 'utf8'), await readFile(file, 'utf8'), file);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
