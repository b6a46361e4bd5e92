import {createHash} from 'node:crypto';
import type {RenderOptions, ResultRow} from './types.js';

/** Version of @observablehq/plot that renders charts (pinned in package.json); part of the cache key. */
export const PLOT_VERSION = '0.6.17';

/** Bump when the post-processing below changes, so that cached charts are rendered again. */
const CHART_REVISION = 1;

/** What `renderChart` returns: the chart's markup, or an empty string and why it failed. */
export interface ChartResult {
  /** The `<svg>` (or `<figure>`, when Plot adds a legend or caption) as HTML; empty on error. */
  svg: string;
  /** Why the expression failed, in one line. */
  error?: string;
}

type PlotModule = typeof import('@observablehq/plot');

interface ChartLibrary {
  Plot: PlotModule;
  document: Document;
}

let library: Promise<ChartLibrary> | undefined;

/** Whether jsdom and Plot have been imported by this process (they are loaded on the first cache miss). */
export function wasChartLibraryLoaded(): boolean {
  return library !== undefined;
}

/** The cache key of a chart: sha256 of its code, its rows and the Plot version. */
export function chartKey(code: string, rows: ResultRow[]): string {
  return createHash('sha256')
    .update(code)
    .update('\0')
    .update(JSON.stringify(rows))
    .update('\0')
    .update(`${PLOT_VERSION}+${CHART_REVISION}`)
    .digest('hex');
}

/**
 * Renders a `plot` block: `code` is a JavaScript expression evaluated with `Plot` and `data` (the rows)
 * in scope. A failing expression returns `{svg: '', error}` rather than throwing.
 */
export async function renderChart(code: string, rows: ResultRow[], options: RenderOptions = {}): Promise<ChartResult> {
  const key = chartKey(code, rows);
  const cached = await options.chartCache?.get(key);
  if (cached !== undefined) return {svg: cached};
  const {Plot, document} = await loadChartLibrary();
  let svg: string;
  try {
    // The plot block is code the notebook's author wrote to run, like its bench blocks.
    const evaluate = new Function('Plot', 'data', `return (\n${stripTrailingSemicolons(code)}\n);`);
    const element: unknown = await evaluate(wrapPlot(Plot, document), structuredClone(rows));
    if (!isElement(element)) {
      return {svg: '', error: `plot expression must return an element such as Plot.plot({...}), got ${describe(element)}`};
    }
    svg = normalizeIds(element.outerHTML, key.slice(0, 8));
  } catch (error) {
    if (error instanceof SyntaxError) {
      return {svg: '', error: `${error.message}: a plot block is one JavaScript expression, such as Plot.plot({marks: [...]})`};
    }
    return {svg: '', error: error instanceof Error ? error.message : String(error)};
  }
  await options.chartCache?.set(key, svg);
  return {svg};
}

/** Imports jsdom and Plot once, on first use: importing jsdom alone takes most of a second. */
function loadChartLibrary(): Promise<ChartLibrary> {
  library ??= (async () => {
    const [{JSDOM}, Plot] = await Promise.all([import('jsdom'), import('@observablehq/plot')]);
    const {document} = new JSDOM('<!doctype html><html><body></body></html>').window;
    // `mark.plot()` calls Plot's own `plot`, which our wrapper cannot see; give it the document too.
    const markPlot = Plot.Mark.prototype.plot;
    Plot.Mark.prototype.plot = function (this: InstanceType<PlotModule['Mark']>, options = {}) {
      return markPlot.call(this, {document, ...options});
    };
    return {Plot, document};
  })();
  return library;
}

/** Plot with `document` filled in for the functions that create elements. */
function wrapPlot(Plot: PlotModule, document: Document): PlotModule {
  return {
    ...Plot,
    plot: (options: Parameters<PlotModule['plot']>[0] = {}) => Plot.plot({...options, document}),
    legend: (options: Parameters<PlotModule['legend']>[0] = {}) =>
      Plot.legend({...options, document} as Parameters<PlotModule['legend']>[0])
  } as PlotModule;
}

/** Plot numbers clip paths, patterns and markers with process-wide counters; renumber them per chart. */
function normalizeIds(html: string, prefix: string): string {
  const ids = new Map<string, string>();
  return html.replace(/plot-(clip|pattern|marker)-\d+/g, (id, kind: string) => {
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
