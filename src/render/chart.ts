import {createHash} from 'node:crypto';
import {chartHelpers, HELPERS_SOURCE} from './chart-helpers.js';
import {formatCount, formatTime} from './format.js';
import type {ArticleRow, RenderOptions, ResultRow, SampleRow} from './types.js';

/** Version of @observablehq/plot that renders charts (pinned in package.json); part of the cache key. */
export const PLOT_VERSION = '0.6.17';

/** Bump when the post-processing below changes, so that cached charts are rendered again. */
const CHART_REVISION = 7;

/** Default width of a chart: the page's text column (46rem). */
export const CHART_WIDTH = 736;

/** Width of the second rendering shown on phones (a 375 px screen less the page's padding). */
export const NARROW_CHART_WIDTH = 340;

/** Font size of chart text in px, set by the page's CSS over Plot's 10 px; margins are estimated with it. */
const CHART_FONT_PX = 11;

/** What `renderChart` returns: the chart's markup, or an empty string and why it failed. */
export interface ChartResult {
  /** The `<svg>` (or `<figure>`, when Plot adds a legend or caption) as HTML; empty on error. */
  svg: string;
  /**
   * The same chart rendered at {@link NARROW_CHART_WIDTH} for phones; absent when the expression fixes
   * its own width (both renderings would be the same).
   */
  narrow?: string;
  /** Why the expression failed, in one line. */
  error?: string;
  /** What Plot warned about while drawing (it would log them to a console nobody reads). */
  warnings?: string[];
}

/** Options of `renderChart`. */
export interface ChartOptions extends RenderOptions {
  /** The raw samples, bound as `samples` in the expression (default: none). */
  samples?: SampleRow[];
  /** The article's figures for the chart's blocks, at every size it gives: the helpers draw its series from them (default: none). */
  article?: ArticleRow[];
}

type PlotModule = typeof import('@observablehq/plot');

interface ChartLibrary {
  Plot: PlotModule;
  document: Document;
}

let library: Promise<ChartLibrary> | undefined;

/** Defaults of the rendering under way; `mark.plot()` reads them too. */
let defaults: {width: number} = {width: CHART_WIDTH};

/** Whether jsdom and Plot have been imported by this process (they are loaded on the first cache miss). */
export function wasChartLibraryLoaded(): boolean {
  return library !== undefined;
}

/** The cache key of a chart: sha256 of its code, its rows and samples, the Plot version and the chart helpers' code. */
export function chartKey(code: string, rows: ResultRow[], samples: SampleRow[] = [], article: ArticleRow[] = []): string {
  return createHash('sha256')
    .update(code)
    .update('\0')
    .update(JSON.stringify(rows))
    .update('\0')
    .update(JSON.stringify(samples))
    .update('\0')
    .update(article.length === 0 ? '' : JSON.stringify(article))
    .update('\0')
    .update(`${PLOT_VERSION}+${CHART_REVISION}`)
    .update('\0')
    .update(HELPERS_SOURCE)
    .digest('hex');
}

/**
 * Renders a `plot` block: `code` is a JavaScript expression evaluated with `Plot`, `data` (the rows),
 * `samples` (one row per raw sample) and `Chart` (the chart helpers, see chart-helpers.ts) in scope, once at {@link CHART_WIDTH} and once at
 * {@link NARROW_CHART_WIDTH} unless the expression sets `width`. Plot gets defaults that do not change
 * what an author wrote: the width, a left margin wide enough for the y labels when no margin is set,
 * and a `title` (hover text) on marks drawn straight from `data` or `samples` that have none. A failing
 * expression returns `{svg: '', error}` rather than throwing.
 */
