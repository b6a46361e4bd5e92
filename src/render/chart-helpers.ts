import {formatCount, formatInterval, formatTick, formatTime, formatTimeTick, pickTimeUnit} from './format.js';
import type {ArticleRow, ResultRow, SampleRow} from './types.js';

type PlotModule = typeof import('@observablehq/plot');

/**
 * Colours of series, in order: Okabe and Ito's palette (told apart by most colour-blind readers),
 * without its yellow, which is unreadable on white.
 */
export const SERIES_COLORS: readonly string[] = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#999933', '#882255'];

/** Colour of this run's figures when a chart has one series. */
export const MEASURED_COLOR = '#0072b2';

/** Colour of the article's figures. */
export const ARTICLE_COLOR = '#e69f00';

/** Above this ratio of the largest to the smallest value, `log: "auto"` draws a log scale. */
const LOG_RATIO = 30;

/** How a legend item's swatch is drawn. */
export type LegendSymbol = 'bar' | 'dot' | 'ring' | 'tick' | 'line' | 'dash' | 'interval' | 'none';

/** One entry of a chart's legend: every colour, tick and dash a chart draws has one. */
export interface LegendItem {
  label: string;
  symbol: LegendSymbol;
  /** A CSS colour; `currentColor` follows the page's text colour (dark mode). */
  color?: string;
}

/** What `Chart.timeAxis` returns: options for a Plot position scale whose values are ns (or instructions). */
export interface MeasureAxis {
  type: 'linear' | 'log';
  label: string;
  tickFormat: (value: number) => string;
  ticks?: number[];
  domain?: [number, number];
  zero?: boolean;
  nice?: boolean;
  grid: true;
}

/** Options of `Chart.timeAxis`. */
export interface MeasureAxisOptions {
  /** `true`, `false`, or `"auto"` (default): a log scale when the values span more than 30×. */
  log?: boolean | 'auto';
  /** Axis label without its unit (default `time per call`). */
  label?: string;
  /** The values count instructions (`--measure instructions`), not ns (default false). */
  instructions?: boolean;
}

/** Options shared by the helpers. */
interface CommonOptions {
  /** `true`, `false`, or `"auto"` (default): a log scale when the values span more than 30×. */
  log?: boolean | 'auto';
  /** The measure axis's label, without its unit (default `time per call`). */
  label?: string;
  /** Chart width in px (default: the page's). */
  width?: number;
}

/** Options of `Chart.bars`. */
export interface BarsOptions extends CommonOptions {
  /** The field drawn (default `median`): `min`, `mean`, `max`... */
  x?: 'median' | 'min' | 'mean' | 'max';
  /** Draw the 95% interval of the median (default: when `x` is `median`). */
  interval?: boolean;
  /** Draw the article's figures as ticks (default: when `x` is `median` and some row has one). */
  published?: boolean;
  /** A group per row (`d => d.runtime`): one colour per group, named in the legend (default: one colour). */
  group?: (row: ResultRow) => string;
  /**
   * On a log scale, bars from this value (ns), which the legend states; without it a log scale draws
   * dots, since a bar's length from an arbitrary start means nothing.
   */
  baseline?: number;
}

/** Options of `Chart.published`. */
export type PublishedOptions = CommonOptions;

/** Options of `Chart.scaling`. */
export interface ScalingOptions extends CommonOptions {
  /** `time` (default): the median with its ideal; `speedup`: the speed-up over the first value with the ideal speed-up. */
  y?: 'time' | 'speedup';
  /**
   * `fixed` (default): the same total work is shared among more workers, so the ideal time is
   * t(first) × first ÷ value (t(1) ÷ w); `grows`: each worker does a task of its own, so the ideal
   * time stays t(first).
   */
  work?: 'fixed' | 'grows';
  /**
   * Draw the article's series (default true): its figure at each swept value it gives, rings on a
   * dotted line in the series' colour, as times or, for `y: "speedup"`, as its own speed-up over its
   * first value. Drawn only where the front matter's `published:` has figures for the chart's blocks.
   */
  article?: boolean;
}

