import assert from 'node:assert/strict';
import {readdir, readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {test} from 'node:test';
import fc from 'fast-check';
import {exportIpynb, importIpynb} from '../../src/notebook/ipynb.js';
import {packageRoot} from '../../src/paths.js';

const ts = createRequire(import.meta.url)('@tslab/typescript-for-tslab') as typeof import('typescript');

/** Every notebook and every Markdown fixture, found when the test runs: new ones are covered by themselves. */
async function markdownFiles(): Promise<string[]> {
  const notebooks = (await readdir(path.join(packageRoot, 'notebooks'))).filter((name) => name.endsWith('.md')).map((name) => path.join('notebooks', name));
  const fixtures = (await readdir(path.join(packageRoot, 'test', 'fixtures'), {recursive: true}))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('test', 'fixtures', name));
  return [...notebooks, ...fixtures].sort();
}

function roundTrip(markdown: string, file: string): string | undefined {
  const result = importIpynb(exportIpynb(markdown, file), `${file}.ipynb`);
  assert.deepEqual(result.messages, [], `${file}: import reported problems`);
  return result.markdown;
}

interface Cell {
  cell_type: string;
  source: string[];
}

test('export then import gives back the same bytes', async (t) => {
  const files = await markdownFiles();
  assert.ok(files.length >= 3, 'notebooks and fixtures are found');
  for (const file of files) {
    const markdown = await readFile(path.join(packageRoot, file), 'utf8');
    await t.test(file, () => {
      assert.equal(roundTrip(markdown, file), markdown);
      // The same file with CRLF line breaks, without its last line break, and with a byte order mark.
      const crlf = markdown.replace(/\r?\n/g, '\r\n');
      assert.equal(roundTrip(crlf, file), crlf);
      const unterminated = markdown.replace(/\s+$/, '');
      assert.equal(roundTrip(unterminated, file), unterminated);
      assert.equal(roundTrip(`\uFEFF${markdown}`, file), `\uFEFF${markdown}`);
    });
  }
});

test("every code cell is TypeScript that tslab's compiler reads without a syntax error", async (t) => {
  for (const file of await markdownFiles()) {
    const markdown = await readFile(path.join(packageRoot, file), 'utf8');
    await t.test(file, () => {
      const cells = (JSON.parse(exportIpynb(markdown.replace(/\r\n/g, '\n'), file)) as {cells: Cell[]}).cells;
      for (const cell of cells.filter((candidate) => candidate.cell_type === 'code')) {
        const source = ts.createSourceFile('cell.ts', cell.source.join(''), ts.ScriptTarget.ES2020, true);
        const errors = (source as unknown as {parseDiagnostics: Array<{messageText: unknown}>}).parseDiagnostics;
        assert.deepEqual(errors.map((error) => error.messageText), [], cell.source.join(''));
      }
    });
  }
});

test('import reads cells saved by Jupyter: sources as one string, cells without benchbook metadata', () => {
  const markdown = '---\ntitle: T\n---\n\nSome prose.\n\n```python run id=a\nprint(1)\n```\n';
  const notebook = JSON.parse(exportIpynb(markdown, 'x.md')) as {cells: Array<{cell_type: string; source: string | string[]; metadata: object}>};
  for (const cell of notebook.cells) cell.source = (cell.source as string[]).join('');
  assert.equal(importIpynb(JSON.stringify(notebook), 'x.ipynb').markdown, markdown);
  // A cell added in Jupyter has no metadata: it is separated from the one before by a blank line.
  notebook.cells.push({cell_type: 'markdown', metadata: {}, source: 'Added in Jupyter.'});
  notebook.cells.push({cell_type: 'code', metadata: {}, source: 'await nb.block`python run id=b\nprint(2)\n`;'});
  assert.equal(importIpynb(JSON.stringify(notebook), 'x.ipynb').markdown, `${markdown}\nAdded in Jupyter.\n\n\`\`\`python run id=b\nprint(2)\n\`\`\`\n`);
});

/** Markdown made of the constructs that are easy to lose: fences of every kind, blank lines, indentation, comments. */
const pieces = fc.constantFrom(
  '# Heading',
  'Prose with `code` and trailing spaces  ',
  '<!-- comment -->',
  '    indented code',
  '```python bench id=b{n}\ndef bench():\n    return "`"\n```',
  '~~~js run id=r{n}\nconsole.log(`${1}\\u{zz}`)\n~~~',
  '````plot id=p{n}\n```\nPlot.plot({})\n````',
  '```table id=t{n}\n```',
  '  ```python run id=i{n}\n  print(1)\n  ```',
  '```bash\necho shown only\n```',
  '- item\n\n  ```python run id=l{n}\n  print(1)\n  ```',
  '```python run id=u{n}\nunclosed \\'
);
const separators = fc.constantFrom('\n', '\n\n', '\n\n\n', '\n \n', '\r\n\r\n', '\n\t\n');

test('export then import gives back the same bytes for generated Markdown', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.tuple(pieces, separators), {maxLength: 10}), fc.constantFrom('', '\n', '\n\n'), (front, parts, end) => {
      let markdown = front ? '---\ntitle: Generated\n---' : '';
      parts.forEach(([piece, separator], index) => {
        markdown += (markdown === '' ? '' : separator) + piece.replace('{n}', String(index));
      });
      markdown += end;
      assert.equal(roundTrip(markdown, 'generated.md'), markdown);
    }),
    {numRuns: 400}
  );
});