export async function renderChart(code: string, rows: ResultRow[], options: ChartOptions = {}): Promise<ChartResult> {
  const samples = options.samples ?? [];
  const article = options.article ?? [];
  const key = chartKey(code, rows, samples, article);
  const cached = await options.chartCache?.get(key);
  if (cached !== undefined) return fromCache(cached);
  const {Plot, document} = await loadChartLibrary();
  let result: ChartResult;
  const warnings: string[] = [];
  const consoleWarn = console.warn;
  // Plot reports problems (a scale of mixed types, a projection that does not fit) with console.warn,
  // each message starting `Warning: `; anything else goes on to the console.
  console.warn = (...parts: unknown[]) => {
    const message = parts.map(String).join(' ');
    if (message.startsWith('Warning: ')) warnings.push(message.slice('Warning: '.length));
    else consoleWarn(...parts);
  };
  try {
    // The plot block is code the notebook's author wrote to run, like its bench blocks.
    const evaluate = new Function('Plot', 'data', 'samples', 'Chart', `return (\n${stripTrailingSemicolons(code)}\n);`);
    const render = async (width: number): Promise<string | ChartResult> => {
      defaults = {width};
      const own = new WeakSet<object>();
      const data = structuredClone(rows);
      const sampleData = structuredClone(samples);
      for (const row of [...data, ...sampleData]) own.add(row);
      const plot = wrapPlot(Plot, document, own);
      const element: unknown = await evaluate(plot, data, sampleData, chartHelpers(plot, document, {article: structuredClone(article)}));
      if (!isElement(element)) {
        return {svg: '', error: `plot expression must return an element such as Plot.plot({...}), got ${describe(element)}`};
      }
      return withWarningTitles(withoutInlineStyles(withGradientRamps(element as unknown as Element)), warnings).outerHTML;
    };
    const wide = await render(CHART_WIDTH);
    if (typeof wide !== 'string') return wide;
    const narrow = await render(NARROW_CHART_WIDTH);
    const prefix = key.slice(0, 8);
    result = {svg: normalizeIds(wide, prefix)};
    // The same markup at both widths means the expression chose its own width: show it once.
    if (typeof narrow === 'string' && normalizeIds(narrow, prefix) !== result.svg) result.narrow = normalizeIds(narrow, `${prefix}n`);
    const unique = [...new Set(warnings)];
    if (unique.length > 0) result.warnings = unique;
  } catch (error) {
    if (error instanceof SyntaxError) {
      return {svg: '', error: `${error.message}: a plot block is one JavaScript expression, such as Plot.plot({marks: [...]})`};
    }
    return {svg: '', error: error instanceof Error ? error.message : String(error)};
  } finally {
    defaults = {width: CHART_WIDTH};
    console.warn = consoleWarn;
  }
  await options.chartCache?.set(key, JSON.stringify(result));
  return result;
}

/** Colours Plot painted on canvases for continuous legends, by the placeholder `toDataURL` returned. */
const ramps = new Map<string, string[]>();
const RAMP_URL = '#benchbook-ramp-';

/**
 * jsdom has no canvas, and Plot paints the colour ramp of a continuous legend on one, pixel by pixel,
 * then links it as an image. Record the colours instead; {@link withGradientRamps} draws them as an
 * SVG gradient, so the page needs no image at all.
 */
function recordCanvasRamps(canvas: {getContext: unknown; toDataURL: unknown}): void {
  const colors = new WeakMap<object, string[]>();
  canvas.getContext = function (this: object) {
    const painted: string[] = [];
    colors.set(this, painted);
    let fillStyle = '';
    return {
      get fillStyle() {
        return fillStyle;
      },
      set fillStyle(value: string) {
        fillStyle = value;
      },
      fillRect(x: number) {
        painted[x] = fillStyle;
      }
    };
  };
  canvas.toDataURL = function (this: object) {
    const url = `${RAMP_URL}${ramps.size + 1}`;
    ramps.set(url, colors.get(this) ?? []);
    return url;
  };
}