/** Options of `Chart.distribution`. */
export interface DistributionOptions extends CommonOptions {
  /** `outlier` (default): outliers in their own colour; `process`: one colour per fresh process. */
  color?: 'outlier' | 'process';
}

/** A point of a scaling chart's ideal line. */
export interface IdealPoint {
  label: string;
  value: number;
  /** Ideal time (ns) for `y: "time"`, ideal speed-up for `y: "speedup"`. */
  y: number;
}

/** The helpers a `plot` block gets as `Chart`: charts that are right by construction. */
export interface ChartHelpers {
  /** Bars (dots on a log scale) of one field per row, in data order, with the 95% interval and the article's ticks. */
  bars(data: ResultRow[], options?: BarsOptions): Element;
  /** The article's figure beside this run's median (with its interval), per row, in data order. */
  published(data: ResultRow[], options?: PublishedOptions): Element;
  /** A swept block's time (or speed-up) against the swept value, with the ideal of perfect scaling dashed. */
  scaling(data: ResultRow[], options?: ScalingOptions): Element;
  /** Every raw sample per result, jittered, with the median marked. */
  distribution(samples: SampleRow[], options?: DistributionOptions): Element;
  /** A chart with a legend above it: one swatch and label per item. */
  legend(chart: Element, items: LegendItem[]): Element;
  /** Scale options for an axis of times in ns: ticks in the unit that suits them, no SI prefixes. */
  timeAxis(values: number[], options?: MeasureAxisOptions): MeasureAxis;
  /** A time in ns for a tick or a title: `10 ns`, `1 µs`, `2.5 ms`. */
  formatTime(ns: number): string;
  /** A count with thousands separators, for integer ticks: `1`, `2`, `1,000`. */
  formatCount(count: number): string;
}

/** What the helpers know of a chart besides its `data`: the article's figures for its blocks, at every size. */
export interface ChartContext {
  article?: ArticleRow[];
}

/**
 * The chart helpers over a Plot (the render stage's, with the page's width and document), the
 * document that legends are built in, and the article's figures for the chart's blocks.
 */
export function chartHelpers(Plot: PlotModule, document: Document, context: ChartContext = {}): ChartHelpers {
  const legend = (chart: Element, items: LegendItem[]) => withLegend(document, chart, items);
  return {
    bars: (data, options = {}) => bars(Plot, legend, data, options),
    published: (data, options = {}) => publishedChart(Plot, legend, data, options),
    scaling: (data, options = {}) => scaling(Plot, legend, data, options, context.article ?? []),
    distribution: (samples, options = {}) => distribution(Plot, legend, samples, options),
    legend,
    timeAxis: measureAxis,
    formatTime: formatTimeTick,
    formatCount
  };
}

type Legend = (chart: Element, items: LegendItem[]) => Element;

