import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {exportIpynb, importIpynb} from '../../src/notebook/ipynb.js';
import {formatMessage, parseNotebook} from '../../src/parse/index.js';
import {fixture} from '../helpers/paths.js';

interface Cell {
  cell_type: string;
  id: string;
  metadata: {benchbook?: Record<string, unknown>};
  outputs?: unknown[];
  execution_count?: number | null;
  source: string[];
}
interface Ipynb {
  cells: Cell[];
  metadata: {kernelspec: {name: string}; benchbook: Record<string, unknown>};
  nbformat: number;
  nbformat_minor: number;
}

const text = (cell: Cell): string => cell.source.join('');

async function exported(name: string): Promise<{markdown: string; notebook: Ipynb}> {
  const markdown = await readFile(fixture('notebook', name), 'utf8');
  return {markdown, notebook: JSON.parse(exportIpynb(markdown, `notebooks/${name}`, {importFrom: '../dist/src/index.js'})) as Ipynb};
}

test('exportIpynb', async (t) => {
  const {notebook} = await exported('edge-cases.md');

  await t.test('writes nbformat 4.5 for the tslab kernel, with unique valid cell ids', () => {
    assert.equal(notebook.nbformat, 4);
    assert.equal(notebook.nbformat_minor, 5);
    assert.equal(notebook.metadata.kernelspec.name, 'tslab');
    const ids = notebook.cells.map((cell) => cell.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
  });

  await t.test('starts with a setup cell that imports the library, opens the notebook and holds the front matter', () => {
    const setup = text(notebook.cells[0]!);
    assert.match(setup, /^import \{openNotebook\} from "\.\.\/dist\/src\/index\.js";$/m);
    assert.match(setup, /^const nb = openNotebook\("edge-cases\.md"\);$/m);
    assert.match(setup, /^nb\.frontMatter`---\ntitle: Edge cases of the round trip\n---`;$/m);
  });

  await t.test('makes a code cell of each top-level block that runs or shows results, and leaves the rest in the prose', () => {
    const blocks = notebook.cells.slice(1).filter((cell) => cell.cell_type === 'code').map((cell) => /id=([\w-]+)/.exec(text(cell))?.[1]);
    assert.deepEqual(blocks, ['tilde', 'long-fence', 'indented-fence', 'chart', 't', 'backslash-at-end', 'unclosed']);
    const prose = notebook.cells.filter((cell) => cell.cell_type === 'markdown').map(text).join('\n');
    for (const kept of ['id=not-a-block', 'id=nested', 'echo "shown-only', 'id=commented-out']) assert.ok(prose.includes(kept), kept);
  });

  await t.test('keeps the block readable: info string on the first line, the code as written', () => {
    const cell = notebook.cells.find((candidate) => text(candidate).includes('id=tilde'))!;
    assert.equal(text(cell), 'await nb.block`python bench id=tilde label="Tilde fence"\ndef bench():\n    return "\\`" + "\\n"\n`;');
    assert.deepEqual(cell.metadata.benchbook, {before: '\n\n', open: '~~~', close: '~~~'});
  });

  await t.test('says how to fix a bad option', () => {
    assert.throws(() => exportIpynb('', 'x.md', {importFrom: ''}), (error: unknown) => error instanceof TypeError && /options\.importFrom/.test(error.message));
  });
});

test('importIpynb', async (t) => {
  await t.test('never copies outputs into the Markdown', async () => {
    const {markdown, notebook} = await exported('jupyter.md');
    for (const cell of notebook.cells) {
      if (cell.cell_type !== 'code') continue;
      cell.execution_count = 3;
      cell.outputs = [{output_type: 'display_data', data: {'text/html': ['<table>OUTPUT-MARKER</table>']}, metadata: {}}];
    }
    const back = importIpynb(JSON.stringify(notebook), 'jupyter.ipynb');
    assert.equal(back.markdown, markdown);
  });

  await t.test('takes edits of the info string and the code, lengthening the fence when the code holds one', async () => {
    const {markdown, notebook} = await exported('jupyter.md');
    const cell = notebook.cells.find((candidate) => text(candidate).includes('id=py '))!;
    // Backticks are escaped in the cell, as TypeScript requires inside a template.
    cell.source = ['await nb.block`python bench id=py label="CPython"\n', 'def bench():\n', '    return "\\`\\`\\`"\n', '\\`\\`\\`\n', '`;'];
    const back = importIpynb(JSON.stringify(notebook), 'jupyter.ipynb');
    assert.deepEqual(back.messages, []);
    const expected = markdown.replace(/```python bench id=py label=Python\n[\s\S]*?\n```/, '````python bench id=py label="CPython"\ndef bench():\n    return "```"\n```\n````');
    assert.equal(back.markdown, expected);
    const block = parseNotebook(back.markdown!, 'jupyter.md').notebook!.blocks.find((candidate) => candidate.id === 'py')!;
    assert.equal(block.code, 'def bench():\n    return "```"\n```');
    assert.equal(block.options['label'], 'CPython');
  });

  await t.test('leaves out code cells that are not blocks, with a located warning', async () => {
    const {markdown, notebook} = await exported('jupyter.md');
    notebook.cells.splice(3, 0, {cell_type: 'code', id: 'scratch', metadata: {}, outputs: [], execution_count: null, source: ['console.log(await nb.results());']});
    const wrapped = notebook.cells.find((candidate) => text(candidate).includes('id=js '))!;
    wrapped.source = ['console.time("js");\n', ...wrapped.source, '\nconsole.timeEnd("js");'];
    const back = importIpynb(JSON.stringify(notebook), 'x.ipynb');
    assert.equal(back.markdown, markdown);
    assert.deepEqual(back.messages.map(formatMessage), [
      'x.ipynb#cell-4:1:1: warning: this code cell is not a block (`await nb.block`...``): it is left out of the Markdown — move what it holds into a block or a markdown cell to keep it [not-a-block-cell]',
      'x.ipynb#cell-5:1:1: warning: code around `await nb.block`...`` is not kept in the Markdown: only the block in the template is [extra-cell-code]'
    ]);
  });

  await t.test('refuses a block it cannot read, and files that are not notebooks', async () => {
    const {notebook} = await exported('jupyter.md');
    const cell = notebook.cells.find((candidate) => text(candidate).includes('id=py '))!;
    cell.source = ['await nb.block`python run id=py\n', 'print(1)\n'];
    const open = importIpynb(JSON.stringify(notebook), 'x.ipynb');
    assert.equal(open.markdown, undefined);
    assert.deepEqual(open.messages.map((message) => [message.rule, message.fatal, message.line, message.column]), [['invalid-block-cell', true, 1, 16]]);
    assert.equal(importIpynb('{', 'x.ipynb').messages[0]?.rule, 'invalid-ipynb');
    assert.equal(importIpynb('{"nbformat": 3, "worksheets": []}', 'x.ipynb').messages[0]?.rule, 'invalid-ipynb');
  });
});
