import type {ClaimResult} from '../measure/claims.js';
import type {BlockOutcome} from '../model/index.js';
import type {Notebook} from '../parse/types.js';
import {renderChangesSection} from './baseline.js';
import {countClaims} from './claim.js';
import {escapeHtml, safeHref} from './escape.js';
import type {NotebookComparison} from '../check/baseline.js';
import {formatDay} from './format.js';
import {renderClaimMatrix} from './machines.js';
import {describeMachine, renderArticle} from './meta.js';
import {fillTemplate, inlineCss} from './template.js';
import type {ClaimCounts, IndexEntry} from './types.js';

/** Options of `renderIndex`. */
export interface RenderIndexOptions {
  /** Text of `templates/index.html`: `{{title}}`, `{{css}}`, `{{content}}`, `{{lang}}`. */
  template: string;
  /** Text of `templates/style.css`, inlined in the page. */
  css: string;
  /** Heading and `<title>` of the index, default `Benchmark notebooks`. */
  title?: string;
  /** Language of the page (`lang` attribute), default `en`. */
  lang?: string;
  /** `--baseline`: a "Changes since NAME" section before the list. */
  changes?: {name: string; comparisons: NotebookComparison[]};
  /** Styles added when some notebook has several machines (`templates/machines.css`). */
  machinesCss?: string;
}

/** Renders `index.html`: one card per notebook with its description, article, claims, counts, date and machine. */
export function renderIndex(entries: IndexEntry[], options: RenderIndexOptions): string {
  const title = options.title ?? 'Benchmark notebooks';
  const items = entries.map(renderEntry);
  const list = items.length === 0 ? '<p class="notice">No notebooks yet.</p>' : ['<ul class="notebooks">', ...items, '</ul>'].join('\n');
  const lede =
    '<p class="lede">Each notebook reproduces the benchmarks of an article: every figure on these pages was measured by ' +
    'running the code shown, and each page says where, when and how to measure it again.</p>';
  return fillTemplate(
    options.template,
    {
      title: escapeHtml(title),
      css: inlineCss(entries.some((entry) => entry.machines !== undefined) && options.machinesCss ? `${options.css}\n${options.machinesCss}` : options.css),
      content: `<h1>${escapeHtml(title)}</h1>\n${lede}\n${options.changes ? `${renderChangesSection(options.changes.name, options.changes.comparisons)}\n` : ''}${list}`,
      lang: escapeHtml(options.lang ?? 'en')
    },
    'template'
  );
}

function renderEntry(entry: IndexEntry): string {
  const href = safeHref(entry.href);
  const title = escapeHtml(entry.title);
  const lines = [`<li>`, `<p class="title">${href === undefined ? title : `<a href="${escapeHtml(href)}">${title}</a>`}</p>`];
  if (entry.description !== undefined && entry.description !== '') lines.push(`<p class="description">${escapeHtml(entry.description)}</p>`);
  if (entry.article !== undefined) lines.push(`<p class="article">Reproduces ${renderArticle(entry.article)}</p>`);
  if (entry.claims !== undefined) {
    const summary = renderClaimCounts(entry.claims);
    if (summary !== '') lines.push(`<p class="claims">${summary}</p>`);
  }
  const facts = [
    `${entry.blocks} ${entry.blocks === 1 ? 'block' : 'blocks'}`,
    entry.failed === 0 ? 'none failed' : `<strong class="failed">${entry.failed} failed</strong>`,
    entry.measuredAt === undefined
      ? 'not measured yet'
      : `measured <time datetime="${escapeHtml(entry.measuredAt)}">${escapeHtml(formatDay(entry.measuredAt))}</time>`,
    entry.machines !== undefined ? `on ${entry.machines} machines` : entry.machine === undefined ? '' : `on ${escapeHtml(describeMachine(entry.machine))}`
  ].filter((fact) => fact !== '');
  lines.push(`<p class="facts">${facts.join(' · ')}</p>`);
  if (entry.machineClaims) lines.push(renderClaimMatrix(entry.machineClaims.claims, entry.machineClaims.machines, {...(href === undefined ? {} : {href}), label: `Claims of ${entry.title} by machine`}));
  lines.push('</li>');
  return lines.join('');
}

/** Claims by verdict as badges (`3 hold`, `1 does not hold`...), only the verdicts that occur. */
function renderClaimCounts(counts: ClaimCounts): string {
  const parts: Array<[number, string, string]> = [
    [counts.holds, 'holds', counts.holds === 1 ? 'claim holds' : 'claims hold'],
    [counts.fails, 'fails', counts.fails === 1 ? 'does not hold' : 'do not hold'],
    [counts.inconclusive, 'inconclusive', 'inconclusive'],
    [counts.unmeasured, 'unmeasured', 'not measured']
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, key, label]) => `<span class="verdict verdict-${key}">${count} ${label}</span>`)
    .join(' ');
}

/** A notebook's line on the index, from the outcomes its page shows and the claims they decided. */
export function indexEntry(notebook: Notebook, outcomes: Record<string, BlockOutcome[]>, claims: Record<string, ClaimResult>): IndexEntry {
  const all = Object.values(outcomes).flat();
  const records = all.flatMap((outcome) => (outcome.stored ? [outcome.stored] : []));
  const newest = records.sort((a, b) => b.date.localeCompare(a.date))[0];
  return {
    name: notebook.name,
    title: notebook.title,
    ...(notebook.description === undefined ? {} : {description: notebook.description}),
    href: `${notebook.name}.html`,
    ...(notebook.article === undefined ? {} : {article: notebook.article}),
    blocks: all.length,
    failed: all.filter((outcome) => outcome.failure || (outcome.stored && outcome.stored.result.status !== 'ok')).length,
    ...(newest ? {measuredAt: newest.date, machine: newest.machine} : {}),
    ...(Object.keys(claims).length > 0 ? {claims: countClaims(Object.values(claims))} : {})
  };
}