function bars(Plot: PlotModule, legend: Legend, data: ResultRow[], options: BarsOptions): Element {
  const rows = checkRows(data, 'Chart.bars');
  const field = options.x ?? 'median';
  if (!['median', 'min', 'mean', 'max'].includes(field)) throw new TypeError(`invalid x: ${String(field)} (use median, min, mean or max)`);
  const interval = options.interval ?? field === 'median';
  const published = options.published ?? (field === 'median' && rows.some((row) => row.published !== undefined));
  const withPublished = published ? rows.filter((row) => row.published !== undefined) : [];
  const values = [
    ...rows.map((row) => row[field]),
    ...(interval ? rows.flatMap((row) => [row.ciLow, row.ciHigh]) : []),
    ...withPublished.map((row) => row.published!)
  ];
  const axis = measureAxis(values, axisOptions(options, rows));
  const groups = options.group === undefined ? [] : unique(rows.map(options.group));
  const palette = groups.length === 0 ? [] : SERIES_COLORS.filter((color) => !published || color !== ARTICLE_COLOR);
  const colorOf = (row: ResultRow) => (options.group === undefined ? MEASURED_COLOR : palette[groups.indexOf(options.group(row)) % palette.length]!);
  const asDots = axis.type === 'log' && options.baseline === undefined;
  if (options.baseline !== undefined && !(options.baseline > 0) && axis.type === 'log') {
    throw new TypeError(`invalid baseline: ${String(options.baseline)} (a log scale needs a positive start)`);
  }
  const title = (row: ResultRow) => describeRow(row, field);
  const marks = [
    asDots
      ? Plot.dot(rows, {y: rowName, x: field, fill: colorOf, r: 4.5, title})
      : Plot.barX(rows, {y: rowName, x1: options.baseline ?? 0, x2: field, fill: colorOf, title, insetTop: 3, insetBottom: 3}),
    interval ? Plot.ruleY(rows, {y: rowName, x1: 'ciLow', x2: 'ciHigh', stroke: 'currentColor', strokeWidth: 1.5, title}) : null,
    published ? Plot.tickX(withPublished, {y: rowName, x: 'published', stroke: ARTICLE_COLOR, strokeWidth: 3, title}) : null
  ];
  const chart = Plot.plot({
    ...widthOf(options),
    height: bandHeight(rows.length),
    x: axis,
    y: {label: null, domain: unique(rows.map(rowName))},
    color: {type: 'identity'},
    marks
  });
  const swatch = asDots ? 'dot' : 'bar';
  const items: LegendItem[] =
    groups.length === 0
      ? [{label: `this run: ${FIELD_NAMES[field]}`, symbol: swatch, color: MEASURED_COLOR}]
      : groups.map((group, index) => ({label: group, symbol: swatch, color: palette[index % palette.length]!}));
  if (interval) items.push({label: '95% interval of the median', symbol: 'interval', color: 'currentColor'});
  if (published) items.push({label: "the article's figure", symbol: 'tick', color: ARTICLE_COLOR});
  if (!asDots && axis.type === 'log') items.push({label: `bars start at ${formatAxisValue(options.baseline!, rows)} (log scale)`, symbol: 'none'});
  return legend(chart, items);
}

function publishedChart(Plot: PlotModule, legend: Legend, data: ResultRow[], options: PublishedOptions): Element {
  const rows = checkRows(data, 'Chart.published');
  const withPublished = rows.filter((row) => row.published !== undefined);
  if (withPublished.length === 0) throw new TypeError("Chart.published needs rows with the article's figure: add them to the front matter's published:");
  const values = [...rows.flatMap((row) => [row.median, row.ciLow, row.ciHigh]), ...withPublished.map((row) => row.published!)];
  const axis = measureAxis(values, axisOptions(options, rows));
  const chart = Plot.plot({
    ...widthOf(options),
    height: bandHeight(rows.length),
    x: axis,
    y: {label: null, domain: unique(rows.map(rowName))},
    marks: [
      // A faint line from the article's figure to ours: how far apart they are.
      Plot.ruleY(withPublished, {y: rowName, x1: 'published', x2: 'median', stroke: 'currentColor', strokeOpacity: 0.3}),
      Plot.ruleY(rows, {y: rowName, x1: 'ciLow', x2: 'ciHigh', stroke: MEASURED_COLOR, strokeWidth: 2.5, title: (row: ResultRow) => describeRow(row, 'median')}),
      Plot.dot(rows, {y: rowName, x: 'median', fill: MEASURED_COLOR, r: 4.5, title: (row: ResultRow) => describeRow(row, 'median')}),
      Plot.dot(withPublished, {y: rowName, x: 'published', stroke: ARTICLE_COLOR, strokeWidth: 2.5, r: 5.5, title: (row: ResultRow) => `${rowName(row)}: the article's ${formatValue(row.published!, row)}`})
    ]
  });
  return legend(chart, [
    {label: 'this run: median', symbol: 'dot', color: MEASURED_COLOR},
    {label: '95% interval of the median', symbol: 'interval', color: MEASURED_COLOR},
    {label: "the article's figure", symbol: 'ring', color: ARTICLE_COLOR}
  ]);
}

