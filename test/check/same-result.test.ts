import assert from 'node:assert/strict';
import {copyFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {closeJsPool} from '../../src/execute/js-pool/index.js';
import type {ExportedClaim} from '../../src/write/exports.js';
import {scratchProject, type Scratch} from '../helpers/build.js';
import {fixture} from '../helpers/paths.js';

let scratch: Scratch;
before(async () => {
  scratch = await scratchProject();
});
after(async () => {
  await closeJsPool();
  await scratch.dispose();
});

/** The HTML of one block, found by its id. */
function blockHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `block ${id} is on the page`);
  const next = html.indexOf('class="block', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

test('claims compare what the blocks they reference returned', {timeout: 600_000}, async (t) => {
  const notebook = path.join(scratch.dir, 'same-result.md');
  await copyFile(fixture('check', 'same-result.md'), notebook);
  const summary = await scratch.build([notebook]);
  assert.equal(summary.failed, 0, scratch.lines.join('\n'));
  const html = await scratch.read('same-result.html');
  const exported = JSON.parse(await scratch.read('same-result.json')) as {runs: Array<{key: string; returnValue?: unknown}>; claims: ExportedClaim[]};
  const claim = (id: string) => exported.claims.find((item) => item.id === id)!;

  await t.test('each runtime recorded its function\'s value', () => {
    const values = Object.fromEntries(exported.runs.map((run) => [run.key, run.returnValue]));
    assert.deepEqual(values['sum-python'], {kind: 'number', value: 49995000});
    assert.deepEqual(values['sum-js'], {kind: 'number', value: 49995000});
    assert.deepEqual(values['sum-c'], {kind: 'number', value: 0});
    assert.deepEqual(values['sweep-python@n=100'], {kind: 'number', value: 4950});
  });

  await t.test('blocks that compute the same sum: no warning', () => {
    assert.equal(claim('same-sum').warnings, undefined);
    assert.doesNotMatch(blockHtml(html, 'same-sum'), /notice warning/);
  });

  await t.test('a block whose work was dropped: a warning on the claim box and in the export, the verdict as it is', () => {
    const warning = 'the blocks do not compute the same result: `sum-c` returned 0 and `sum-python` 49995000; if they are meant to differ, say so with `same-result=no`';
    assert.deepEqual(claim('dropped-work').warnings, [warning]);
    assert.match(blockHtml(html, 'dropped-work'), /<p class="notice warning"><strong>Warning<\/strong>: the blocks do not compute the same result: <code>sum-c<\/code> returned 0 and <code>sum-python<\/code> 49995000/);
    assert.equal(claim('dropped-work').verdict, claim('dropped-work-meant').verdict);
    assert.ok(scratch.lines.includes(`warning: claim same-result/dropped-work: ${warning}`), 'the build says it too');
    assert.equal(scratch.lines.filter((line) => line.startsWith('warning: claim')).length, 1, scratch.lines.join('\n'));
  });

  await t.test('same-result=no: the difference is meant, no warning', () => {
    assert.equal(claim('dropped-work-meant').warnings, undefined);
    assert.doesNotMatch(blockHtml(html, 'dropped-work-meant'), /notice warning/);
  });

  await t.test('floats a billionth apart agree', () => {
    const values = Object.fromEntries(exported.runs.map((run) => [run.key, run.returnValue as {value: number}]));
    assert.notEqual(values['float-go']!.value, values['float-python']!.value, 'they do differ in their last digits');
    assert.equal(claim('floats-agree').warnings, undefined);
  });

  await t.test('two points of one sweep do different work: not compared', () => {
    assert.equal(claim('sweep-points').warnings, undefined);
  });
});
