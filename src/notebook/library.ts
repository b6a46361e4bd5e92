import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {closeExecutors} from '../execute/index.js';
import {resolveRuntimes} from '../runtimes/index.js';
import type {ResolvedRuntimes} from '../runtimes/index.js';
import {formatMessage, parseNotebook, readPublishedFiles, sortMessages} from '../parse/index.js';
import type {Block, Notebook, NotebookMessage} from '../parse/types.js';
import {defaultCacheDir, packageRoot} from '../paths.js';
import {planNotebook} from '../plan/index.js';
import type {Plan} from '../plan/types.js';
import {renderBlock as renderPageBlock} from '../render/block.js';
import {renderChart} from '../render/chart.js';
import {renderNotice, renderProblems, sweepLabel} from '../render/outcome.js';
import {listOption, missingBlocks, resultRows, sampleRows} from '../render/rows.js';
import {renderTable} from '../render/table.js';
import type {BlockOutcome, ResultRow} from '../render/types.js';
import {checkClaims} from '../check/index.js';
import {decideRuns, formatEvent, readStored, runPlan} from '../run/index.js';
import {describeMachine, ResultStore} from '../store/index.js';
import {nearestPath, unreadableReason} from '../system/nearest-path.js';
import {folderChartCache} from '../write/chart-cache.js';
import type {Machine} from '../model/index.js';

/** The environment variable that moves the results folder (default: `data/` of the benchbook project). */
export const dataDirVariable = 'BENCHBOOK_DATA';

/** Options of {@link loadNotebook} (and of `openNotebook` in Jupyter). */
export interface NotebookOptions {
  /** Profile (string, default `quick`) — a profile declared in the front matter. */
  profile?: string;
  /** Results folder (string, default `$BENCHBOOK_DATA`, else `data/` of the project) — shared with `npm run report`. */
  dataDir?: string;
  /** Build cache (string, default `node_modules/.cache/benchbook`). */
  cacheDir?: string;
  /** Re-run blocks even when a stored result has the same hash (boolean, default false). */
  rerun?: boolean;
  /** Told one line per event: running, reused, done, failed (function, default: silent). */
  log?: (line: string) => void;
}

/** {@link NotebookOptions} with every default filled in. */
export type NotebookSettings = Required<NotebookOptions>;

/** A notebook parsed and planned, ready to run block by block. */
export interface LoadedNotebook {
  /** The Markdown file, as given. */
  readonly path: string;
  /** Its text. */
  readonly source: string;
  readonly notebook: Notebook;
  /** The plan under the chosen profile: every run, its parameters and hash. */
  readonly plan: Plan;
  /** Warnings found while parsing (errors stop {@link loadNotebook}). */
  readonly messages: NotebookMessage[];
  readonly settings: NotebookSettings;
}