/**
 * The ideal line of a scaling chart, per series, at each of its swept values: for `y: "time"`,
 * t(first) × first ÷ value when the work is fixed (t(1) ÷ w from one worker), t(first) when it grows;
 * for `y: "speedup"`, value ÷ first. `first` is the series' first measured value.
 */
export function scalingIdeal(rows: ResultRow[], y: 'time' | 'speedup' = 'time', work: 'fixed' | 'grows' = 'fixed'): IdealPoint[] {
  const first = new Map<string, ResultRow>();
  const points: IdealPoint[] = [];
  for (const row of rows) {
    if (typeof row.value !== 'number') continue;
    const base = first.get(row.label) ?? row;
    first.set(row.label, base);
    const from = base.value as number;
    const ideal = y === 'speedup' ? row.value / from : work === 'grows' ? base.median : (base.median * from) / row.value;
    points.push({label: row.label, value: row.value, y: ideal});
  }
  return points;
}

/** A point of the article's series on a scaling chart: its figure, or its speed-up, at one swept value. */
interface ArticlePoint {
  label: string;
  value: number;
  y: number;
}

/**
 * The article's series of a scaling chart: for each series of `rows` (by label), the article's
 * figures at the swept values it gives, as times, or as its speed-up over its own first value.
 */
export function articleSeries(rows: ResultRow[], article: readonly ArticleRow[], y: 'time' | 'speedup'): ArticlePoint[] {
  const param = rows[0]?.param;
  const labels = new Set(rows.map((row) => row.label));
  const figures = article.filter((row) => labels.has(row.label) && row.param === param && typeof row.value === 'number' && Number.isFinite(row.value) && row.published !== undefined && row.published > 0);
  const points: ArticlePoint[] = [];
  for (const label of labels) {
    const own = figures.filter((row) => row.label === label).sort((a, b) => (a.value as number) - (b.value as number));
    const base = own[0];
    for (const row of own) points.push({label, value: row.value as number, y: y === 'time' ? row.published! : base!.published! / row.published!});
  }
  return points;
}

