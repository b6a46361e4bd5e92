import type {Block} from '../parse/types.js';
import {resolutionOf, type BlockChange, type NotebookComparison} from '../check/baseline.js';
import {escapeHtml, safeHref} from './escape.js';
import {capitalized, formatCount, formatDay, formatSignificant, formatTime} from './format.js';

/** What a page shows of a baseline comparison (`--baseline NAME`): the name and each run's change. */
export interface PageBaseline {
  name: string;
  changes: BlockChange[];
}

/**
 * The "vs baseline NAME" note under a bench block's results: the verdict, the change of the median
 * with its interval and p-value, one entry per run of a swept block.
 */
export function renderBaselineNote(name: string, changes: BlockChange[]): string {
  if (changes.length === 0) return '';
  const swept = changes.length > 1 || changes[0]!.key !== changes[0]!.blockId;
  const items = changes.map((change) => {
    const where = swept ? `${escapeHtml(change.key.slice(change.key.indexOf('@') + 1))}: ` : '';
    return where + describeChange(change);
  });
  return `<p class="result baseline">vs baseline <b>${escapeHtml(name)}</b>: ${items.join(' · ')}</p>`;
}

/** A block's HTML with its baseline note added after its results (before its collapsed code). */
export function withBaselineNote(html: string, block: Block, baseline: PageBaseline | undefined): string {
  if (baseline === undefined || block.kind !== 'bench') return html;
  const note = renderBaselineNote(baseline.name, baseline.changes.filter((change) => change.blockId === block.id));
  if (note === '') return html;
  const code = html.lastIndexOf('<details class="code">');
  const at = code !== -1 ? code : html.lastIndexOf('</div>');
  return at === -1 ? html + note : `${html.slice(0, at)}${note}\n${html.slice(at)}`;
}

/**
 * The index page's "Changes since NAME" section: counts by verdict, then every run that got faster
 * or slower and every claim whose verdict changed, each linked to its block.
 */
export function renderChangesSection(name: string, comparisons: NotebookComparison[]): string {
  const all = comparisons.flatMap((comparison) => comparison.blocks);
  const count = (verdict: BlockChange['verdict']): number => all.filter((change) => change.verdict === verdict).length;
  const counts = [
    [count('slower'), 'slower'],
    [count('faster'), 'faster'],
    [count('no significant change'), 'no significant change'],
    [count('new'), 'new'],
    [count('not comparable'), 'not comparable']
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, label]) => `${n} ${label}`);
  const lines = ['<section class="changes" aria-labelledby="changes-since">', `<h2 id="changes-since">Changes since ${escapeHtml(name)}</h2>`];
  const saved = comparisons.map((comparison) => comparison.savedAt).filter((date): date is string => Boolean(date)).sort();
  const when = saved.length > 0 ? ` saved ${escapeHtml(formatDay(saved.at(-1)!))}` : '';
  const resolution = resolutionOf(all);
  const seen = resolution ? ` ${escapeHtml(capitalized(describeResolution(resolution)))}.` : '';
  lines.push(`<p class="facts">Compared with the baseline <strong>${escapeHtml(name)}</strong>${when}: ${counts.length > 0 ? counts.join(', ') : 'no measured results'}.${seen}</p>`);
  const items: string[] = [];
  for (const comparison of comparisons) {
    const changed = comparison.blocks.filter((change) => change.verdict === 'faster' || change.verdict === 'slower');
    if (changed.length === 0 && comparison.claims.length === 0) continue;
    const href = safeHref(comparison.href);
    const title = escapeHtml(comparison.title);
    const link = (fragment: string, text: string): string => (href === undefined ? text : `<a href="${escapeHtml(`${href}#${fragment}`)}">${text}</a>`);
    const entries = [
      ...changed.map((change) => `<li>${link(change.blockId, escapeHtml(change.key === change.blockId ? change.label : `${change.label} (${change.key.slice(change.key.indexOf('@') + 1)})`))}: ${describeChange(change)}</li>`),
      ...comparison.claims.map(
        (claim) =>
          `<li>${link(claim.blockId, 'Claim')} ${escapeHtml(claim.text)}: ${verdictBadge(claim.before)} → ${verdictBadge(claim.after)}</li>`
      )
    ];
    items.push(`<li><p class="title">${href === undefined ? title : `<a href="${escapeHtml(href)}">${title}</a>`}</p><ul>${entries.join('')}</ul></li>`);
  }
  lines.push(items.length === 0 ? '<p class="notice">No significant change.</p>' : `<ul class="changes">${items.join('')}</ul>`);
  lines.push('</section>');
  return lines.join('\n');
}

