import type {RuntimeInfo} from '../model/index.js';
import type {Block, Notebook, ParamValue} from '../parse/types.js';
import {placeholderPattern} from '../parse/index.js';
import {formatParam, PARAMETERS_ID} from './parameters.js';
import type {ClaimResult} from '../measure/claims.js';
import {renderChart, type ChartResult} from './chart.js';
import {renderClaim} from './claim.js';
import {escapeHtml} from './escape.js';
import {capitalized, formatCount, formatDay, formatTime} from './format.js';
import {highlightCode} from './highlight.js';
import {renderNotice, renderProblems, renderResultLine, renderSweepTable, sweepLabel, type OutcomeContext} from './outcome.js';
import {renderOutput} from './output.js';
import {renderProvenance, type LibraryInfo} from './provenance.js';
import {articleRows, labelOf, listOption, measuredResults, missingBlocks, resultLabel, resultRows, sampleRows} from './rows.js';
import {renderTable, tableCaptionId} from './table.js';
import type {BlockOutcome, MachineView, RenderOptions, ResultRow} from './types.js';
import {isMultiMachine, renderMachineFacets, renderMachineTable, withMachineVerdicts} from './machines.js';

/** What a block is rendered against: the notebook, every block's outcomes, the chart cache. */
export interface BlockContext extends RenderOptions {
  notebook: Notebook;
  outcomes: Record<string, BlockOutcome[]>;
  /** The command that builds the page (`npm run report -- notebooks/x.md`): charts and tables show how to re-run their blocks. */
  reportCommand?: string;
  /** Each claim block's verdict, by block id. */
  claims?: Record<string, ClaimResult>;
  /** This machine's runtimes (the plan's), to name the compiler of each library a block loads. */
  runtimes?: Record<string, RuntimeInfo>;
  /** Collects advice for the page's "How to reproduce" box (what to install, which option to raise). */
  notes?: Set<string>;
  /** Every machine with results, when more than one has: tables, charts and claims show each. */
  machines?: MachineView[];
  /** The sizes this run used (the plan's parameters): each block names the values of the placeholders in its code. */
  params?: Record<string, ParamValue>;
}

/** Renders one block by kind as an HTML fragment whose outer element has `id="<block id>"`. */
export async function renderBlock(block: Block, context: BlockContext): Promise<string> {
  const id = escapeHtml(block.id);
  switch (block.kind) {
    case 'code':
      return `<div class="block block-code" id="${id}">${renderCode(block)}</div>`;
    case 'bench':
      return wrap(block, [renderHead(block), renderBlockParams(block, context.params), ...renderBench(block, context.outcomes[block.id] ?? [], outcomeContext(block, context)), renderCollapsedCode(block)]);
    case 'run':
      return wrap(block, [renderHead(block), renderBlockParams(block, context.params), renderCollapsedCode(block), ...renderRun(context.outcomes[block.id] ?? [], outcomeContext(block, context))]);
    case 'plot':
      if (isMultiMachine(context.machines)) return renderMachineFacets(block, context.machines, (outcomes) => renderPlot(block, {...context, outcomes}));
      return renderPlot(block, context);
    case 'table':
      return isMultiMachine(context.machines) ? wrap(block, renderMachineTable(block, context.machines, context.notebook)) : renderTableBlock(block, context);
    case 'lib':
      // A library's code is what other blocks call: shown open, under its name.
      return wrap(block, [renderHead(block), renderCode(block)]);
    case 'claim':
      return withMachineVerdicts(renderClaim(block, context.claims?.[block.id], {label: (key) => resultLabel(context.notebook, key)}), block, context.machines);
  }
}

function wrap(block: Block, parts: string[]): string {
  return [`<div class="block block-${escapeHtml(block.kind)}" id="${escapeHtml(block.id)}">`, ...parts.filter((part) => part !== ''), '</div>'].join('\n');
}

