import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {chartKey, PLOT_VERSION} from '../../src/render/chart.js';
import {renderChart, resultRows, wasChartLibraryLoaded} from '../../src/render/index.js';
import type {ChartCache, ResultRow, SampleRow} from '../../src/render/types.js';
import {benchResult, makeNotebook, outcomesOf} from './fixture.js';

function rowsOf(count: number): ResultRow[] {
  const specs = Array.from({length: count}, (_, index) => ({kind: 'bench' as const, id: `b${index}`, runtime: 'python'}));
  const markdown = specs.map(() => '```python\npass\n```\n').join('\n');
  const notebook = makeNotebook(markdown, specs);
  return resultRows(outcomesOf(...specs.map((spec, index) => benchResult(spec.id, (index + 1) * 1e6))), notebook);
}

/** Sample rows for `rows`: three samples around each median. */
function samplesOf(rows: ResultRow[]): SampleRow[] {
  return rows.flatMap((row) =>
    [0.9, 1, 1.1].map((factor, index) => ({key: row.key, block: row.block, label: row.label, runtime: row.runtime, value: row.median * factor, index, process: 0, outlier: false}))
  );
}

/** The elements of one kind inside a mark's group. */
function markCount(svg: string, mark: string, element: string): number {
  const group = new RegExp(`<g aria-label="${mark}"[^>]*>(.*?)</g>`, 's').exec(svg);
  return group?.[1]!.match(new RegExp(`<${element}\\b`, 'g'))?.length ?? 0;
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

  await t.test('keeps a legend valid in an HTML page: no <style> or style attribute outside the svg', async () => {
    const code = 'Plot.plot({color: {legend: true}, marks: [Plot.barY(data, {x: "label", y: "median", fill: "label"})]})';
    const {svg} = await renderChart(code, rowsOf(2), {});
    const outside = svg.replace(/<svg[^]*?<\/svg>/g, '');
    assert.doesNotMatch(outside, /<style|style="/);
    assert.match(outside, /class="plot-[0-9a-f]+-swatch"/);
  });

  await t.test('draws a continuous legend as an SVG gradient, since jsdom has no canvas', async () => {
    const code = 'Plot.plot({color: {legend: true}, marks: [Plot.dot(data, {x: "median", fill: "median"})]})';
    const {svg, narrow, error} = await renderChart(code, rowsOf(3), {});
    assert.equal(error, undefined);
    assert.doesNotMatch(svg, /<image/);
    const id = /<linearGradient id="([^"]+)">(<stop [^>]*><\/stop>){17}<\/linearGradient>/.exec(svg)?.[1];
    assert.ok(id, 'a gradient of 17 stops');
    assert.match(svg, new RegExp(`<rect [^>]*fill="url\\(#${id}\\)"`));
    assert.notEqual(/<linearGradient id="([^"]+)"/.exec(narrow ?? '')?.[1], id, 'ids differ between the two renderings');
  });

  await t.test("reports Plot's warnings instead of sending readers to a console", async () => {
    const rows = rowsOf(2).map((row, index) => ({...row, label: String(index + 1)}));
    const chart = await renderChart('Plot.plot({marks: [Plot.dot(data, {x: "label", y: "median"})]})', rows, {});
    assert.equal(chart.warnings?.length, 1);
    assert.match(chart.warnings![0]!, /^some data associated with the x scale are strings that appear to be numbers/);
    assert.match(chart.svg, /<title>1 warning: some data associated with the x scale/);
    assert.doesNotMatch(chart.svg + (chart.narrow ?? ''), /check the console/);
    assert.equal((await renderChart('Plot.plot({marks: [Plot.dot(data, {x: "median"})]})', rows, {})).warnings, undefined);
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
    const chart = await renderChart(code, rows, {chartCache: cache});
    assert.deepEqual([...cache.entries], [[chartKey(code, rows), JSON.stringify(chart)]]);
    assert.deepEqual(await renderChart(code, rows, {chartCache: cache}), chart, 'a hit gives back both renderings');
    await renderChart('Plot.nope()', rows, {chartCache: cache});
    assert.equal(cache.entries.size, 1);
  });

  await t.test('the cache key changes with the code, the rows and the samples', () => {
    const rows = rowsOf(2);
    assert.match(chartKey('a', rows), /^[0-9a-f]{64}$/);
    assert.notEqual(chartKey('a', rows), chartKey('b', rows));
    assert.notEqual(chartKey('a', rows), chartKey('a', rowsOf(3)));
    assert.notEqual(chartKey('a', rows), chartKey('a', rows, samplesOf(rows)));
  });

  await t.test('binds samples next to data, one row per raw sample', async () => {
    const rows = rowsOf(2);
    const {svg, error} = await renderChart('Plot.dot(samples, {x: "value", y: "label"}).plot()', rows, {samples: samplesOf(rows)});
    assert.equal(error, undefined);
    assert.equal(markCount(svg, 'dot', 'circle'), 6);
  });

  await t.test('renders a narrow version for phones, unless the expression sets its width', async () => {
    const code = 'Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})';
    const chart = await renderChart(code, rowsOf(2), {});
    assert.match(chart.svg, /^<svg[^>]* width="736"/);
    assert.match(chart.narrow ?? '', /^<svg[^>]* width="340"/);
    const fixed = await renderChart('Plot.plot({width: 500, marks: [Plot.barX(data, {y: "label", x: "median"})]})', rowsOf(2), {});
    assert.match(fixed.svg, /width="500"/);
    assert.equal(fixed.narrow, undefined);
  });

  await t.test('gives marks over data or samples a hover title, and leaves the author\'s titles alone', async () => {
    const rows = rowsOf(1);
    const {svg} = await renderChart('Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})', rows, {});
    assert.match(svg, /<title>b0: median 1.00 ms, 95% CI 980 µs–1.02 ms, n = 30<\/title>/);
    const own = await renderChart('Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median", title: () => "mine"})]})', rows, {});
    assert.deepEqual([...own.svg.matchAll(/<title>(.*?)<\/title>/g)].map((match) => match[1]), ['mine']);
    const derived = await renderChart('Plot.plot({marks: [Plot.barX(data.map((d) => ({...d})), {y: "label", x: "median"})]})', rows, {});
    assert.doesNotMatch(derived.svg, /<title>/, 'rows the author built are not described');
    const grouped = await renderChart('Plot.plot({marks: [Plot.barX(data, Plot.groupY({x: "count"}, {y: "label"}))]})', rows, {});
    assert.doesNotMatch(grouped.svg, /<title>/, 'no title through a transform');
  });

  await t.test('widens the left margin to fit long y labels when the author set none', async () => {
    const rows = rowsOf(2);
    rows[0]!.label = 'A rather long label for a benchmark';
    const left = (svg: string) => Number(/aria-label="y-axis tick" [^>]*><path transform="translate\(([\d.]+),/.exec(svg)?.[1]);
    const auto = await renderChart('Plot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})', rows, {});
    assert.ok(left(auto.svg) > 150, `margin ${left(auto.svg)}`);
    const fixed = await renderChart('Plot.plot({marginLeft: 60, marks: [Plot.barX(data, {y: "label", x: "median"})]})', rows, {});
    assert.equal(left(fixed.svg), 60);
  });

  await t.test('widens the right margin for long facet labels', async () => {
    const rows = rowsOf(2);
    rows[1]!.label = 'Another rather long label';
    const labelX = (svg: string) => Number(/aria-label="fy-axis tick label"[^]*?<text[^>]*transform="translate\(([\d.]+),/.exec(svg)?.[1]);
    const auto = await renderChart('Plot.plot({marks: [Plot.barX(data, {fy: "label", y: "runtime", x: "median"})]})', rows, {});
    const fixed = await renderChart('Plot.plot({marginRight: 40, marks: [Plot.barX(data, {fy: "label", y: "runtime", x: "median"})]})', rows, {});
    assert.ok(labelX(auto.svg) < labelX(fixed.svg) - 60, `${labelX(auto.svg)} vs ${labelX(fixed.svg)}`);
  });

  await t.test('PLOT_VERSION matches the installed Plot', async () => {
    const manifest = path.join(packageRoot, 'node_modules', '@observablehq', 'plot', 'package.json');
    assert.equal(JSON.parse(await readFile(manifest, 'utf8')).version, PLOT_VERSION);
  });
});