/** Counts of {@link runAll}, as in the report's summary line. */
export interface RunSummary {
  run: number;
  reused: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

/** A block rendered for display: an HTML fragment, and the chart of a plot block. */
export interface RenderedBlock {
  /** Results table, result lines, output, notices and error boxes; empty for a chart with nothing to add. */
  html: string;
  /** A plot block's chart: an `<svg>`, or a `<figure>` when Plot adds a legend. */
  svg?: string;
}

/** A notebook with errors: its located messages, all of them. */
export class NotebookError extends Error {
  readonly messages: NotebookMessage[];
  constructor(messages: NotebookMessage[], options?: {cause?: unknown}) {
    const errors = messages.filter((message) => message.fatal);
    super(`${errors.length} error${errors.length === 1 ? '' : 's'} in the notebook:\n${messages.map(formatMessage).join('\n')}`, options);
    this.name = 'NotebookError';
    this.messages = messages;
  }
}

/** What this process ran, by notebook: outcomes of runs, with the hash each was for. */
const sessions = new WeakMap<LoadedNotebook, Map<string, {hash: string; outcome: BlockOutcome}>>();
/** Runtimes resolved once per process: each resolution starts a process. */
const runtimeCache = new Map<string, Promise<ResolvedRuntimes>>();
let machine: Machine | undefined;

/**
 * Reads, parses and plans a notebook, as `npm run report` would, without running anything.
 * Throws a {@link NotebookError} listing every problem when the notebook has errors.
 *
 * @param file the Markdown notebook
 */
export async function loadNotebook(file: string, options: NotebookOptions = {}): Promise<LoadedNotebook> {
  if (typeof file !== 'string' || file === '') throw new TypeError('loadNotebook(file): file must be the path of a Markdown notebook, e.g. notebooks/x.md');
  const settings = resolveSettings(options);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read notebook ${file}: ${unreadableReason(file, error)}`, {cause: error});
  }
  const loaded = await prepareNotebook(source, file, settings);
  if (loaded.messages.some((message) => message.fatal)) throw new NotebookError(loaded.messages);
  return loaded;
}

/**
 * Parses and plans notebook text. Unlike {@link loadNotebook} it never throws for problems in the
 * notebook: they are in `messages`, and running refuses while any is fatal.
 */
export async function prepareNotebook(source: string, file: string, settings: NotebookSettings): Promise<LoadedNotebook> {
  const parsed = parseNotebook(source, file);
  if (!parsed.notebook) throw new NotebookError(parsed.messages);
  // Published figures may come from results files beside the notebook (`from:`).
  const read = await readPublishedFiles(parsed.notebook, {readFile: (name) => readFile(name), nearest: nearestPath});
  const notebook = read.notebook;
  const messages = read.messages.length === 0 ? parsed.messages : sortMessages([...parsed.messages, ...read.messages]);
  const needed = [...new Set(notebook.blocks.flatMap((block) => (block.runtime ? [block.runtime] : [])))].sort();
  const {found, missing} = await resolveCached(needed);
  const plan = planNotebook(notebook, {profile: settings.profile, runtimes: found, missing});
  return {path: file, source, notebook, plan, messages, settings};
}

/**
 * Runs one `bench` or `run` block (every sweep value) through the same executors as `npm run report`,
 * reusing a stored result whose hash matches and storing each new result in the results folder.
 * A failing block is data: its outcomes say so. Other kinds of block run nothing (`[]`).
 *
 * @param id the block's id
 */
export async function runBlock(nb: LoadedNotebook, id: string): Promise<BlockOutcome[]> {
  findBlock(nb, id);
  assertRunnable(nb);
  return runBlockAsIs(nb, id);
}

/**
 * {@link runBlock} without the check that the whole notebook is free of errors: Jupyter's cells run
 * one block while others, not run yet, are still missing (references to them are errors until then).
 */
export async function runBlockAsIs(nb: LoadedNotebook, id: string): Promise<BlockOutcome[]> {
  const block = findBlock(nb, id);
  if (block.kind !== 'bench' && block.kind !== 'run') return [];
  const plan = planNotebook(nb.notebook, {profile: nb.settings.profile, runtimes: nb.plan.runtimes, missing: nb.plan.missing, filter: [id]});
  const outcomes = await execute(nb, plan);
  return outcomes[id] ?? [];
}

/** Runs every `bench` and `run` block of the notebook in order, as {@link runBlock} does one. */
export async function runAll(nb: LoadedNotebook): Promise<RunSummary> {
  assertRunnable(nb);
  const started = performance.now();
  const summary = {run: 0, reused: 0, failed: 0, skipped: 0};
  await execute(nb, nb.plan, summary);
  return {...summary, durationMs: performance.now() - started};
}

/**
 * One row per measured result of the notebook's current code: what `plot` blocks get as `data` and
 * `table` blocks show. A result stored for other code or parameters (another hash) is left out.
 *
 * @param ids only these blocks (default: every block)
 */
export async function results(nb: LoadedNotebook, ids?: string[]): Promise<ResultRow[]> {
  return resultRows(await currentOutcomes(nb), nb.notebook, ids);
}

/**
 * Renders a block's results: `{html}` for bench, run, table and claim blocks (a results table, output,
 * error boxes; the page's own rendering for table, claim and lib blocks), `{svg, html}` for a plot
 * block (the chart, and notices such as missing results).
 * Nothing is run: results come from this session and the results folder.
 */
export async function renderBlock(nb: LoadedNotebook, id: string): Promise<RenderedBlock> {
  const block = findBlock(nb, id);
  const outcomes = await currentOutcomes(nb);
  const chartCache = folderChartCache(path.join(nb.settings.cacheDir, 'charts'));
  switch (block.kind) {
    case 'bench':
      return {html: renderBench(block, nb.notebook, outcomes)};
    case 'run':
      return {html: renderRun(outcomes[block.id] ?? [])};
    case 'plot':
      return renderPlot(block, nb.notebook, outcomes, chartCache);
    case 'claim':
      return {html: await renderPageBlock(block, {notebook: nb.notebook, outcomes, claims: checkClaims(nb.notebook, outcomes)})};
    default:
      return {html: await renderPageBlock(block, {notebook: nb.notebook, outcomes, chartCache})};
  }
}

/**
 * Shows a block's results in Jupyter: inside the tslab kernel it calls tslab's `display.svg` for a
 * chart and `display.html` for the rest; anywhere, it returns the HTML.
 */
export async function display(nb: LoadedNotebook, id: string): Promise<string> {
  const rendered = await renderBlock(nb, id);
  const tslab = await tslabDisplay();
  if (tslab) showRendered(rendered, tslab);
  return (rendered.svg ?? '') + rendered.html;
}

/**
 * Shows a rendered block on tslab displays: the chart as `image/svg+xml` (a legend's `<figure>` as
 * HTML) on `display`, the HTML on `htmlDisplay` (default: `display`), left out when empty.
 */
export function showRendered(rendered: RenderedBlock, display: TslabDisplay, htmlDisplay?: TslabDisplay): void {
  if (rendered.svg !== undefined) {
    if (rendered.svg.startsWith('<svg')) display.svg(withSvgNamespace(rendered.svg));
    else display.html(rendered.svg);
  }
  if (htmlDisplay) htmlDisplay.html(rendered.html);
  else if (rendered.html !== '') display.html(rendered.html);
}

/** The results folder used when none is given: `$BENCHBOOK_DATA`, else `data/` of the project. */
export function defaultDataDir(): string {
  return process.env[dataDirVariable] || path.join(packageRoot, 'data');
}

/** Fills in defaults and checks each option, naming the one that is wrong and how to fix it. */
export function resolveSettings(options: NotebookOptions): NotebookSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object such as {profile: "quick"}');
  const text = (name: keyof NotebookOptions, fallback: string): string => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '') throw new TypeError(`options.${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  };
  if (options.rerun !== undefined && typeof options.rerun !== 'boolean') throw new TypeError(`options.rerun must be true or false, got ${JSON.stringify(options.rerun)}`);
  if (options.log !== undefined && typeof options.log !== 'function') throw new TypeError('options.log must be a function taking one line, e.g. console.log');
  return {
    profile: text('profile', 'quick'),
    dataDir: text('dataDir', defaultDataDir()),
    cacheDir: text('cacheDir', defaultCacheDir),
    rerun: options.rerun ?? false,
    log: options.log ?? (() => {})
  };
}

/** The block with this id, or a TypeError listing the ids there are. */
export function findBlock(nb: LoadedNotebook, id: string): Block {
  const block = nb.notebook.blocks.find((candidate) => candidate.id === id);
  if (!block) {
    const ids = nb.notebook.blocks.filter((candidate) => candidate.kind !== 'code').map((candidate) => candidate.id);
    throw new TypeError(`no block \`${id}\` in ${nb.path}: expected one of ${ids.join(', ') || '(none)'}`);
  }
  return block;
}

/**
 * Outcomes of every planned run for the notebook as it is now: this session's when their hash is
 * current, else the stored result of this machine with the same hash, else nothing ("not run").
 */
export async function currentOutcomes(nb: LoadedNotebook): Promise<Record<string, BlockOutcome[]>> {
  const store = new ResultStore(nb.settings.dataDir);
  const session = sessions.get(nb);
  const fingerprint = thisMachine().fingerprint;
  const outcomes: Record<string, BlockOutcome[]> = {};
  for (const run of nb.plan.runs) {
    const mine = session?.get(run.key);
    let outcome: BlockOutcome = {key: run.key};
    if (mine && mine.hash === run.hash) {
      outcome = mine.outcome;
    } else {
      const stored = await store.read(nb.notebook.name, fingerprint, run.key);
      if (stored && stored.hash === run.hash) outcome = {key: run.key, stored};
      else if (!nb.plan.runtimes[run.runtime] && nb.plan.missing[run.runtime]) outcome = {key: run.key, skipped: nb.plan.missing[run.runtime]!};
    }
    (outcomes[run.blockId] ??= []).push(outcome);
  }
  return outcomes;
}

/** Runs a plan through the run stage, as the report does, remembering each outcome for rendering. */
async function execute(nb: LoadedNotebook, plan: Plan, summary = {run: 0, reused: 0, failed: 0, skipped: 0}): Promise<Record<string, BlockOutcome[]>> {
  const store = new ResultStore(nb.settings.dataDir);
  const machine = thisMachine();
  const options = {rerun: nb.settings.rerun};
  let outcomes: Record<string, BlockOutcome[]>;
  try {
    const decisions = decideRuns(plan, await readStored(plan, store, machine), machine, options);
    const log = (event: Parameters<typeof formatEvent>[0]) => {
      const line = formatEvent(event);
      if (line !== undefined) nb.settings.log(line);
    };
    const ran = await runPlan(plan, decisions, {...options, store, machine, cacheDir: nb.settings.cacheDir}, {onEvent: log});
    for (const key of ['run', 'reused', 'failed', 'skipped'] as const) summary[key] += ran.counts[key];
    outcomes = ran.outcomes;
  } finally {
    // The JS worker pool would keep a script's process alive; the next run starts a new one.
    await closeExecutors();
  }
  let session = sessions.get(nb);
  if (!session) sessions.set(nb, (session = new Map()));
  for (const run of plan.runs) {
    const outcome = outcomes[run.blockId]?.find((candidate) => candidate.key === run.key);
    if (outcome) session.set(run.key, {hash: run.hash, outcome});
  }
  return outcomes;
}

/** Hands this session's outcomes from one loaded notebook to its next version (Jupyter re-parses on every cell). */
export function carrySession(from: LoadedNotebook, to: LoadedNotebook): void {
  const session = sessions.get(from);
  if (session) sessions.set(to, session);
}

function assertRunnable(nb: LoadedNotebook): void {
  if (nb.messages.some((message) => message.fatal)) throw new NotebookError(nb.messages);
}

function renderBench(block: Block, notebook: Notebook, outcomes: Record<string, BlockOutcome[]>): string {
  const rows = resultRows(outcomes, notebook, [block.id]);
  const {html} = renderProblems(outcomes[block.id] ?? []);
  // A results table of this block alone: the table block's columns and units, without its options.
  const table = rows.length > 0 ? renderTable({...block, kind: 'table', options: {}}, rows) : '';
  return [table, ...html].filter((part) => part !== '').join('\n');
}

/** A run block's output (the cell shows its code): standard output, then stderr, failures and notices. */
function renderRun(outcomes: BlockOutcome[]): string {
  const {html, shown} = renderProblems(outcomes);
  const outputs = shown.map((stored) => {
    const where = sweepLabel(stored);
    const label = where === undefined ? '' : `<p>${escapeText(where)}</p>`;
    const stderr = stored.result.stderr === '' ? '' : `<pre class="output stderr">${escapeText(stored.result.stderr)}</pre>`;
    return `${label}<pre class="output">${escapeText(stored.result.stdout)}</pre>${stderr}`;
  });
  return [...outputs, ...html].join('\n');
}

async function renderPlot(
  block: Block,
  notebook: Notebook,
  outcomes: Record<string, BlockOutcome[]>,
  chartCache: ReturnType<typeof folderChartCache>
): Promise<RenderedBlock> {
  const ids = listOption(block, 'blocks');
  const rows = resultRows(outcomes, notebook, ids);
  const html: string[] = [];
  let svg: string | undefined;
  if (rows.length > 0) {
    const chart = await renderChart(block.code, rows, {chartCache, samples: sampleRows(outcomes, notebook, ids)});
    if (chart.error !== undefined) html.push(`<div class="error" role="alert"><p><strong>Plot failed</strong>: ${escapeText(chart.error)}</p></div>`);
    else svg = chart.svg;
  }
  const missing = missingBlocks(block, notebook, rows);
  if (missing.length > 0) html.push(renderNotice(`No results for ${missing.join(', ')}: run their cells (or runBlock) first.`));
  return {html: html.join('\n'), ...(svg === undefined ? {} : {svg})};
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plot's SVG as a standalone image: Jupyter shows `image/svg+xml` in an `<img>`, which needs the namespace. */
function withSvgNamespace(svg: string): string {
  return /^<svg[^>]*\sxmlns=/.test(svg) ? svg : svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

function resolveCached(names: string[]): Promise<ResolvedRuntimes> {
  const key = names.join(',');
  let resolved = runtimeCache.get(key);
  if (!resolved) runtimeCache.set(key, (resolved = resolveRuntimes(names)));
  return resolved;
}

function thisMachine(): Machine {
  return (machine ??= describeMachine());
}

/** The part of tslab's `display` that benchbook uses. */
export interface TslabDisplay {
  html(text: string): void;
  svg(text: string): void;
}

/**
 * tslab's `display` when running inside the kernel (which sets `__tslab__` on the global object), else
 * `undefined`. It comes from the kernel's own
 * copy of tslab (the kernel's `require` hooks `'tslab'` to return it), so output goes to the cell being
 * run even when the kernel is another install than the one beside benchbook.
 */
export async function tslabDisplay(): Promise<TslabDisplay | undefined> {
  return (await tslabKernel())?.display;
}

/** The part of the kernel's tslab module benchbook uses: `display`, and `newDisplay` for outputs updated later. */
export interface TslabKernel {
  display: TslabDisplay;
  /** A display with an id of its own: each call after the first replaces its output, wherever that cell is. */
  newDisplay?(): TslabDisplay;
}

/** The kernel's tslab module when running inside tslab (see {@link tslabDisplay}), else `undefined`. */
export async function tslabKernel(): Promise<TslabKernel | undefined> {
  const kernel = (globalThis as {__tslab__?: {require?: (id: string) => unknown}}).__tslab__;
  if (!kernel) return undefined;
  try {
    const tslab = (kernel.require ? kernel.require('tslab') : await import('tslab')) as Partial<TslabKernel>;
    if (!tslab.display) return undefined;
    return {display: tslab.display, ...(typeof tslab.newDisplay === 'function' ? {newDisplay: tslab.newDisplay.bind(tslab)} : {})};
  } catch {
    return undefined;
  }
}