/** Replaces each recorded ramp image by a rectangle filled with a gradient of every 16th colour and the last. */
function withGradientRamps(element: Element): Element {
  const svgNs = 'http://www.w3.org/2000/svg';
  for (const image of [...element.querySelectorAll('image')]) {
    const href = image.getAttribute('xlink:href') ?? image.getAttribute('href') ?? '';
    const colors = ramps.get(href);
    if (colors === undefined) continue;
    ramps.delete(href);
    const document = image.ownerDocument;
    const id = `plot-ramp-${href.slice(RAMP_URL.length)}`;
    const gradient = document.createElementNS(svgNs, 'linearGradient');
    gradient.setAttribute('id', id);
    for (let index = 0; index < colors.length; index += 16) {
      const at = index;
      const stop = document.createElementNS(svgNs, 'stop');
      stop.setAttribute('offset', String(at / Math.max(colors.length - 1, 1)));
      stop.setAttribute('stop-color', colors[at] ?? '');
      gradient.append(stop);
    }
    const last = document.createElementNS(svgNs, 'stop');
    last.setAttribute('offset', '1');
    last.setAttribute('stop-color', colors.at(-1) ?? '');
    gradient.append(last);
    const defs = document.createElementNS(svgNs, 'defs');
    defs.append(gradient);
    const rect = document.createElementNS(svgNs, 'rect');
    for (const name of ['x', 'y', 'width', 'height', 'opacity']) {
      const value = image.getAttribute(name);
      if (value !== null) rect.setAttribute(name, value);
    }
    rect.setAttribute('fill', `url(#${id})`);
    image.replaceWith(defs, rect);
  }
  return element;
}

/**
 * Plot's HTML around a chart (the `<figure>` of a legend and its swatches) carries a `<style>` element
 * and a `style` attribute: a `<style>` is not allowed in the body of an HTML page. The page's CSS has
 * the same rules (templates/style.css, "Plot legends"); `<style>` inside the `<svg>` is SVG's and stays.
 */
function withoutInlineStyles(element: Element): Element {
  const html = 'http://www.w3.org/1999/xhtml';
  for (const style of [...element.querySelectorAll('style')]) if (style.namespaceURI === html) style.remove();
  for (const node of [element, ...element.querySelectorAll('*')]) {
    if (node.namespaceURI === html && node.getAttribute('style') === 'max-width: initial;') node.removeAttribute('style');
  }
  return element;
}

/** Cached charts are JSON `{svg, narrow, warnings}`; a bare `<svg>` (an older cache entry) is the wide chart alone. */
function fromCache(cached: string): ChartResult {
  if (!cached.startsWith('{')) return {svg: cached};
  const {svg, narrow, warnings} = JSON.parse(cached) as ChartResult;
  return {svg, ...(narrow === undefined ? {} : {narrow}), ...(warnings === undefined ? {} : {warnings})};
}

/** Plot's ⚠ in a chart says "Please check the console"; on a static page, say what the warnings were. */
function withWarningTitles(element: Element, warnings: string[]): Element {
  if (warnings.length === 0) return element;
  for (const title of element.querySelectorAll('text > title')) {
    const text = title.textContent ?? '';
    if (text.endsWith('Please check the console.')) title.textContent = `${text.replace(/\. Please check the console\.$/, '')}: ${[...new Set(warnings)].join(' ')}`;
  }
  return element;
}

/** Imports jsdom and Plot once, on first use: importing jsdom alone takes most of a second. */
function loadChartLibrary(): Promise<ChartLibrary> {
  library ??= (async () => {
    const [{JSDOM}, Plot] = await Promise.all([import('jsdom'), import('@observablehq/plot')]);
    const {window} = new JSDOM('<!doctype html><html><body></body></html>');
    const {document} = window;
    recordCanvasRamps(window.HTMLCanvasElement.prototype);
    // `mark.plot()` calls Plot's own `plot`, which our wrapper cannot see; give it the document and defaults too.
    const markPlot = Plot.Mark.prototype.plot;
    Plot.Mark.prototype.plot = function (this: InstanceType<PlotModule['Mark']>, options = {}) {
      return markPlot.call(this, {document, ...defaults, ...options});
    };
    return {Plot, document};
  })();
  return library;
}

