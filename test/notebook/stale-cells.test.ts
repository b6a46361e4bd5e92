/**
 * In Jupyter, a table, plot or claim cell drawn from a block that later gets new results says it is
 * stale, in place, through tslab's updatable displays; running it again redraws it. The kernel's
 * tslab is stood in for by a recorder of display messages (the real kernel is exercised by
 * jupyter-execute.test.ts); the blocks run for real.
 */
import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {openNotebook} from '../../src/notebook/index.js';

/** One display message as Jupyter gets it: new output, or an update of the display with that id. */
interface Message {
  id?: string;
  update: boolean;
  type: string;
  content: string;
}

/** A stand-in for the kernel's tslab module: `display` and `newDisplay`, recording what they send. */
function recordingTslab(messages: Message[]) {
  let next = 0;
  const displayWith = (id?: string) => {
    let sent = false;
    const raw = (type: string) => (content: string) => {
      messages.push({...(id === undefined ? {} : {id}), update: id !== undefined && sent, type, content});
      if (id !== undefined) sent = true;
    };
    return {html: raw('text/html'), svg: raw('image/svg+xml')};
  };
  return {display: displayWith(), newDisplay: () => displayWith(`display-${++next}`)};
}

test('a drawn table or chart says it is stale when a block it draws from gets new results', {timeout: 120_000}, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-stale-'));
  const messages: Message[] = [];
  const tslab = recordingTslab(messages);
  (globalThis as {__tslab__?: unknown}).__tslab__ = {require: (id: string) => (id === 'tslab' ? tslab : undefined)};
  t.after(async () => {
    delete (globalThis as {__tslab__?: unknown}).__tslab__;
    await rm(dir, {recursive: true, force: true});
  });
  const nb = openNotebook('stale.md', {dataDir: path.join(dir, 'data'), log: () => {}});
  nb.frontMatter`---
title: Stale cells
params:
  n: 100
measure:
  repeat: 3
  warmup: 0
  processes: 1
  min-sample: 1ms
---`;
  const bench = (n: number) => {
    const text = `python bench id=py label=Python\ndef bench():\n    return sum(range(${n}))\n`;
    return nb.block(Object.assign([text], {raw: [text]}) as unknown as TemplateStringsArray);
  };
  const since = (): Message[] => messages.splice(0);

  await bench(100);
  await nb.block`js bench id=js label=JavaScript
export function bench() { return 1; }
`;
  since();
  await nb.block`table id=times blocks=py columns=label,median
`;
  const table = since();
  const tableDisplay = table.find((message) => message.id !== undefined)!;
  assert.ok(tableDisplay, 'the table is shown on a display of its own');
  assert.match(tableDisplay.content, /<td>Python<\/td>/);
  await nb.block`plot id=chart
Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})
`;
  const chart = since();
  assert.ok(chart.some((message) => message.type === 'image/svg+xml' && message.id === undefined), 'the chart itself');
  const chartDisplay = chart.find((message) => message.id !== undefined)!;

  await t.test('running a block again that is reused changes nothing drawn', async () => {
    await bench(100);
    assert.deepEqual(since().filter((message) => message.update), []);
  });

  await t.test('new results of a block: the cells drawn from it say so, the others do not', async () => {
    await nb.block`js bench id=js label=JavaScript
export function bench() { return 2; }
`;
    const afterJs = since().filter((message) => message.update);
    assert.deepEqual(afterJs.map((message) => message.id), [chartDisplay.id], 'the chart draws from every block; the table only from py');
    assert.match(afterJs[0]!.content, /^<p class="notice">Stale: js has new results since this chart was drawn\. Run this cell again to redraw it\.<\/p>/);

    await bench(200);
    const afterPy = since().filter((message) => message.update);
    assert.deepEqual(afterPy.map((message) => message.id), [tableDisplay.id], 'the chart said so once already');
    assert.match(afterPy[0]!.content, /^<p class="notice">Stale: py has new results since this table was drawn\. Run this cell again to redraw it\.<\/p>\n[\s\S]*<td>Python<\/td>/, 'the notice, above what was drawn');
  });

  await t.test('running the table cell again redraws it, fresh', async () => {
    await nb.block`table id=times blocks=py columns=label,median
`;
    const redrawn = since();
    assert.ok(redrawn.every((message) => !message.update && !/Stale/.test(message.content)));
    await bench(200);
    assert.deepEqual(since().filter((message) => message.update), [], 'reused again: still fresh');
  });
});
