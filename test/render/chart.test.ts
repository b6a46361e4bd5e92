import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {chartKey, PLOT_VERSION} from '../../src/render/chart.js';
import {renderChart, resultRows, wasChartLibraryLoaded} from '../../src/render/index.js';
import type {ChartCache, ResultRow} from '../../src/render/types.js';
import {benchResult, makeNotebook, outcomesOf} from './fixture.js';

function rowsOf(count: number): ResultRow[] {
  const specs = Array.from({length: count}, (_, index) => ({kind: 'bench' as const, id: `b${index}`, runtime: 'python'}));
  const markdown = specs.map(() => '```python\npass\n```\n').join('\n');
  const notebook = makeNotebook(markdown, specs);
  return resultRows(outcomesOf(...specs.map((spec, index) => benchResult(spec.id, (index + 1) * 1e6))), notebook);
}

/** The `<rect>`s inside the bar mark's group. */
function barRects(svg: string): number {
  const group = /<g aria-label="bar"[^>]*>(.*?)<\/g>/s.exec(svg);
  assert.ok(group, 'the chart has a bar group');
  return group[1]!.match(/<rect\b/g)?.length ?? 0;
}

/** A cache that records what it was asked. */
function memoryCache(): ChartCache & {entries: Map<string, string>; gets: string[]} {
  const entries = new Map<string, string>();
  const gets: string[] = [];
  return {
    entries,
    gets,
    async get(hash) {
      gets.push(hash);
      return entries.get(hash);
    },
    async set(hash, svg) {
      entries.set(hash, svg);
    }
  };
}

test('renderChart', async (t) => {
  await t.test('draws one bar per row', async () => {
    for (const count of [1, 3, 5]) {
      const {svg, error} = await renderChart('Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})', rowsOf(count), {});
      assert.equal(error, undefined);
      assert.match(svg, /^<svg/);
      assert.equal(barRects(svg), count);
    }
    assert.equal(wasChartLibraryLoaded(), true);
  });

  await t.test('returns a figure when Plot adds a legend', async () => {
    const code = 'Plot.plot({color: {legend: true}, marks: [Plot.barY(data, {x: "label", y: "median", fill: "label"})]})';
    const {svg} = await renderChart(code, rowsOf(2), {});
    assert.match(svg, /^<figure/);
    assert.equal(barRects(svg), 2);
  });

  await t.test('gives mark.plot() a document too', async () => {
    const {svg, error} = await renderChart('Plot.barX(data, {y: "label", x: "median"}).plot()', rowsOf(2), {});
    assert.equal(error, undefined);
    assert.equal(barRects(svg), 2);
  });

  await t.test('returns an error, never throws, for a broken expression', async () => {
    const syntax = await renderChart('Plot.plot({marks: [', rowsOf(1), {});
    assert.equal(syntax.svg, '');
    assert.match(syntax.error ?? '', /a plot block is one JavaScript expression/);
    const runtime = await renderChart('Plot.nope(data)', rowsOf(1), {});
    assert.equal(runtime.svg, '');
    assert.match(runtime.error ?? '', /Plot.nope is not a function/);
    const value = await renderChart('data.length', rowsOf(1), {});
    assert.match(value.error ?? '', /must return an element/);
  });

  await t.test('is deterministic, although Plot numbers clip paths per process', async () => {
    const code = 'Plot.plot({clip: true, marks: [Plot.barX(data, {y: "label", x: "median", clip: true})]})';
    const first = await renderChart(code, rowsOf(3), {});
    const second = await renderChart(code, rowsOf(3), {});
    assert.match(first.svg, /plot-clip-[0-9a-f]{8}-1/);
    assert.equal(first.svg, second.svg);
  });

  await t.test('stores rendered charts in the cache by content hash, but not errors', async () => {
    const cache = memoryCache();
    const rows = rowsOf(2);
    const code = 'Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})';
    const {svg} = await renderChart(code, rows, {chartCache: cache});
    assert.deepEqual([...cache.entries], [[chartKey(code, rows), svg]]);
    await renderChart('Plot.nope()', rows, {chartCache: cache});
    assert.equal(cache.entries.size, 1);
  });

  await t.test('the cache key changes with the code and the rows', () => {
    const rows = rowsOf(2);
    assert.match(chartKey('a', rows), /^[0-9a-f]{64}$/);
    assert.notEqual(chartKey('a', rows), chartKey('b', rows));
    assert.notEqual(chartKey('a', rows), chartKey('a', rowsOf(3)));
  });

  await t.test('PLOT_VERSION matches the installed Plot', async () => {
    const manifest = path.join(packageRoot, 'node_modules', '@observablehq', 'plot', 'package.json');
    assert.equal(JSON.parse(await readFile(manifest, 'utf8')).version, PLOT_VERSION);
  });
});