/** Code highlighted at build time (the page has no script), every character escaped. */
function renderCode(block: Block): string {
  const language = block.lang === '' ? '' : ` class="language-${escapeHtml(block.lang)}"`;
  return `<pre><code${language}>${highlightCode(block.code, block.lang)}</code></pre>`;
}

/** The block's label as a link to itself, then its language and id. */
function renderHead(block: Block): string {
  const kind = block.kind === 'bench' ? '' : ` ${block.kind}`;
  // The id is worth showing when the label hides it: it is what `blocks=` and `--filter` take.
  const meta = `${block.lang}${kind}${labelOf(block) === block.id ? '' : ` · ${block.id}`}`;
  return `<p class="bench-head"><a class="self" href="#${escapeHtml(block.id)}">${escapeHtml(labelOf(block))}</a> <span class="bench-meta">${escapeHtml(meta)}</span></p>`;
}

/**
 * The values this run gave the placeholders of the block's code (`pi_iter = 400,000`), the swept
 * one as its list, linked to the parameters panel: the code shows `{{pi_iter}}`, the reader sees
 * what it was. Empty for a block without placeholders or a page built without the plan's sizes.
 */
export function renderBlockParams(block: Block, params: Record<string, ParamValue> | undefined): string {
  if (params === undefined) return '';
  const names = [...new Set([...block.code.matchAll(placeholderPattern)].map((match) => match[1]!))].filter((name) => Object.hasOwn(params, name));
  const sweep = typeof block.options['sweep'] === 'string' ? block.options['sweep'] : undefined;
  if (sweep !== undefined && !names.includes(sweep) && Object.hasOwn(params, sweep)) names.push(sweep);
  if (names.length === 0) return '';
  const items = names.map((name) => `<code>${escapeHtml(name)}</code> = ${escapeHtml(formatParam(params[name]))}${name === sweep ? ' (one run each)' : ''}`);
  return `<p class="block-params"><a href="#${PARAMETERS_ID}">Sizes</a>: ${items.join(', ')}</p>`;
}

/** Code that is not the point of the page (it is the results) starts collapsed; print expands it. */
function renderCollapsedCode(block: Block): string {
  const lines = block.code.split('\n').length;
  const summary = `${block.lang === '' ? 'Code' : `${block.lang} code`}, ${formatCount(lines)} ${lines === 1 ? 'line' : 'lines'}`;
  return `<details class="code"><summary>${escapeHtml(summary)}</summary>${renderCode(block)}</details>`;
}

function outcomeContext(block: Block, context: BlockContext): OutcomeContext {
  return {notebook: context.notebook.name, block, ...(context.notes === undefined ? {} : {notes: context.notes})};
}

function renderBench(block: Block, outcomes: BlockOutcome[], context: OutcomeContext): string[] {
  const {html, shown} = renderProblems(outcomes, context);
  const results = shown.some((stored) => stored.sweep !== undefined)
    ? [renderSweepTable(shown, labelOf(block) === block.id ? block.id : `${labelOf(block)} (${block.id})`, context)]
    : shown.map((stored) => renderResultLine(stored, context));
  return [...results.filter((part) => part !== ''), ...html];
}

/** A run block's output, capped on the page (the whole of it beside the page), stderr apart. */
function renderRun(outcomes: BlockOutcome[], context: OutcomeContext): string[] {
  const {html, shown} = renderProblems(outcomes, context);
  const outputs = shown.flatMap((stored) => {
    const where = sweepLabel(stored);
    const label = where === undefined ? '' : `<p class="result">${escapeHtml(where)}</p>`;
    const file = {notebook: context.notebook ?? 'output', key: stored.key};
    const stdout = renderOutput(stored.result.stdout, {...file, className: 'output', stream: 'stdout'});
    // A run that succeeded may still warn on stderr; show it apart from the output.
    const stderr = stored.result.stderr === '' ? '' : renderOutput(stored.result.stderr, {...file, className: 'output stderr', stream: 'stderr'});
    return [label + stdout + stderr];
  });
  return [...outputs, ...html];
}

