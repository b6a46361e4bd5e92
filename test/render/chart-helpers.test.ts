import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import * as Plot from '@observablehq/plot';
import {JSDOM} from 'jsdom';
import {packageRoot} from '../../src/paths.js';
import {articleSeries, chartHelpers, measureAxis, scalingIdeal} from '../../src/render/chart-helpers.js';
import {renderChart, resultRows, sampleRows} from '../../src/render/index.js';
import type {ArticleRow, ResultRow, SampleRow} from '../../src/render/types.js';
import type {StoredResult} from '../../src/model/index.js';
import {assertSnapshot} from '../helpers/snapshot.js';
import {benchResult, makeNotebook, outcomesOf, type BlockSpec} from './fixture.js';

const snapshots = path.join(packageRoot, 'test', 'render', 'snapshots');

/** Rows of unswept blocks with the given medians (ns) and, where given, the article's figure. */
function rowsOf(specs: Array<{id: string; label?: string; median: number; published?: number}>): ResultRow[] {
  const markdown = specs.map(() => '```python\npass\n```\n').join('\n');
  const notebook = makeNotebook(
    markdown,
    specs.map((spec): BlockSpec => ({kind: 'bench', id: spec.id, runtime: 'python', options: spec.label === undefined ? {} : {label: spec.label}})),
    {published: Object.fromEntries(specs.flatMap((spec) => (spec.published === undefined ? [] : [[spec.id, {median: spec.published}]])))} as never
  );
  return resultRows(outcomesOf(...specs.map((spec) => benchResult(spec.id, spec.median))), notebook);
}

/** Rows of two blocks swept over workers 1, 2 and 4, with these medians (ns) at each. */
function sweptRows(first: number[] = [1.2e9, 1.17e9, 1.05e9], second: number[] = [8.8e8, 4.4e8, 2.5e8]): ResultRow[] {
  const notebook = makeNotebook('```python\npass\n```\n\n```go\npass\n```\n', [
    {kind: 'bench', id: 'pool-python', runtime: 'python', options: {label: 'Python process pool', sweep: 'workers'}},
    {kind: 'bench', id: 'pool-go', runtime: 'go', options: {label: 'Go goroutines', sweep: 'workers'}}
  ]);
  const runs = [1, 2, 4].flatMap((workers, index) => [
    benchResult('pool-python', first[index]!, {sweep: {name: 'workers', value: workers}}),
    benchResult('pool-go', second[index]!, {sweep: {name: 'workers', value: workers}})
  ]);
  return resultRows(outcomesOf(...runs), notebook);
}

/** Samples of two results: 12 each around their medians, one outlier each, over three processes. */
function samplesOf(): SampleRow[] {
  const notebook = makeNotebook('```python\npass\n```\n\n```python\npass\n```\n', [
    {kind: 'bench', id: 'naive', runtime: 'python', options: {label: 'one call per sample'}},
    {kind: 'bench', id: 'calibrated', runtime: 'python', options: {label: 'calibrated'}}
  ]);
  const withSamples = (id: string, median: number): StoredResult => {
    const stored = benchResult(id, median);
    const samples = Array.from({length: 12}, (_, index) => median * (0.94 + ((index * 7) % 12) / 100));
    samples[11] = median * 1.4;
    stored.result = {...stored.result, samples, loops: [10, 10, 10]};
    stored.stats = {...stored.stats!, n: 12, outliers: [11]};
    return stored;
  };
  return sampleRows(outcomesOf(withSamples('naive', 26_000), withSamples('calibrated', 28_000)), notebook);
}

/** Plot's own `<svg>` of a rendered helper chart, standalone (with its namespace) and with numbers cut to 2 decimals. */
function plotSvg(html: string): string {
  const start = html.indexOf('<svg class="plot-');
  assert.ok(start !== -1, 'the chart has a Plot svg');
  const end = html.indexOf('</svg>', html.lastIndexOf('</g>')) + '</svg>'.length;
  return `${html
    .slice(start, end)
    .replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" ')
    .replace(/-?\d+\.\d{3,}/g, (number) => Number(number).toFixed(2))}\n`;
}

