import assert from 'node:assert/strict';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {runtimeTable, runtimeTableMarkdown} from '../../src/runtimes/index.js';

const docs = path.join(packageRoot, 'docs/notebook-format.md');
const start = /<!-- runtime-table:start[^>]*-->\n/;
const end = '<!-- runtime-table:end -->';

test('docs/notebook-format.md lists the runtime table as it is (UPDATE=1 rewrites it)', async () => {
  const text = await readFile(docs, 'utf8');
  const opening = start.exec(text);
  assert.ok(opening, 'the docs keep the runtime-table markers');
  const from = opening.index + opening[0].length;
  const to = text.indexOf(end, from);
  assert.ok(to >= from, 'the end marker follows the start marker');
  const wanted = `${runtimeTableMarkdown()}\n`;
  if (process.env['UPDATE'] && text.slice(from, to) !== wanted) {
    await writeFile(docs, text.slice(0, from) + wanted + text.slice(to));
    return;
  }
  assert.equal(text.slice(from, to), wanted, 'run UPDATE=1 npm test to regenerate the table, and review the diff');
  for (const entry of runtimeTable) assert.ok(text.includes(`| \`${entry.name}\` |`), `${entry.name} is documented`);
});