function scaling(Plot: PlotModule, legend: Legend, data: ResultRow[], options: ScalingOptions, article: readonly ArticleRow[]): Element {
  const rows = checkRows(data, 'Chart.scaling').filter((row) => row.param !== undefined && typeof row.value === 'number' && Number.isFinite(row.value));
  if (rows.length === 0) throw new TypeError('Chart.scaling needs the rows of a block swept over numbers (sweep=workers): got none');
  const y = options.y ?? 'time';
  const work = options.work ?? 'fixed';
  if (y !== 'time' && y !== 'speedup') throw new TypeError(`invalid y: ${String(y)} (use time or speedup)`);
  if (work !== 'fixed' && work !== 'grows') throw new TypeError(`invalid work: ${String(work)} (use fixed or grows)`);
  if (y === 'speedup' && work === 'grows') throw new TypeError('invalid y: speedup with work: grows (a speed-up compares the same work; use y: "time")');
  const param = rows[0]!.param!;
  const series = unique(rows.map((row) => row.label));
  const colorOf = (label: string) => SERIES_COLORS[series.indexOf(label) % SERIES_COLORS.length]!;
  const theirs = options.article === false ? [] : articleSeries(rows, article, y);
  const xs = unique([...rows.map((row) => row.value as number), ...theirs.map((point) => point.value)]).sort((a, b) => a - b);
  const integers = xs.every(Number.isInteger);
  const x = {label: param, ticks: xs, tickFormat: integers ? formatCount : formatTick, inset: 14, grid: false};
  const ideal = scalingIdeal(rows, y, work);
  const first = unique(rows.map((row) => row.value as number)).sort((a, b) => a - b)[0]!;
  const articleMarks = (field: 'y') => [
    Plot.line(theirs, {x: 'value', y: field, z: 'label', stroke: (point: ArticlePoint) => colorOf(point.label), strokeDasharray: '1.5,3', strokeWidth: 1.5}),
    Plot.dot(theirs, {
      x: 'value',
      y: field,
      stroke: (point: ArticlePoint) => colorOf(point.label),
      fill: 'none',
      strokeWidth: 2,
      r: 4.5,
      title: (point: ArticlePoint) => `${point.label}, ${param} ${formatTick(point.value)}: the article's ${y === 'time' ? formatTime(point.y) : `${formatTick(point.y)}× speed-up`}`
    })
  ];
  const from = `${formatTick(first)}`;
  const marks: unknown[] = [];
  let yScale: Record<string, unknown>;
  let idealLabel: string;
  if (y === 'time') {
    const axis = measureAxis([...rows.flatMap((row) => [row.median, row.ciLow, row.ciHigh]), ...ideal.map((point) => point.y), ...theirs.map((point) => point.y)], axisOptions(options, rows));
    yScale = {...axis, ...(axis.type === 'linear' ? {zero: true} : {})};
    marks.push(
      ...articleMarks('y'),
      Plot.line(ideal, {x: 'value', y: 'y', z: 'label', stroke: (point: IdealPoint) => colorOf(point.label), strokeDasharray: '5,4', strokeWidth: 1.5, strokeOpacity: 0.85}),
      Plot.ruleX(rows, {x: 'value', y1: 'ciLow', y2: 'ciHigh', stroke: (row: ResultRow) => colorOf(row.label), strokeWidth: 1.5}),
      Plot.line(rows, {x: 'value', y: 'median', z: 'label', stroke: (row: ResultRow) => colorOf(row.label), strokeWidth: 2}),
      Plot.dot(rows, {x: 'value', y: 'median', fill: (row: ResultRow) => colorOf(row.label), r: 3.5, title: (row: ResultRow) => describeRow(row, 'median')})
    );
    idealLabel =
      work === 'grows'
        ? `perfect parallelism: the time at ${param} = ${from}`
        : first === 1
          ? `perfect scaling: t(1) ÷ ${param}`
          : `perfect scaling: t(${from}) × ${from} ÷ ${param}`;
  } else {
    const speedups = rows.map((row) => row.speedup ?? Number.NaN);
    const top = Math.max(...speedups.filter(Number.isFinite), ...ideal.map((point) => point.y), ...theirs.map((point) => point.y));
    yScale = {label: options.label ?? `speed-up over ${param} = ${from}`, domain: [0, top * 1.05], tickFormat: (value: number) => `${formatTick(value)}×`, grid: true, nice: true};
    const line = xs.map((value) => ({value, y: value / first}));
    marks.push(
      ...articleMarks('y'),
      // Clipped to the frame: over the article's workers (to 12) the ideal climbs far above any
      // measured speed-up, and unclipped it was drawn across the figure above this one.
      Plot.line(line, {x: 'value', y: 'y', stroke: 'currentColor', strokeOpacity: 0.55, strokeDasharray: '5,4', strokeWidth: 1.5, clip: true}),
      Plot.line(rows, {x: 'value', y: 'speedup', z: 'label', stroke: (row: ResultRow) => colorOf(row.label), strokeWidth: 2}),
      Plot.dot(rows, {x: 'value', y: 'speedup', fill: (row: ResultRow) => colorOf(row.label), r: 3.5, title: (row: ResultRow) => `${rowName(row)}: ${formatTick(row.speedup ?? Number.NaN)}× the speed at ${param} = ${from}`})
    );
    idealLabel = first === 1 ? `perfect scaling: speed-up = ${param}` : `perfect scaling: speed-up = ${param} ÷ ${from}`;
  }
  const chart = Plot.plot({...widthOf(options), height: 320, x, y: yScale, color: {type: 'identity'}, marks: marks as never[]});
  return legend(chart, [
    ...series.map((label): LegendItem => ({label, symbol: 'line', color: colorOf(label)})),
    ...(y === 'time' ? [{label: '95% interval of the median', symbol: 'interval' as const, color: 'currentColor'}] : []),
    {label: y === 'time' && series.length > 1 ? `${idealLabel} (dashed, in each colour)` : idealLabel, symbol: 'dash', color: y === 'time' && series.length === 1 ? colorOf(series[0]!) : 'currentColor'},
    ...(theirs.length === 0
      ? []
      : [
          {
            label: `the article's ${y === 'time' ? 'figures' : `speed-up over its ${param} = ${formatTick(Math.min(...theirs.map((point) => point.value)))}`}: rings on a dotted line${series.length > 1 ? ', in each colour' : ''}`,
            symbol: 'ring' as const,
            color: series.length === 1 ? colorOf(series[0]!) : 'currentColor'
          }
        ])
  ]);
}

