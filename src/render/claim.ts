import type {ClaimFigure, ClaimResult, ClaimVerdict} from '../measure/claims.js';
import type {Block} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatDay, formatSignificant, formatTime} from './format.js';
import type {ClaimCounts} from './types.js';

const verdictClass: Record<ClaimVerdict, string> = {
  holds: 'holds',
  'does not hold': 'fails',
  inconclusive: 'inconclusive',
  'not measured': 'unmeasured'
};

/** Counts claims by verdict, for the page summary and the index. */
export function countClaims(results: Iterable<ClaimResult>): ClaimCounts {
  const counts: ClaimCounts = {holds: 0, fails: 0, inconclusive: 0, unmeasured: 0};
  for (const result of results) {
    const key = verdictClass[result.verdict] as keyof ClaimCounts;
    counts[key]++;
  }
  return counts;
}

/** Formats a claim figure in its unit: `31.7×`, `1.06 µs`, `4,167,400 B`. */
export function formatClaimFigure(figure: ClaimFigure): string {
  const format = (value: number): string =>
    figure.unit === 'ns' ? formatTime(value) : figure.unit === 'B' ? `${Math.round(value).toLocaleString('en-US')} B` : formatSignificant(value);
  const suffix = figure.unit === 'x' ? '×' : '';
  const main = `${format(figure.value)}${suffix}`;
  if (figure.low === figure.high) return main;
  return `${main} (95% CI ${format(figure.low)}${suffix}–${format(figure.high)}${suffix})`;
}

/** A claim block: the article's words, its figure beside ours, the check and the verdict. */
export function renderClaim(block: Block, result: ClaimResult | undefined): string {
  const claim = block.claim;
  const id = escapeHtml(block.id);
  if (!claim) return `<div class="block block-claim" id="${id}"></div>`;
  const verdict: ClaimVerdict = result?.verdict ?? 'not measured';
  const ours = result?.figure ? formatClaimFigure(result.figure) : '—';
  const rows = [
    ['The article', claim.published === undefined ? '—' : escapeHtml(claim.published)],
    ['This run', escapeHtml(ours)],
    ['Check', `<code>${escapeHtml(claim.check)}</code>`],
    ['Why', escapeHtml(result?.reason ?? 'the claim was not evaluated')]
  ];
  if (claim.note) rows.push(['Note', escapeHtml(claim.note)]);
  if (result?.stale?.length) rows.push(['Stale', escapeHtml(staleText(result.stale))]);
  return [
    `<div class="block block-claim claim-${verdictClass[verdict]}" id="${id}">`,
    `<p class="claim-text"><span class="verdict verdict-${verdictClass[verdict]}">${escapeHtml(verdict)}</span> <span class="claim-words">${escapeHtml(claim.text)}</span> <a class="anchor" href="#${id}" aria-label="Link to this claim">#</a></p>`,
    '<dl class="claim-figures">',
    ...rows.map(([term, detail]) => `<dt>${term}</dt><dd>${detail}</dd>`),
    '</dl>',
    '</div>'
  ].join('\n');
}

/** What a verdict resting on stale results says about them: which, when and where measured, and why not in this build. */
export function staleText(stale: NonNullable<ClaimResult['stale']>): string {
  const items = stale.map((item) => `${item.key} was measured ${formatDay(item.date)} on ${item.machine}, not in this build (${item.reason})`);
  return `this verdict rests on results that are not current: ${items.join('; ')}.`;
}

/** The line at the top of a page: how many of the article's claims hold here. */
export function renderClaimSummary(counts: ClaimCounts): string {
  const total = counts.holds + counts.fails + counts.inconclusive + counts.unmeasured;
  if (total === 0) return '';
  const parts = [
    [counts.holds, 'holds', 'hold'],
    [counts.fails, 'fails', 'do not hold'],
    [counts.inconclusive, 'inconclusive', 'inconclusive'],
    [counts.unmeasured, 'unmeasured', 'not measured']
  ] as const;
  const items = parts
    .filter(([count]) => count > 0)
    .map(([count, key, label]) => `<span class="verdict verdict-${key}">${count} ${label}</span>`);
  return `<p class="claim-summary">Of the article's ${total} claim${total === 1 ? '' : 's'} checked on this machine: ${items.join(' ')}</p>`;
}
