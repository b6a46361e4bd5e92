import type {ClaimResult} from '../measure/claims.js';
import type {BlockOutcome} from '../model/index.js';
import type {Notebook} from '../parse/types.js';
import {renderChangesSection} from './baseline.js';
import {countClaims, formatClaimFigure} from './claim.js';
import {escapeHtml, safeHref} from './escape.js';
import type {NotebookComparison} from '../check/baseline.js';
import {formatDay} from './format.js';
import {renderClaimMatrix} from './machines.js';
import {describeMachine, renderArticle} from './meta.js';
import {fillTemplate, inlineCss} from './template.js';
import {verdictBadges} from './claim.js';
import type {ClaimCounts, IndexEntry, LedgerRow} from './types.js';

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
      content: `<h1>${escapeHtml(title)}</h1>\n${lede}\n${options.changes ? `${renderChangesSection(options.changes.name, options.changes.comparisons)}\n` : ''}${list}${entries.some((entry) => entry.ledger?.length) ? `\n${renderLedger(entries)}` : ''}`,
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

/** The article's claims by verdict as badges (`3 claims hold`...), then by magnitude, then our hypotheses apart. */
function renderClaimCounts(counts: ClaimCounts): string {
  const total = counts.holds + counts.fails + counts.inconclusive + counts.unmeasured;
  const hypotheses = counts.hypotheses.holds + counts.hypotheses.fails + counts.hypotheses.inconclusive + counts.hypotheses.unmeasured;
  const parts: string[] = [];
  if (total > 0) {
    const m = counts.magnitude;
    const figures = [
      [m.agrees, 'agrees', 'agree'],
      [m.differs, 'differs', 'differ'],
      [m.inconclusive, 'inconclusive', 'inconclusive'],
      [m.noFigure, 'without figure', 'without figure']
    ] as const;
    const magnitude = figures.filter(([count]) => count > 0).map(([count, one, many]) => `${count} ${count === 1 ? one : many}`);
    parts.push(`${total === 1 ? 'Claim' : `${total} claims`}: ${verdictBadges(counts).join(' ')}${magnitude.length ? ` · against the article's figures: ${magnitude.join(', ')}` : ''}`);
  }
  if (hypotheses > 0) parts.push(`${hypotheses === 1 ? 'Hypothesis' : `${hypotheses} hypotheses`}: ${verdictBadges(counts.hypotheses).join(' ')}`);
  return parts.join(' · ');
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
    ...(Object.keys(claims).length > 0 ? {claims: countClaims(Object.values(claims)), ledger: ledgerRows(notebook, claims)} : {})
  };
}

/** The notebook's claims as ledger rows, in block order. */
function ledgerRows(notebook: Notebook, claims: Record<string, ClaimResult>): LedgerRow[] {
  return notebook.blocks.flatMap((block) => {
    const result = claims[block.id];
    if (!block.claim || !result) return [];
    return [
      {
        id: block.id,
        kind: result.kind,
        text: result.text,
        ...(block.claim.published === undefined ? {} : {published: block.claim.published}),
        ...(result.figure ? {ours: formatClaimFigure(result.figure)} : {}),
        verdict: result.verdict,
        ...(result.magnitude ? {magnitude: result.magnitude.verdict} : {}),
        href: `${notebook.name}.html#${block.id}`
      }
    ];
  });
}

/**
 * The claims ledger: every claim of every notebook listed, with the article's figure, ours, the
 * direction and magnitude verdicts and a link to its box; the article's claims first, then this
 * project's hypotheses, each with counts per verdict.
 */
export function renderLedger(entries: IndexEntry[]): string {
  const rows = entries.flatMap((entry) => (entry.ledger ?? []).map((row) => ({entry, row})));
  if (rows.length === 0) return '';
  const badge = (verdict: string) => {
    const key = verdict === 'holds' || verdict === 'agrees' ? 'holds' : verdict === 'does not hold' || verdict === 'differs' ? 'fails' : verdict === 'inconclusive' ? 'inconclusive' : 'unmeasured';
    return `<span class="verdict verdict-${key}">${escapeHtml(verdict)}</span>`;
  };
  const link = (href: string | undefined, text: string) => (href === undefined ? escapeHtml(text) : `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`);
  const section = (kind: 'claim' | 'hypothesis', title: string, lede: string) => {
    const own = rows.filter(({row}) => row.kind === kind);
    if (own.length === 0) return '';
    const counts = new Map<string, number>();
    for (const {row} of own) counts.set(row.verdict, (counts.get(row.verdict) ?? 0) + 1);
    const tally = [...counts].map(([verdict, count]) => `${count} ${escapeHtml(verdict)}`).join(', ');
    const body = own.map(({entry, row}) => {
      const cells = [
        `<td>${link(safeHref(row.href), entry.title)}</td>`,
        `<td>${escapeHtml(row.text)}</td>`,
        `<td>${escapeHtml(row.published ?? '—')}</td>`,
        `<td>${escapeHtml(row.ours ?? '—')}</td>`,
        // Direction, then size: one column, so the table fits beside a sentence-long claim.
        `<td>${badge(row.verdict)}${kind === 'claim' && row.magnitude ? `<br><span class="ledger-size">size ${badge(row.magnitude)}</span>` : ''}</td>`
      ];
      return `<tr>${cells.join('')}</tr>`;
    });
    const head = ['Notebook', kind === 'claim' ? 'The article says' : 'We ask', 'The article', 'This run', 'Verdict'];
    return [
      `<h3 id="${kind === 'claim' ? 'ledger-claims' : 'ledger-hypotheses'}">${escapeHtml(title)}</h3>`,
      `<p>${escapeHtml(lede)} ${escapeHtml(`${own.length} in all: ${tally}.`)}</p>`,
      `<section class="table-scroll" aria-label="${escapeHtml(title)}" tabindex="0"><table class="ledger">`,
      `<thead><tr>${head.map((name) => `<th scope="col">${escapeHtml(name)}</th>`).join('')}</tr></thead>`,
      `<tbody>${body.join('')}</tbody>`,
      '</table></section>'
    ].join('\n');
  };
  return [
    '<section class="ledger-section" aria-labelledby="ledger">',
    '<h2 id="ledger">Every claim, checked</h2>',
    section('claim', "The articles' claims", "Each conclusion of an article, in its words, with the article's figure beside this run's: the verdict says whether it holds here, and \"size\" whether the article's figure agrees with this run's."),
    section('hypothesis', 'Our hypotheses', "Questions this project asks of the articles' code, not the articles' own claims."),
    '</section>'
  ]
    .filter((part) => part !== '')
    .join('\n');
}