/** Marks that draw one element per datum, so that a `title` per datum makes sense as hover text. */
const TITLED_MARKS = ['barX', 'barY', 'dot', 'dotX', 'dotY', 'tickX', 'tickY', 'cell', 'ruleX', 'ruleY'] as const;

/** Plot with `document` and the defaults filled in, and default titles on marks over our rows. */
function wrapPlot(Plot: PlotModule, document: Document, own: WeakSet<object>): PlotModule {
  const wrapped: Record<string, unknown> = {
    ...Plot,
    plot: (options: Parameters<PlotModule['plot']>[0] = {}) =>
      plotWithMargin(Plot, {...defaults, ...options, document}, options as Record<string, unknown>),
    legend: (options: Parameters<PlotModule['legend']>[0] = {}) =>
      Plot.legend({...options, document} as Parameters<PlotModule['legend']>[0])
  };
  for (const name of TITLED_MARKS) {
    const mark = Plot[name] as (data: unknown, options?: Record<string, unknown>) => unknown;
    wrapped[name] = (data: unknown, options?: Record<string, unknown>) => mark(data, withDefaultTitle(data, options, own));
  }
  return wrapped as unknown as PlotModule;
}

/**
 * `Plot.plot`, rendered again with wider side margins when tick labels would stick out of the chart
 * (Plot 0.6 does not size margins to labels: long y labels are cut on the left, facet labels on the
 * right). Only the margins the author did not set are changed.
 */
function plotWithMargin(
  Plot: PlotModule,
  options: Parameters<PlotModule['plot']>[0],
  authored: Record<string, unknown>
): ReturnType<PlotModule['plot']> {
  const chart = Plot.plot(options);
  const setLeft = authored['marginLeft'] !== undefined || authored['margin'] !== undefined;
  const setRight = authored['marginRight'] !== undefined || authored['margin'] !== undefined;
  if (setLeft && setRight) return chart;
  const svg = plotSvg(chart);
  // The x scale's range is where Plot put the margins: [marginLeft, width - marginRight].
  const range = (chart as {scale?: (name: string) => {range?: unknown} | undefined}).scale?.('x')?.range;
  if (svg === undefined || !Array.isArray(range) || range.length !== 2) return chart;
  const width = Number(svg.getAttribute('width'));
  const [start, end] = [Math.min(...(range as number[])), Math.max(...(range as number[]))];
  const overflow = labelOverflow(svg, width);
  const widen: Record<string, number> = {};
  if (!setLeft && overflow.left > 0) widen['marginLeft'] = Math.ceil(start + overflow.left + 4);
  if (!setRight && overflow.right > 0) widen['marginRight'] = Math.ceil(width - end + overflow.right + 4);
  return Object.keys(widen).length === 0 ? chart : Plot.plot({...options, ...widen});
}

/** The chart's own `<svg>` (with a legend, Plot returns a `<figure>` holding swatches and the chart). */
function plotSvg(chart: Element): Element | undefined {
  if (chart.tagName.toLowerCase() === 'svg') return chart;
  return [...chart.querySelectorAll('svg')].find((svg) => svg.querySelector('[aria-label$="tick label"]') !== null);
}

/** How far, in px, axis tick labels reach past the chart's left and right edges (0 when they fit). */
function labelOverflow(svg: Element, width: number): {left: number; right: number} {
  let left = 0;
  let right = 0;
  for (const text of svg.querySelectorAll('[aria-label$="tick label"] text')) {
    const x = absoluteX(text, svg);
    const length = Math.max(...(text.textContent ?? '').split('\n').map(estimateTextWidth));
    const anchor = text.closest('[text-anchor]')?.getAttribute('text-anchor') ?? 'start';
    const [from, to] = anchor === 'end' ? [x - length, x] : anchor === 'middle' ? [x - length / 2, x + length / 2] : [x, x + length];
    left = Math.max(left, -from);
    right = Math.max(right, to - width);
  }
  return {left, right};
}