function distribution(Plot: PlotModule, legend: Legend, samples: SampleRow[], options: DistributionOptions): Element {
  if (!Array.isArray(samples) || samples.length === 0) throw new TypeError('Chart.distribution needs samples: pass the plot block\'s `samples`');
  const color = options.color ?? 'outlier';
  if (color !== 'outlier' && color !== 'process') throw new TypeError(`invalid color: ${String(color)} (use outlier or process)`);
  const names = unique(samples.map(sampleName));
  const processes = unique(samples.map((sample) => sample.process)).sort((a, b) => a - b);
  const instructions = samples.every((sample) => sample.unit === 'instructions');
  const axis = measureAxis(
    samples.map((sample) => sample.value),
    {...(options.log === undefined ? {} : {log: options.log}), ...(options.label === undefined ? {} : {label: options.label}), instructions}
  );
  // Samples spread over their result's band, evenly (golden-ratio steps), so none hides another.
  const position = (sample: SampleRow) => names.indexOf(sampleName(sample)) + (((sample.index * 0.6180339887) % 1) - 0.5) * 0.6;
  const fill = (sample: SampleRow) =>
    color === 'process' ? SERIES_COLORS[processes.indexOf(sample.process) % SERIES_COLORS.length]! : sample.outlier ? SERIES_COLORS[1]! : MEASURED_COLOR;
  const medians = names.map((name, index) => ({name, index, median: median(samples.filter((sample) => sampleName(sample) === name).map((sample) => sample.value))}));
  const format = (value: number) => (instructions ? `${formatCount(Math.round(value))} instructions` : formatTime(value));
  const chart = Plot.plot({
    ...widthOf(options),
    height: 30 + 56 * names.length,
    // A spread is read against its neighbours, not against zero.
    x: {...axis, zero: false},
    y: {label: null, domain: [names.length - 0.5, -0.5], ticks: names.map((_, index) => index), tickFormat: (index: number) => names[index] ?? '', tickSize: 0},
    color: {type: 'identity'},
    marks: [
      Plot.dot(samples, {
        x: 'value',
        y: position,
        r: 2.5,
        fill,
        fillOpacity: 0.75,
        ...(color === 'process' ? {stroke: (sample: SampleRow) => (sample.outlier ? 'currentColor' : 'none')} : {}),
        title: (sample: SampleRow) => `${sampleName(sample)}: ${format(sample.value)}, sample ${sample.index + 1} (process ${sample.process + 1})${sample.outlier ? ', outlier' : ''}`
      }),
      Plot.ruleX(medians, {x: 'median', y1: (d: {index: number}) => d.index - 0.4, y2: (d: {index: number}) => d.index + 0.4, stroke: 'currentColor', strokeWidth: 2, title: (d: {name: string; median: number}) => `${d.name}: median ${format(d.median)}`})
    ]
  });
  const items: LegendItem[] =
    color === 'process'
      ? [...processes.map((process, index): LegendItem => ({label: `process ${process + 1}`, symbol: 'dot', color: SERIES_COLORS[index % SERIES_COLORS.length]!})), {label: 'outlier (outlined)', symbol: 'ring', color: 'currentColor'}]
      : [
          {label: 'sample', symbol: 'dot', color: MEASURED_COLOR},
          {label: 'outlier (outside Tukey’s fences)', symbol: 'dot', color: SERIES_COLORS[1]!}
        ];
  items.push({label: 'median', symbol: 'tick', color: 'currentColor'});
  return legend(chart, items);
}