/** How wide the comparisons' intervals were, in words: `their 95% intervals ±3.1% at the median (±1.2% to ±8.0%)`. */
export function describeResolution(resolution: NonNullable<ReturnType<typeof resolutionOf>>): string {
  const percent = (fraction: number) => `±${(fraction * 100).toFixed(1)}%`;
  const range = resolution.count > 1 ? ` (${percent(resolution.low)} to ${percent(resolution.high)})` : '';
  return `the ${resolution.count === 1 ? 'comparison\'s 95% interval' : 'comparisons\' 95% intervals'} ${percent(resolution.median)}${resolution.count > 1 ? ' at the median' : ''}${range}: a smaller change is not seen`;
}

/** `+45.2% slower (1.23 µs → 1.79 µs, 95% CI ×1.40–1.50, p = 0.008)`, escaped. */
function describeChange(change: BlockChange): string {
  if (change.verdict === 'new' || change.verdict === 'not comparable') {
    return `<span class="change change-${change.verdict === 'new' ? 'new' : 'none'}">${escapeHtml(change.verdict)}</span>${change.reason ? ` (${escapeHtml(change.reason)})` : ''}`;
  }
  const details: string[] = [];
  if (change.baselineMedian !== undefined && change.median !== undefined) details.push(`${formatValue(change.baselineMedian, change.unit)} → ${formatValue(change.median, change.unit)}`);
  if (change.ci) details.push(`95% CI ×${formatSignificant(change.ci[0])}–${formatSignificant(change.ci[1])}`);
  // The p-value tests the raw ratio: with the machine's drift taken out, the interval decides.
  if (change.p !== undefined && !change.drift) details.push(formatP(change.p));
  if (change.drift && change.rawRatio !== undefined) {
    details.push(`${formatChange(change.rawRatio)} as measured, the machine ${formatChange(change.drift.ratio)} over ${change.drift.blocks} unchanged blocks`);
  }
  if (change.reason) details.push(change.reason);
  if (change.otherMachine) details.push('baseline measured on another machine');
  const head =
    change.verdict === 'no significant change'
      ? `<span class="change change-none">no significant change</span>`
      : `<span class="change change-${change.verdict}"><b>${escapeHtml(formatChange(change.ratio!))}</b> ${change.verdict}</span>`;
  return `${head}${details.length > 0 ? ` (${escapeHtml(details.join(', '))})` : ''}`;
}

function verdictBadge(verdict: string): string {
  const key = verdict === 'holds' ? 'holds' : verdict === 'does not hold' ? 'fails' : verdict === 'inconclusive' ? 'inconclusive' : 'unmeasured';
  return `<span class="verdict verdict-${key}">${escapeHtml(verdict)}</span>`;
}

function formatValue(value: number, unit: BlockChange['unit']): string {
  return unit === 'instructions' ? `${formatCount(Math.round(value))} instructions` : formatTime(value);
}

/** A p-value as benchstat writes it: `p = 0.008`, and `p < 0.001` below that. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * A ratio as a signed percentage change, `1.452` -> `+45.2%`, `0.8` -> `-20.0%`; from twice as slow
 * on, as a factor (`3163` -> `3163×`), which reads better than `+316200.0%`.
 */
export function formatChange(ratio: number): string {
  if (ratio >= 2) return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3)}×`;
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : '-'}${Math.abs(percent).toFixed(1)}%`;
}