/** The set of the article's figures a plot or table shows (`published=`), as row options. */
function rowOptions(block: Block): {published?: string} {
  return typeof block.options['published'] === 'string' ? {published: block.options['published']} : {};
}

async function renderPlot(block: Block, context: BlockContext): Promise<string> {
  const blockIds = listOption(block, 'blocks');
  const rows = resultRows(context.outcomes, context.notebook, blockIds, rowOptions(block));
  const article = articleRows(context.notebook, blockIds, rows, rowOptions(block));
  const parts = [`<figure class="block block-plot" id="${escapeHtml(block.id)}">`];
  const missing = missingBlocks(block, context.notebook, rows);
  let drawn = false;
  if (rows.length > 0) {
    const samples = sampleRows(context.outcomes, context.notebook, blockIds);
    const chart = await renderChart(block.code, rows, {...context, samples, article});
    if (chart.error !== undefined) {
      parts.push(`<div class="error" role="alert"><p><strong>Plot failed</strong>: ${escapeHtml(chart.error)}</p></div>`);
    } else {
      const alt = block.options['alt'] === undefined ? describeChart(chart, rows) : String(block.options['alt']);
      parts.push(`<div class="chart" role="img" aria-label="${escapeHtml(alt)}">`, ...chartVariants(chart), '</div>');
      for (const warning of chart.warnings ?? []) parts.push(renderNotice(`Plot warned: ${warning}`, 'notice warning'));
      drawn = true;
    }
  }
  const unrelated = blockIds === undefined ? unrelatedBlocks(context.notebook, rows) : undefined;
  if (drawn && unrelated !== undefined) parts.push(renderNotice(unrelated, 'notice warning'));
  parts.push(...failedDependencies(block, context), ...staleDependencies(block, context));
  if (missing.length > 0) parts.push(renderNotice(missingText(missing, context)));
  const caption = block.options['caption'];
  const provenance = drawn ? renderProvenance(provenanceOf(block, 'chart', context)) : '';
  if (caption !== undefined || provenance !== '') {
    parts.push('<figcaption>');
    if (caption !== undefined) parts.push(`<p class="caption">${escapeHtml(String(caption))}</p>`);
    if (provenance !== '') parts.push(provenance);
    parts.push('</figcaption>');
  }
  parts.push('</figure>');
  return parts.join('\n');
}

/** The wide chart, and the narrow one for phones when there is one (CSS shows one of them). */
function chartVariants(chart: ChartResult): string[] {
  if (chart.narrow === undefined) return [chart.svg];
  return [`<div class="chart-wide">${chart.svg}</div>`, `<div class="chart-narrow">${chart.narrow}</div>`];
}

/** Marks Plot labels its groups with, by what they make a chart look like, most telling first. */
const CHART_KINDS: ReadonlyArray<[mark: string, name: string]> = [
  ['bar', 'bar chart'],
  ['line', 'line chart'],
  ['area', 'area chart'],
  ['dot', 'dot plot'],
  ['cell', 'heat map'],
  ['rect', 'histogram'],
  ['tick', 'tick plot'],
  ['rule', 'chart']
];

/** Most results listed in a generated text alternative; the table has the rest. */
const ALT_ROWS = 12;

/**
 * A generated text alternative for a chart without `alt`: its kind (from the marks Plot drew) and the
 * median of each result, e.g. `Bar chart of 2 results: Python median 738 ns; Go median 30.4 ns.`
 */