/**
 * Scale options for an axis of times (ns) or instruction counts. Linear: the unit of the largest
 * value, stated in the label, ticks as plain numbers (`0, 500, 1,000`). Log: the domain widened to
 * powers of ten so the labelled ticks cover the data, each tick with its own unit (`10 ns`, `1 µs`).
 */
export function measureAxis(values: number[], options: MeasureAxisOptions = {}): MeasureAxis {
  const finite = values.filter((value) => Number.isFinite(value) && value > 0);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const label = options.label ?? 'time per call';
  const log = options.log === undefined || options.log === 'auto' ? finite.length > 0 && high / low > LOG_RATIO : options.log;
  if (log) {
    if (finite.length === 0) throw new TypeError('invalid log: no positive values to draw on a log scale');
    const from = Math.floor(Math.log10(low));
    const to = Math.max(Math.ceil(Math.log10(high)), from + 1);
    const decades = to - from;
    const ticks: number[] = [];
    for (let power = from; power <= to; power++) {
      for (const step of decades <= 2 ? [1, 2, 5] : [1]) {
        const tick = step * 10 ** power;
        if (tick <= 10 ** to * 1.0001) ticks.push(Number(tick.toPrecision(6)));
      }
    }
    return {
      type: 'log',
      label: options.instructions ? `${label} (instructions)` : label,
      domain: [10 ** from, 10 ** to],
      ticks,
      tickFormat: options.instructions ? formatTick : formatTimeTick,
      grid: true
    };
  }
  if (options.instructions) return {type: 'linear', label: `${label} (instructions)`, tickFormat: formatTick, zero: true, nice: true, grid: true};
  const unit = pickTimeUnit(finite.length === 0 ? 1 : high);
  return {type: 'linear', label: `${label} (${unit.name})`, tickFormat: (value: number) => formatTick(value / unit.scale), zero: true, nice: true, grid: true};
}

/** Builds `<figure class="chart-figure">` holding a legend (one swatch and label per item) and the chart. */
function withLegend(document: Document, chart: Element, items: LegendItem[]): Element {
  const figure = document.createElement('figure');
  figure.setAttribute('class', 'chart-figure');
  const list = document.createElement('ul');
  list.setAttribute('class', 'chart-legend');
  for (const item of items) {
    const entry = document.createElement('li');
    if (item.symbol !== 'none') entry.append(swatch(document, item.symbol, item.color ?? 'currentColor'));
    entry.append(document.createTextNode(item.label));
    list.append(entry);
  }
  figure.append(list, chart);
  // As Plot's own figures do: `figure.scale("x")` reads the chart's scales (tests use it).
  const scale = (chart as {scale?: unknown}).scale;
  if (typeof scale === 'function') Object.defineProperty(figure, 'scale', {value: scale.bind(chart)});
  return figure;
}

