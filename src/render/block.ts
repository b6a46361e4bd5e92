import type {Block, Notebook} from '../parse/types.js';
import {renderChart} from './chart.js';
import {escapeHtml} from './escape.js';
import {renderNotice, renderProblems, renderResultLine, renderSweepTable, sweepLabel} from './outcome.js';
import {listOption, missingBlocks, resultRows} from './rows.js';
import {renderTable} from './table.js';
import type {BlockOutcome, RenderOptions} from './types.js';

/** What a block is rendered against: the notebook, every block's outcomes, the chart cache. */
export interface BlockContext extends RenderOptions {
  notebook: Notebook;
  outcomes: Record<string, BlockOutcome[]>;
}

/** Renders one block by kind as an HTML fragment whose outer element has `id="<block id>"`. */
export async function renderBlock(block: Block, context: BlockContext): Promise<string> {
  const id = escapeHtml(block.id);
  switch (block.kind) {
    case 'code':
      return `<div class="block block-code" id="${id}">${renderCode(block)}</div>`;
    case 'bench':
      return wrap(block, [renderCollapsedCode(block), ...renderBench(context.outcomes[block.id] ?? [])]);
    case 'run':
      return wrap(block, [renderCollapsedCode(block), ...renderRun(context.outcomes[block.id] ?? [])]);
    case 'plot':
      return renderPlot(block, context);
    case 'table':
      return wrap(block, renderTableBlock(block, context));
  }
}

function wrap(block: Block, parts: string[]): string {
  return [`<div class="block block-${block.kind}" id="${escapeHtml(block.id)}">`, ...parts, '</div>'].join('\n');
}

function renderCode(block: Block): string {
  const language = block.lang === '' ? '' : ` class="language-${escapeHtml(block.lang)}"`;
  return `<pre><code${language}>${escapeHtml(block.code)}</code></pre>`;
}

/** Code that is not the point of the page (it is the results) starts collapsed. */
function renderCollapsedCode(block: Block): string {
  const summary = block.lang === '' ? block.id : `${block.lang} · ${block.id}`;
  return `<details><summary>${escapeHtml(summary)}</summary>${renderCode(block)}</details>`;
}

function renderBench(outcomes: BlockOutcome[]): string[] {
  const {html, shown} = renderProblems(outcomes);
  const results = shown.some((stored) => stored.sweep !== undefined)
    ? [renderSweepTable(shown)]
    : shown.map(renderResultLine);
  return [...results.filter((part) => part !== ''), ...html];
}

function renderRun(outcomes: BlockOutcome[]): string[] {
  const {html, shown} = renderProblems(outcomes);
  const outputs = shown.flatMap((stored) => {
    const where = sweepLabel(stored);
    const label = where === undefined ? '' : `<p class="result">${escapeHtml(where)}</p>`;
    const stdout = `<pre class="output">${escapeHtml(stored.result.stdout)}</pre>`;
    // A run that succeeded may still warn on stderr; show it apart from the output.
    const stderr = stored.result.stderr === '' ? '' : `<pre class="output stderr">${escapeHtml(stored.result.stderr)}</pre>`;
    return [label + stdout + stderr];
  });
  return [...outputs, ...html];
}

async function renderPlot(block: Block, context: BlockContext): Promise<string> {
  const rows = resultRows(context.outcomes, context.notebook, listOption(block, 'blocks'));
  const parts = [`<figure class="block block-plot" id="${escapeHtml(block.id)}">`];
  const missing = missingBlocks(block, context.notebook, rows);
  if (rows.length > 0) {
    const chart = await renderChart(block.code, rows, context);
    const alt = block.options['alt'];
    if (chart.error !== undefined) {
      parts.push(`<div class="error" role="alert"><p><strong>Plot failed</strong>: ${escapeHtml(chart.error)}</p></div>`);
    } else if (alt === undefined) {
      parts.push(chart.svg);
    } else {
      parts.push(`<div class="chart" role="img" aria-label="${escapeHtml(String(alt))}">${chart.svg}</div>`);
    }
  }
  if (missing.length > 0) parts.push(renderNotice(missingText(missing, context)));
  const caption = block.options['caption'];
  if (caption !== undefined) parts.push(`<figcaption>${escapeHtml(String(caption))}</figcaption>`);
  parts.push('</figure>');
  return parts.join('\n');
}

function renderTableBlock(block: Block, context: BlockContext): string[] {
  const rows = resultRows(context.outcomes, context.notebook, listOption(block, 'blocks'));
  const missing = missingBlocks(block, context.notebook, rows);
  return [
    rows.length > 0 ? renderTable(block, rows) : '',
    missing.length > 0 ? renderNotice(missingText(missing, context)) : ''
  ].filter((part) => part !== '');
}

/** Says which referenced blocks have no measured result, and why, e.g. `bench-2 (failed)`. */
function missingText(missing: string[], context: BlockContext): string {
  const reasons = missing.map((id) => `${id} (${missingReason(id, context)})`);
  return `No results for ${reasons.join(', ')}.`;
}

function missingReason(id: string, context: BlockContext): string {
  const block = context.notebook.blocks.find((candidate) => candidate.id === id);
  if (block === undefined) return 'no such block';
  if (block.kind !== 'bench') return `a ${block.kind} block has no measurements`;
  const outcomes = context.outcomes[id] ?? [];
  const statuses = new Set(outcomes.map((outcome) => outcome.stored?.result.status ?? (outcome.skipped ? 'skipped' : '')));
  for (const status of ['failed', 'timed-out', 'skipped'] as const) if (statuses.has(status)) return status;
  return 'not run';
}