/** The x of an element in the svg's coordinates: the sum of its and its ancestors' translations. */
function absoluteX(element: Element, svg: Element): number {
  let x = 0;
  for (let node: Element | null = element; node !== null && node !== svg; node = node.parentElement) {
    const translate = /translate\(\s*(-?[\d.e+-]+)/.exec(node.getAttribute('transform') ?? '');
    if (translate !== null) x += Number(translate[1]);
    x += Number(node.getAttribute('x') ?? 0) || 0;
  }
  return x;
}

/** Rough width in px of `text` in a sans-serif face at {@link CHART_FONT_PX}: jsdom has no text metrics. */
function estimateTextWidth(text: string): number {
  let ems = 0;
  for (const character of text) {
    if (/[ilj.,:;'|!]/.test(character)) ems += 0.3;
    else if (/[ftrI ()[\]\-]/.test(character)) ems += 0.4;
    else if (/[mwMW@%]/.test(character)) ems += 0.9;
    else if (/[A-Z]/.test(character)) ems += 0.7;
    else ems += 0.6;
  }
  // Ten percent more: a label cut at the edge is worse than a few pixels of margin.
  return ems * CHART_FONT_PX * 1.1;
}

/**
 * Adds `title: <summary of the datum>` to a mark's options when the author gave no title, no transform
 * and the data are rows we passed in (so the datum's fields are known).
 */
function withDefaultTitle(data: unknown, options: Record<string, unknown> | undefined, own: WeakSet<object>): Record<string, unknown> | undefined {
  if (options === undefined || typeof options !== 'object' || options === null) return options;
  if ('title' in options || options['transform'] !== undefined || options['initializer'] !== undefined) return options;
  if (!Array.isArray(data) || data.length === 0) return options;
  if (!data.every((datum) => typeof datum === 'object' && datum !== null && own.has(datum))) return options;
  return {...options, title: describeDatum};
}

/** Hover text of a result row or a sample row. */
export function describeDatum(datum: ResultRow | SampleRow): string {
  const format = (value: number) => (datum.unit === 'instructions' ? `${formatCount(Math.round(value))} instructions` : formatTime(value));
  if ('median' in datum) {
    const where = datum.param === undefined ? '' : ` (${datum.param}=${String(datum.value)})`;
    return `${datum.label}${where}: median ${format(datum.median)}, 95% CI ${format(datum.ciLow)}–${format(datum.ciHigh)}, n = ${datum.n}`;
  }
  const where = datum.param === undefined ? '' : ` (${datum.param}=${String(datum.paramValue)})`;
  return `${datum.label}${where}: ${format(datum.value)}, sample ${datum.index + 1} (process ${datum.process + 1})${datum.outlier ? ', outlier' : ''}`;
}

/** Plot numbers clip paths, patterns and markers with process-wide counters; renumber them per chart. */
function normalizeIds(html: string, prefix: string): string {
  const ids = new Map<string, string>();
  return html.replace(/plot-(clip|pattern|marker|ramp)-\d+/g, (id, kind: string) => {
    let renamed = ids.get(id);
    if (renamed === undefined) {
      renamed = `plot-${kind}-${prefix}-${ids.size + 1}`;
      ids.set(id, renamed);
    }
    return renamed;
  });
}

function stripTrailingSemicolons(code: string): string {
  return code.replace(/[\s;]+$/, '');
}

function isElement(value: unknown): value is {outerHTML: string} {
  return typeof value === 'object' && value !== null && typeof (value as {outerHTML?: unknown}).outerHTML === 'string';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