function swatch(document: Document, symbol: Exclude<LegendSymbol, 'none'>, color: string): Element {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [name, value] of [['width', '22'], ['height', '12'], ['viewBox', '0 0 22 12'], ['aria-hidden', 'true']] as const) svg.setAttribute(name, value);
  const shape = (tag: string, attributes: Record<string, string>) => {
    const element = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    svg.append(element);
  };
  switch (symbol) {
    case 'bar':
      shape('rect', {x: '1', y: '2', width: '20', height: '8', fill: color});
      break;
    case 'dot':
      shape('circle', {cx: '11', cy: '6', r: '4.5', fill: color});
      break;
    case 'ring':
      shape('circle', {cx: '11', cy: '6', r: '4.5', fill: 'none', stroke: color, 'stroke-width': '2'});
      break;
    case 'tick':
      shape('line', {x1: '11', x2: '11', y1: '0', y2: '12', stroke: color, 'stroke-width': '3'});
      break;
    case 'line':
      shape('line', {x1: '1', x2: '21', y1: '6', y2: '6', stroke: color, 'stroke-width': '2'});
      shape('circle', {cx: '11', cy: '6', r: '3', fill: color});
      break;
    case 'dash':
      shape('line', {x1: '0', x2: '22', y1: '6', y2: '6', stroke: color, 'stroke-width': '1.5', 'stroke-dasharray': '5,4'});
      break;
    case 'interval':
      shape('line', {x1: '2', x2: '20', y1: '6', y2: '6', stroke: color, 'stroke-width': '2'});
      shape('line', {x1: '2', x2: '2', y1: '2', y2: '10', stroke: color, 'stroke-width': '1.5'});
      shape('line', {x1: '20', x2: '20', y1: '2', y2: '10', stroke: color, 'stroke-width': '1.5'});
      break;
  }
  return svg;
}

const FIELD_NAMES: Record<NonNullable<BarsOptions['x']>, string> = {median: 'median', min: 'minimum', mean: 'mean', max: 'maximum'};

/** A row's name on a chart: its label, and the swept value for a swept block (`Go goroutines, workers 2`). */
export function rowName(row: ResultRow): string {
  return row.param === undefined ? row.label : `${row.label}, ${row.param} ${String(row.value)}`;
}

function sampleName(sample: SampleRow): string {
  return sample.param === undefined ? sample.label : `${sample.label}, ${sample.param} ${String(sample.paramValue)}`;
}

function describeRow(row: ResultRow, field: NonNullable<BarsOptions['x']>): string {
  const parts = [`${rowName(row)}: ${FIELD_NAMES[field]} ${formatValue(row[field], row)}`];
  if (field === 'median') parts.push(`95% interval ${formatRowInterval(row)}`);
  if (row.published !== undefined) parts.push(`the article's ${formatValue(row.published, row)}`);
  return parts.join(', ');
}

function formatValue(value: number, row: ResultRow): string {
  return row.unit === 'instructions' ? `${formatCount(Math.round(value))} instructions` : formatTime(value);
}

function formatRowInterval(row: ResultRow): string {
  if (row.unit === 'instructions') return `${formatCount(Math.round(row.ciLow))}–${formatCount(Math.round(row.ciHigh))} instructions`;
  const unit = pickTimeUnit(row.ciLow);
  return `${formatInterval(row.ciLow, row.ciHigh, unit)} ${unit.name}`;
}

function formatAxisValue(value: number, rows: ResultRow[]): string {
  return rows.every((row) => row.unit === 'instructions') ? `${formatTick(value)} instructions` : formatTimeTick(value);
}

function axisOptions(options: CommonOptions, rows: ResultRow[]): MeasureAxisOptions {
  return {
    ...(options.log === undefined ? {} : {log: options.log}),
    ...(options.label === undefined ? {} : {label: options.label}),
    instructions: rows.length > 0 && rows.every((row) => row.unit === 'instructions')
  };
}

function widthOf(options: CommonOptions): {width?: number} {
  return options.width === undefined ? {} : {width: options.width};
}

/** Height of a chart with one band per row: enough for a label and a bar, plus the axis. */
function bandHeight(count: number): number {
  return 44 + 26 * count;
}

function checkRows(data: unknown, name: string): ResultRow[] {
  if (!Array.isArray(data)) throw new TypeError(`${name} needs the rows: pass the plot block's \`data\`, got ${typeof data}`);
  return data as ResultRow[];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The helpers' own code, part of every chart's cache key: a chart drawn by an older helper is drawn
 * again, without anyone remembering to bump a revision.
 */
export const HELPERS_SOURCE: string = [chartHelpers, bars, publishedChart, scalingIdeal, articleSeries, scaling, distribution, measureAxis, withLegend, swatch, rowName, describeRow, bandHeight]
  .map(String)
  .join('\n');