/** The legend's labels, in order. */
function legend(html: string): string[] {
  const list = /<ul class="chart-legend">([^]*?)<\/ul>/.exec(html);
  assert.ok(list, 'the chart has a legend');
  return [...list[1]!.matchAll(/<li>(?:<svg[^]*?<\/svg>)?([^<]*)<\/li>/g)].map((item) => item[1]!.replace(/&#39;|&apos;/g, "'"));
}

/** The text of each tick label of an axis (`x` or `y`), in document order. */
function tickLabels(html: string, axis: 'x' | 'y'): string[] {
  const group = new RegExp(`<g aria-label="${axis}-axis tick label"[^>]*>([^]*?)</g>`).exec(plotSvg(html));
  return group === null ? [] : [...group[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((text) => text[1]!);
}

/** How many elements of a kind a mark group holds. */
function marks(html: string, mark: string, element: string): number {
  const group = new RegExp(`<g aria-label="${mark}"[^>]*>([^]*?)</g>`).exec(html);
  return group?.[1]!.match(new RegExp(`<${element}\\b`, 'g'))?.length ?? 0;
}

async function draw(code: string, rows: ResultRow[], samples: SampleRow[] = []): Promise<string> {
  const {svg, error} = await renderChart(code, rows, {samples});
  assert.equal(error, undefined);
  return svg;
}

/** The helpers over a plain Plot that draws in jsdom, to read the scales of what they return. */
function helpersInJsdom(): ReturnType<typeof chartHelpers> {
  const {document} = new JSDOM('<!doctype html><body></body>').window;
  const plot = {...Plot, plot: (options: Plot.PlotOptions = {}) => Plot.plot({width: 736, ...options, document})} as typeof Plot;
  return chartHelpers(plot, document);
}

/** The points of an SVG path made of M and L commands. */
function pathPoints(d: string): Array<[number, number]> {
  return [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])]);
}

test('Chart.bars', async (t) => {
  const gsum = rowsOf([
    {id: 'gsum-python', label: 'Python', median: 786, published: 1067},
    {id: 'gsum-go', label: 'Go lib', median: 435, published: 2336},
    {id: 'gsum-c', label: 'C lib', median: 475}
  ]);

  await t.test('bars from zero with the 95% interval and the article\'s ticks, in data order, with a legend for each', async () => {
    const html = await draw('Chart.bars(data)', gsum);
    await assertSnapshot(path.join(snapshots, 'chart-bars.svg'), plotSvg(html));
    assert.equal(marks(html, 'bar', 'rect'), 3);
    assert.equal(marks(html, 'tick', 'line'), 2, 'a tick for each row the article gives a figure for');
    assert.deepEqual(tickLabels(html, 'y'), ['Python', 'Go lib', 'C lib'], 'the rows keep their order (the table\'s), not the alphabet\'s');
    assert.deepEqual(legend(html), ['this run: median', '95% interval of the median', "the article's figure"]);
    assert.match(html, /time per call \(µs\)/, 'a linear axis states its one unit');
  });

  await t.test('on a log scale draws dots, since a bar from an arbitrary start means nothing; ticks carry their unit, no SI prefix', async () => {
    const rows = rowsOf([
      {id: 'go', label: 'Go', median: 4.64, published: 0.264},
      {id: 'discarded', label: 'Go, result discarded', median: 0.143},
      {id: 'python', label: 'CPython', median: 51.9, published: 8.36}
    ]);
    const html = await draw('Chart.bars(data)', rows);
    await assertSnapshot(path.join(snapshots, 'chart-bars-log.svg'), plotSvg(html));
    assert.equal(marks(html, 'bar', 'rect'), 0);
    assert.equal(marks(html, 'dot', 'circle'), 3);
    assert.deepEqual(tickLabels(html, 'x'), ['0.1 ns', '1 ns', '10 ns', '100 ns'], 'powers of ten, from below the smallest figure to above the largest');
    assert.deepEqual(legend(html)[0], 'this run: median');
  });

  await t.test('on a log scale with a stated baseline draws bars from it, and the legend states it', async () => {
    const rows = rowsOf([
      {id: 'a', median: 70},
      {id: 'b', median: 20_000}
    ]);
    const html = await draw('Chart.bars(data, {baseline: 1})', rows);
    assert.equal(marks(html, 'bar', 'rect'), 2);
    assert.ok(legend(html).includes('bars start at 1 ns (log scale)'));
  });

  await t.test('colours groups, each named in the legend; the article\'s orange is kept for the article', async () => {
    const rows = rowsOf([
      {id: 'square-py', median: 64},
      {id: 'square-rs', median: 141},
      {id: 'recursive-factorial', median: 1440}
    ]);
    const html = await draw('Chart.bars(data, {x: "min", group: d => d.block.endsWith("-rs") ? "Rust" : "Python"})', rows);
    assert.deepEqual(legend(html), ['Python', 'Rust']);
    const fills = [...new Set([...plotSvg(html).matchAll(/<(?:rect|circle)[^>]* fill="(#[0-9a-f]{6})"/g)].map((match) => match[1]))];
    assert.equal(fills.length, 2);
    assert.ok(!fills.includes('#e69f00'));
  });

  await t.test('says what is wrong with an option', async () => {
    const {error} = await renderChart('Chart.bars(data, {x: "p99"})', gsum);
    assert.equal(error, 'invalid x: p99 (use median, min, mean or max)');
  });
});

test('Chart.published', async (t) => {
  await t.test("the article's figure beside this run's median and interval, on a log axis covering both", async () => {
    const rows = rowsOf([
      {id: 'str-python-sp', label: 'Python sp', median: 2285, published: 78_475_500},
      {id: 'str-python-mp', label: 'Python mp', median: 34_615_202, published: 85_183_700_000},
      {id: 'str-go-sp', label: 'Go sp', median: 22.2, published: 137_944_000}
    ]);
    const html = await draw('Chart.published(data, {label: "task time"})', rows);
    await assertSnapshot(path.join(snapshots, 'chart-published.svg'), plotSvg(html));
    assert.deepEqual(legend(html), ['this run: median', '95% interval of the median', "the article's figure"]);
    const ticks = tickLabels(html, 'x');
    assert.equal(ticks[0], '10 ns');
    assert.equal(ticks.at(-1), '100 s', 'the top tick is above the largest figure (85 s)');
    assert.ok(ticks.every((tick) => !/\d[mkMG]$/.test(tick)), `no SI prefix: ${ticks.join(', ')}`);
  });

  await t.test('needs rows with the article\'s figures', async () => {
    const {error} = await renderChart('Chart.published(data)', rowsOf([{id: 'a', median: 1}]));
    assert.match(error ?? '', /^Chart.published needs rows with the article's figure/);
  });
});

test('Chart.scaling', async (t) => {
  await t.test('the ideal line of perfect scaling is t(1) ÷ w for each series', () => {
    const rows = sweptRows();
    const ideal = scalingIdeal(rows);
    assert.deepEqual(
      ideal.map((point) => [point.label, point.value, point.y]),
      [
        ['Python process pool', 1, 1.2e9],
        ['Python process pool', 2, 0.6e9],
        ['Python process pool', 4, 0.3e9],
        ['Go goroutines', 1, 8.8e8],
        ['Go goroutines', 2, 4.4e8],
        ['Go goroutines', 4, 2.2e8]
      ].sort((a, b) => (a[0] === b[0] ? 0 : a[0] === 'Python process pool' ? -1 : 1))
    );
    // Not median / speedup / ideal (t(w)² / (w · t(1))), the recipe that drew Go 4× off.
    const go2 = rows.find((row) => row.block === 'pool-go' && row.value === 2)!;
    assert.notEqual(ideal.find((point) => point.label === 'Go goroutines' && point.value === 2)!.y, go2.median / go2.speedup! / go2.ideal!);
  });

  await t.test('from a first value other than 1: t(first) × first ÷ w; when each worker has its own task, t(first)', () => {
    const rows = sweptRows().filter((row) => row.value !== 1);
    for (const row of rows) row.speedup = undefined;
    assert.deepEqual(scalingIdeal(rows).filter((point) => point.label === 'Go goroutines').map((point) => point.y), [4.4e8, 2.2e8]);
    assert.deepEqual(scalingIdeal(sweptRows(), 'time', 'grows').filter((point) => point.label === 'Go goroutines').map((point) => point.y), [8.8e8, 8.8e8, 8.8e8]);
    assert.deepEqual(scalingIdeal(sweptRows(), 'speedup').filter((point) => point.label === 'Go goroutines').map((point) => point.y), [1, 2, 4]);
  });

  await t.test('the dashed lines it draws pass through t(1) ÷ w', () => {
    const Chart = helpersInJsdom();
    const rows = sweptRows();
    const figure = Chart.scaling(rows) as Element & {scale(name: string): {apply(value: number): number}};
    const x = figure.scale('x');
    const y = figure.scale('y');
    const dashed = [...figure.querySelectorAll('g[aria-label="line"] path')].filter((element) => element.closest('[stroke-dasharray]') ?? element.getAttribute('stroke-dasharray'));
    assert.equal(dashed.length, 2, 'one ideal line per series');
    const expected = ['Python process pool', 'Go goroutines'].map((label) => {
      const t1 = rows.find((row) => row.label === label && row.value === 1)!.median;
      return [1, 2, 4].map((w) => [x.apply(w), y.apply(t1 / w)] as [number, number]);
    });
    const drawn = dashed.map((element) => pathPoints(element.getAttribute('d') ?? ''));
    for (const line of expected) {
      const match = drawn.find((points) => Math.abs(points[0]![1] - line[0]![1]) < 0.5);
      assert.ok(match, `a dashed line starts at t(1) = ${line[0]![1]}`);
      for (const [index, [px, py]] of line.entries()) {
        assert.ok(Math.abs(match[index]![0] - px) < 0.01 && Math.abs(match[index]![1] - py) < 0.01, `point ${index} at (${px}, ${py}), drawn at (${match[index]!.join(', ')})`);
      }
    }
  });

  await t.test('integer ticks for the swept count, each once; a legend for every colour and the dash', async () => {
    const html = await draw('Chart.scaling(data, {label: "run time"})', sweptRows());
    await assertSnapshot(path.join(snapshots, 'chart-scaling.svg'), plotSvg(html));
    assert.deepEqual(tickLabels(html, 'x'), ['1', '2', '4'], 'one label per value, though two series share them, and no "1.0"');
    assert.deepEqual(legend(html), [
      'Python process pool',
      'Go goroutines',
      '95% interval of the median',
      'perfect scaling: t(1) ÷ workers (dashed, in each colour)'
    ]);
    assert.match(html, /run time \(s\)/);
  });

  await t.test('speed-up against the ideal linear speed-up', async () => {
    const html = await draw('Chart.scaling(data, {y: "speedup"})', sweptRows());
    await assertSnapshot(path.join(snapshots, 'chart-speedup.svg'), plotSvg(html));
    assert.deepEqual(legend(html), ['Python process pool', 'Go goroutines', 'perfect scaling: speed-up = workers']);
    assert.ok(tickLabels(html, 'y').every((tick) => tick.endsWith('×')));
  });

  await t.test("draws the article's series where it gives figures, at its own values, and names it in the legend", async () => {
    const rows = sweptRows();
    const article: ArticleRow[] = [1, 2, 4, 8].map((workers) => ({key: `pool-go@workers=${workers}`, block: 'pool-go', label: 'Go goroutines', param: 'workers', value: workers, published: 100e9 / workers ** 0.9, measured: workers !== 8}));
    const {svg, error} = await renderChart('Chart.scaling(data, {y: "speedup"})', rows, {article});
    assert.equal(error, undefined);
    assert.deepEqual(tickLabels(svg, 'x'), ['1', '2', '4', '8'], "the article's values widen the axis");
    assert.deepEqual(legend(svg).at(-1), "the article's speed-up over its workers = 1: rings on a dotted line, in each colour");
    assert.deepEqual(articleSeries(rows, article, 'speedup').map((point) => Number(point.y.toFixed(3))), [1, 1.866, 3.482, 6.498]);
    const without = await renderChart('Chart.scaling(data, {y: "speedup", article: false})', rows, {article});
    assert.ok(!legend(without.svg).some((item) => item.startsWith("the article's")));
  });

  await t.test('says what it needs', async () => {
    assert.match((await renderChart('Chart.scaling(data)', rowsOf([{id: 'a', median: 1}]))).error ?? '', /^Chart.scaling needs the rows of a block swept over numbers/);
    assert.equal((await renderChart('Chart.scaling(data, {work: "some"})', sweptRows())).error, 'invalid work: some (use fixed or grows)');
  });
});

test('Chart.distribution', async (t) => {
  await t.test('every sample, jittered in its band, the median marked, a legend for each colour', async () => {
    const samples = samplesOf();
    const html = await draw('Chart.distribution(samples)', rowsOf([{id: 'naive', median: 26_000}]), samples);
    await assertSnapshot(path.join(snapshots, 'chart-distribution.svg'), plotSvg(html));
    assert.equal(marks(html, 'dot', 'circle'), 24);
    assert.equal(marks(html, 'rule', 'line'), 2, 'one median per result');
    assert.deepEqual(tickLabels(html, 'y'), ['one call per sample', 'calibrated']);
    assert.deepEqual(legend(html), ['sample', 'outlier (outside Tukey’s fences)', 'median']);
    assert.ok(!tickLabels(html, 'x').includes('0'), 'a spread is not drawn from zero');
  });

  await t.test('coloured by process', async () => {
    const html = await draw('Chart.distribution(samples, {color: "process"})', rowsOf([{id: 'naive', median: 26_000}]), samplesOf());
    assert.deepEqual(legend(html), ['process 1', 'process 2', 'process 3', 'outlier (outlined)', 'median']);
  });
});

test('measureAxis', async (t) => {
  await t.test('a log axis is widened to powers of ten, so its labelled ticks cover the data', () => {
    const axis = measureAxis([3.7e5, 4.4e7, 9.0e7]);
    assert.equal(axis.type, 'log');
    assert.deepEqual(axis.domain, [1e5, 1e8]);
    assert.deepEqual(axis.ticks!.map(axis.tickFormat), ['100 µs', '1 ms', '10 ms', '100 ms']);
  });

  await t.test('a linear axis states its unit once and prints plain numbers', () => {
    const axis = measureAxis([435, 786, 2336]);
    assert.equal(axis.type, 'linear');
    assert.equal(axis.label, 'time per call (µs)');
    assert.equal(axis.tickFormat(1500), '1.5');
    assert.equal(measureAxis([1e3, 5e3], {instructions: true}).tickFormat(5000), '5,000');
  });
});