export function describeChart(chart: Pick<ChartResult, 'svg'>, rows: ResultRow[]): string {
  const marks = new Set([...chart.svg.matchAll(/<g aria-label="([a-z-]+)"/g)].map((match) => match[1]!));
  const kind = CHART_KINDS.find(([mark]) => marks.has(mark))?.[1] ?? 'chart';
  const items = rows.slice(0, ALT_ROWS).map((row) => {
    const where = row.param === undefined ? '' : ` ${row.param}=${String(row.value)}`;
    const median = row.unit === 'instructions' ? `${formatCount(Math.round(row.median))} instructions` : formatTime(row.median);
    return `${row.label}${where} median ${median}`;
  });
  const more = rows.length > ALT_ROWS ? `; and ${rows.length - ALT_ROWS} more` : '';
  const count = `${rows.length} ${rows.length === 1 ? 'result' : 'results'}`;
  return `${capitalized(kind)} of ${count}: ${items.join('; ')}${more}.`;
}

/**
 * A table block as a figure: the table in its own scrolling box, notices, then the caption and the
 * provenance under the box, where a phone never cuts them off.
 */
function renderTableBlock(block: Block, context: BlockContext): string {
  const blockIds = listOption(block, 'blocks');
  const rows = resultRows(context.outcomes, context.notebook, blockIds, rowOptions(block));
  const article = articleRows(context.notebook, blockIds, rows, rowOptions(block));
  const missing = missingBlocks(block, context.notebook, rows);
  const caption = block.options['caption'];
  const provenance = rows.length > 0 ? renderProvenance(provenanceOf(block, 'table', context)) : '';
  const figcaption =
    caption === undefined && provenance === ''
      ? ''
      : [
          '<figcaption>',
          caption === undefined ? '' : `<p class="caption" id="${escapeHtml(tableCaptionId(block))}">${escapeHtml(String(caption))}</p>`,
          provenance,
          '</figcaption>'
        ]
          .filter((part) => part !== '')
          .join('\n');
  return [
    `<figure class="block block-table" id="${escapeHtml(block.id)}">`,
    rows.length > 0 ? renderTable(block, rows, article) : '',
    ...failedDependencies(block, context),
    ...staleDependencies(block, context),
    missing.length > 0 ? renderNotice(missingText(missing, context)) : '',
    figcaption,
    '</figure>'
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function reportOf(context: BlockContext): {reportCommand?: string} {
  return context.reportCommand === undefined ? {} : {reportCommand: context.reportCommand};
}

/** What a chart's or table's provenance says: its results, the libraries they load, how to re-run them. */
function provenanceOf(block: Block, kind: 'chart' | 'table', context: BlockContext): Parameters<typeof renderProvenance>[0] {
  const results = measuredResults(context.outcomes, context.notebook, listOption(block, 'blocks'));
  const libraries = librariesOf(results.map((result) => result.block), context);
  return {id: block.id, kind, results, ...(libraries.length > 0 ? {libraries} : {}), ...reportOf(context)};
}

/** The `lib` blocks the given blocks load (`uses=`), once each, with this machine's compiler for them. */
function librariesOf(blocks: Block[], context: BlockContext): LibraryInfo[] {
  const ids = [...new Set(blocks.flatMap((block) => listOption(block, 'uses') ?? []))];
  return ids.flatMap((id) => {
    const library = context.notebook.blocks.find((candidate) => candidate.id === id && candidate.kind === 'lib');
    if (library === undefined || library.runtime === undefined) return [];
    const compiler = context.runtimes?.[library.runtime];
    const flags = compiler?.flags ?? [];
    return [{id, runtime: library.runtime, ...(compiler === undefined ? {} : {version: compiler.version}), ...(flags.length > 0 ? {flags} : {})}];
  });
}

/**
 * Why a chart without `blocks=` may mislead: it draws every bench block of the page, and when those
 * come from different sections or mix swept and unswept blocks, they are seldom one comparison.
 * Returns the warning, or `undefined` when the blocks belong together.
 */
export function unrelatedBlocks(notebook: Notebook, rows: ResultRow[]): string | undefined {
  const ids = [...new Set(rows.map((row) => row.block))];
  if (ids.length < 2) return undefined;
  const blocks = ids.flatMap((id) => notebook.blocks.find((block) => block.id === id) ?? []);
  const sections = new Set(blocks.map((block) => sectionOf(notebook, block)));
  const sweeps = new Set(blocks.map((block) => String(block.options['sweep'] ?? '')));
  if (sections.size < 2 && sweeps.size < 2) return undefined;
  const why = sections.size >= 2 ? `${sections.size} sections of the page` : 'swept and unswept blocks';
  return `This chart draws all ${ids.length} measured blocks, from ${why}; name the ones it compares with blocks=, e.g. blocks=${ids.slice(0, 3).join(',')}.`;
}

/** The `##` heading a block is under (its text), or '' before the first. */
function sectionOf(notebook: Notebook, block: Block): string {
  let section = '';
  for (const node of notebook.tree.children) {
    if (node.position === undefined || node.position.start.line > block.start.line) break;
    if (node.type === 'heading' && node.depth <= 2) section = `${node.position.start.line}`;
  }
  return section;
}

/**
 * One notice per block this one draws from whose latest result failed (a stale good result shown in
 * its place does not count): a chart or table never silently leaves a failed block out.
 */
function failedDependencies(block: Block, context: BlockContext): string[] {
  const referenced = listOption(block, 'blocks') ?? context.notebook.blocks.filter((other) => other.kind === 'bench').map((other) => other.id);
  const notices: string[] = [];
  for (const id of referenced) {
    const failures = (context.outcomes[id] ?? []).flatMap((outcome) => {
      const status = outcome.stored?.result.status;
      if (status !== 'failed' && status !== 'timed-out') return [];
      const where = outcome.stored!.sweep === undefined ? '' : `${outcome.stored!.sweep.name}=${String(outcome.stored!.sweep.value)}: `;
      return [`${where}${outcome.stored!.result.reason ?? status}`];
    });
    if (failures.length > 0) notices.push(renderNotice(`Depends on failed block ${id} (${failures.join('; ')}).`, 'notice failed-dependency'));
  }
  return notices;
}

/**
 * One notice per block this one draws from whose shown result is stale (not measured in this build:
 * skipped, its re-run failed, left out by --filter): a chart or table says so as the block box does.
 */
function staleDependencies(block: Block, context: BlockContext): string[] {
  const referenced = listOption(block, 'blocks') ?? context.notebook.blocks.filter((other) => other.kind === 'bench').map((other) => other.id);
  return referenced.flatMap((id) => {
    const stale = (context.outcomes[id] ?? []).filter((outcome) => outcome.stale !== undefined && outcome.stored !== undefined);
    if (stale.length === 0) return [];
    const items = stale.map((outcome) => `${outcome.key} measured ${formatDay(outcome.stored!.date)} (${outcome.stale})`);
    return [renderNotice(`Drawn from stale results of ${id}, not measured in this build: ${items.join('; ')}.`, 'notice stale')];
  });
}

/** Says which referenced blocks have no measured result, and why, e.g. `Python 3.13t (not measured)`. */
function missingText(missing: string[], context: BlockContext): string {
  const reasons = missing.map((id) => {
    const block = context.notebook.blocks.find((candidate) => candidate.id === id);
    return `${block === undefined ? id : labelOf(block)} (${missingReason(id, context)})`;
  });
  return `No results for ${reasons.join(', ')}.`;
}

function missingReason(id: string, context: BlockContext): string {
  const block = context.notebook.blocks.find((candidate) => candidate.id === id);
  if (block === undefined) return 'no such block';
  if (block.kind !== 'bench') return `a ${block.kind} block has no measurements`;
  const outcomes = context.outcomes[id] ?? [];
  const statuses = new Set(outcomes.map((outcome) => outcome.stored?.result.status ?? (outcome.skipped ? 'skipped' : '')));
  if (statuses.has('failed')) return 'failed';
  if (statuses.has('timed-out')) return 'timed out';
  if (statuses.has('skipped')) return 'not measured on this machine';
  return 'not run';
}
