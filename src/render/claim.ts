import type {ClaimFigure, ClaimMagnitude, ClaimPair, ClaimResult, ClaimTerm, ClaimVerdict, MagnitudeVerdict} from '../measure/claims.js';
import type {ClaimUnit} from '../parse/claim-expression.js';
import type {Block} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatDay, formatSignificant, formatTime} from './format.js';
import type {ClaimCounts, VerdictCounts} from './types.js';

const verdictClass: Record<ClaimVerdict, keyof VerdictCounts> = {
  holds: 'holds',
  'does not hold': 'fails',
  inconclusive: 'inconclusive',
  'not measured': 'unmeasured'
};

const magnitudeClass: Record<MagnitudeVerdict, {key: keyof ClaimCounts['magnitude']; badge: keyof VerdictCounts}> = {
  agrees: {key: 'agrees', badge: 'holds'},
  differs: {key: 'differs', badge: 'fails'},
  inconclusive: {key: 'inconclusive', badge: 'inconclusive'},
  'no figure': {key: 'noFigure', badge: 'unmeasured'}
};

/**
 * Counts claims by verdict, for the page summary and the index: the article's claims by direction
 * (the top-level counts) and by magnitude, and this project's hypotheses apart.
 */
export function countClaims(results: Iterable<ClaimResult>): ClaimCounts {
  const counts: ClaimCounts = {
    holds: 0,
    fails: 0,
    inconclusive: 0,
    unmeasured: 0,
    magnitude: {agrees: 0, differs: 0, inconclusive: 0, noFigure: 0},
    hypotheses: {holds: 0, fails: 0, inconclusive: 0, unmeasured: 0}
  };
  for (const result of results) {
    if (result.kind === 'hypothesis') {
      counts.hypotheses[verdictClass[result.verdict]]++;
      continue;
    }
    counts[verdictClass[result.verdict]]++;
    counts.magnitude[magnitudeClass[result.magnitude?.verdict ?? 'no figure'].key]++;
  }
  return counts;
}

/** Two tallies of claims added together (the summary of a whole build). */
export function addClaimCounts(total: ClaimCounts, counts: ClaimCounts): ClaimCounts {
  const add = <T extends object>(a: T, b: T): T => Object.fromEntries(Object.entries(a).map(([key, value]) => [key, (value as number) + ((b as Record<string, number>)[key] ?? 0)])) as T;
  const {magnitude, hypotheses, ...verdicts} = total;
  const {magnitude: moreMagnitude, hypotheses: moreHypotheses, ...moreVerdicts} = counts;
  return {...add(verdicts, moreVerdicts), magnitude: add(magnitude, moreMagnitude), hypotheses: add(hypotheses, moreHypotheses)};
}

/** Bytes with a binary unit and, from a KiB on, the exact count: `112 B`, `40.9 KiB (41,928 B)`. */
export function formatBytes(bytes: number): string {
  const exact = `${Math.round(bytes).toLocaleString('en-US')} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = bytes;
  let unit = -1;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return unit < 0 ? exact : `${formatSignificant(scaled)} ${units[unit]} (${exact})`;
}

/** A value in a claim's unit: `1.06 µs`, `31.7×`, `23.6%`, `40.9 KiB (41,928 B)`. */
export function formatClaimValue(value: number, unit: ClaimUnit | undefined): string {
  switch (unit) {
    case 'ns':
      return formatTime(value);
    case 'B':
      return formatBytes(value);
    case 'x':
      return `${formatSignificant(value)}×`;
    case '%':
      return `${formatSignificant(value * 100)}%`;
    default:
      // Counts (`cores`, `min(cores, 4)`) are whole numbers: `2`, not `2.00`.
      return Number.isInteger(value) ? String(value) : formatSignificant(value);
  }
}

/** Formats a claim figure in its unit, with its 95% interval only when it has one: `31.7× (95% CI 30.1×–33.0×)`, `41,928 B`. */
export function formatClaimFigure(figure: ClaimFigure): string {
  const main = formatClaimValue(figure.value, figure.unit);
  if (!figure.interval || figure.low === figure.high) return main;
  const short = (value: number) => (figure.unit === 'B' ? `${Math.round(value).toLocaleString('en-US')} B` : formatClaimValue(value, figure.unit));
  return `${main} (95% CI ${short(figure.low)}–${short(figure.high)})`;
}

/** How a claim names a result: the block's label, and the swept value of a swept run (`Go goroutines, workers=4`). */
export type ClaimLabels = (key: string) => string;

/**
 * A ratio of two results in words: `Go lib is 1.59× faster than Python: 365 ns vs 579 ns (95% CI
 * 1.40×–1.81×)`. Below 1 the ratio is said as a speed-up, so the number is always at least 1.
 */
export function describeRatio(pair: ClaimPair, figure: {value: number; low: number; high: number}, label: ClaimLabels): string {
  const faster = figure.value < 1;
  const [value, low, high] = faster ? [1 / figure.value, 1 / figure.high, 1 / figure.low] : [figure.value, figure.low, figure.high];
  const median = (ns: number) => (pair.unit === 'instructions' ? `${Math.round(ns).toLocaleString('en-US')} instructions` : formatTime(ns));
  const interval = low === high ? '' : ` (95% CI ${formatSignificant(low)}×–${formatSignificant(high)}×)`;
  const medians = `${median(pair.aMedian)} vs ${median(pair.bMedian)}`;
  // 0.998 is not "1.00× slower": it is as fast, to the digits shown.
  if (formatSignificant(value) === '1.00') return `${label(pair.a)} takes as long as ${label(pair.b)}: ${medians}${interval}`;
  return `${label(pair.a)} is ${formatSignificant(value)}× ${faster ? 'faster' : 'slower'} than ${label(pair.b)}: ${medians}${interval}`;
}

/** One term of a check as a sentence with its figures and verdict. */
function renderTerm(term: ClaimTerm, label: ClaimLabels): string {
  const verdict = `<span class="verdict verdict-${verdictClass[term.verdict]}">${escapeHtml(term.verdict)}</span>`;
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const parts: string[] = [];
  const figure = term.value === undefined ? undefined : {value: term.value, low: term.low!, high: term.high!, interval: term.interval ?? false, ...(term.unit ? {unit: term.unit} : {})};
  if (term.test === 'prints') {
    parts.push(`${code(term.expr)}: the output ${term.verdict === 'holds' ? 'contains' : term.verdict === 'does not hold' ? 'does not contain' : 'may contain'} “${escapeHtml(term.text ?? '')}”`);
  } else if (term.pair && figure) {
    parts.push(escapeHtml(describeRatio(term.pair, figure, label)));
    if (term.test === 'compare') parts.push(`${code(`${term.quantity} ${term.op} ${term.threshold!.expr}`)}${thresholdValue(term)}`);
    else if (term.test === 'same') parts.push(`${code(term.expr)}: equivalent within ${formatMargin(term.margin!)}`);
    else parts.push(code(term.expr));
  } else if (figure) {
    const quantity = `${code(term.quantity ?? term.expr)} = ${escapeHtml(formatClaimFigure(figure))}`;
    if (term.test === 'compare') parts.push(`${quantity} ${escapeHtml(term.op!)} ${escapeHtml(formatClaimFigure(term.threshold!))}${isConstant(term.threshold!.expr) ? '' : ` = ${code(term.threshold!.expr)}`}`);
    else if (term.test === 'same') parts.push(`${code(term.expr)}: the ratio of its two sides is ${escapeHtml(formatClaimFigure(figure))}, equivalent within ${formatMargin(term.margin!)}`);
    else parts.push(`${quantity}: ${code(term.expr)}`);
  } else {
    parts.push(code(term.expr));
  }
  // The values a sentence has not already shown: the terms of a difference, a threshold's parts.
  const shown = new Set([term.quantity, term.threshold?.expr]);
  const inner = term.values.filter((value, index) => {
    if (shown.has(value.expr) || (term.pair && value.name === 'ratio' && value.pair === term.pair)) return false;
    // A value used twice (`min(cores, 4)` in a key and in a threshold) is shown once.
    return term.values.findIndex((other) => other.expr === value.expr) === index;
  });
  const details = inner.map((value) => {
    // A ratio of two results says itself in words; other values are named by their block's label.
    if (value.pair) return escapeHtml(describeRatio(value.pair, value.figure, label));
    const named = value.keys.length === 1 && label(value.keys[0]!) !== value.keys[0] ? ` (${escapeHtml(label(value.keys[0]!))})` : '';
    return `${code(value.expr)}${named} = ${escapeHtml(formatClaimFigure(value.figure))}`;
  });
  const notes = [...(term.missing.length ? [`no successful result for ${term.missing.map((key) => `\`${key}\``).join(', ')}`] : []), ...(term.note ? [term.note] : [])];
  return `<li>${parts.join(' — ')}${details.length ? `; ${details.join('; ')}` : ''}${notes.length ? ` (${withCode(notes.join('; '))})` : ''}: ${verdict}</li>`;
}

function thresholdValue(term: ClaimTerm): string {
  const threshold = term.threshold!;
  return isConstant(threshold.expr) ? '' : ` = ${escapeHtml(formatClaimFigure(threshold))}`;
}

function isConstant(expr: string): boolean {
  return /^[\d.,\s]+[a-zA-Zµ×%]*$/.test(expr.trim());
}

/** A same() margin as written and as the interval it allows: `±10% (0.909×–1.10×)`. */
function formatMargin(margin: number): string {
  return `±${Number(((margin - 1) * 100).toFixed(1))}% (${formatSignificant(1 / margin)}×–${formatSignificant(margin)}×)`;
}

/** Escaped text whose `backquoted` parts become code, as in the reasons measure gives. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The magnitude verdict in one phrase for the badge: `magnitude 8.3× the article's`. */
export function magnitudeBadge(magnitude: ClaimMagnitude | null): string {
  if (!magnitude || magnitude.factor === undefined) return 'no figure';
  const factor = `${formatSignificant(magnitude.factor)}× the article's`;
  return magnitude.verdict === 'inconclusive' ? `magnitude ${factor}, inconclusive` : `magnitude ${factor}`;
}

/** The magnitude verdict as a sentence (HTML): the factor, its interval and the tolerance. */
function magnitudeSentence(result: ClaimResult): string {
  const magnitude = result.magnitude;
  if (!magnitude) return 'no figure: the article gives none for this claim';
  if (magnitude.factor === undefined) return 'no figure: this run has none to compare with the article&#39;s';
  const tolerance = `the tolerance of ${Number(magnitude.tolerance.toFixed(2))}× either way`;
  const term = magnitude.term !== undefined && result.terms.length > 1 ? ` for <code>${escapeHtml(result.terms[magnitude.term]!.expr)}</code>` : '';
  const interval = magnitude.interval && magnitude.low !== magnitude.high ? ` (95% CI ${formatSignificant(magnitude.low!)}×–${formatSignificant(magnitude.high!)}×)` : '';
  const ours = `ours is ${formatSignificant(magnitude.factor)}× the article&#39;s figure${term}${interval}`;
  switch (magnitude.verdict) {
    case 'agrees':
      return `agrees: ${ours}, within ${tolerance}`;
    case 'differs': {
      const by = magnitude.direction === 'smaller' ? `${formatSignificant(1 / magnitude.factor)} times smaller` : `${formatSignificant(magnitude.factor)} times larger`;
      return `differs: ${ours}, ${by}: outside ${tolerance}`;
    }
    default:
      return `inconclusive: ${ours}, and its interval straddles ${tolerance}`;
  }
}

/** Options of {@link renderClaim}. */
export interface RenderClaimOptions {
  /** How results are named in words (default: their store keys). */
  label?: ClaimLabels;
}

/** A claim block: the article's words (or our hypothesis), both verdicts, every term with its figures, the check and why. */
export function renderClaim(block: Block, result: ClaimResult | undefined, options: RenderClaimOptions = {}): string {
  const claim = block.claim;
  const id = escapeHtml(block.id);
  if (!claim) return `<div class="block block-claim" id="${id}"></div>`;
  const label = options.label ?? ((key: string) => key);
  const verdict: ClaimVerdict = result?.verdict ?? 'not measured';
  const kind = claim.kind === 'hypothesis' ? 'Hypothesis' : 'Claim';
  const badges = [`<span class="verdict verdict-${verdictClass[verdict]}">${escapeHtml(verdict)}</span>`];
  if (claim.publishedFigure && result) {
    const magnitude = magnitudeClass[result.magnitude?.verdict ?? 'no figure'];
    badges.push(`<span class="verdict verdict-${magnitude.badge} magnitude magnitude-${magnitude.key}">${escapeHtml(magnitudeBadge(result.magnitude))}</span>`);
  }
  const terms = result?.terms.length ? `<ul class="claim-terms">${result.terms.map((term) => renderTerm(term, label)).join('')}</ul>` : '—';
  const rows: Array<[string, string]> = [];
  if (claim.published !== undefined) rows.push(['The article', escapeHtml(claim.published)]);
  rows.push(['This run', terms]);
  if (claim.published !== undefined && result) rows.push(['Magnitude', magnitudeSentence(result)]);
  if (result?.cores) rows.push(['Cores', escapeHtml(`${result.cores.value} ${result.cores.logical ? 'logical CPUs (the record predates physical core counts)' : 'physical cores'} on the machine that measured`)]);
  rows.push(['Check', `<code>${escapeHtml(claim.check)}</code>`], ['Why', withCode(result?.reason ?? 'the claim was not evaluated')]);
  if (claim.note) rows.push(['Note', escapeHtml(claim.note)]);
  if (result?.stale?.length) rows.push(['Stale', escapeHtml(staleText(result.stale))]);
  return [
    `<div class="block block-claim kind-${claim.kind} claim-${verdictClass[verdict]}" id="${id}">`,
    `<p class="claim-text"><span class="claim-kind">${kind}</span> ${badges.join(' ')} <span class="claim-words">${escapeHtml(claim.text)}</span> <a class="anchor" href="#${id}" aria-label="Link to this claim">#</a></p>`,
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

const verdictWords: Record<keyof VerdictCounts, [string, string]> = {
  holds: ['holds', 'hold'],
  fails: ['does not hold', 'do not hold'],
  inconclusive: ['inconclusive', 'inconclusive'],
  unmeasured: ['not measured', 'not measured']
};

/** Verdict counts as badges (`3 hold`, `1 does not hold`...), only the verdicts that occur. */
export function verdictBadges(counts: VerdictCounts): string[] {
  return (['holds', 'fails', 'inconclusive', 'unmeasured'] as const)
    .filter((key) => counts[key] > 0)
    .map((key) => `<span class="verdict verdict-${key}">${counts[key]} ${verdictWords[key][counts[key] === 1 ? 0 : 1]}</span>`);
}

/** The line at the top of a page: how the article's claims came out here, in direction and in magnitude, and our hypotheses apart. */
export function renderClaimSummary(counts: ClaimCounts): string {
  const total = counts.holds + counts.fails + counts.inconclusive + counts.unmeasured;
  const hypotheses = counts.hypotheses.holds + counts.hypotheses.fails + counts.hypotheses.inconclusive + counts.hypotheses.unmeasured;
  if (total === 0 && hypotheses === 0) return '';
  const sentences: string[] = [];
  if (total > 0) {
    const direction = verdictBadges(counts);
    const m = counts.magnitude;
    const magnitude = (
      [
        [m.agrees, 'holds', 'agrees', 'agree'],
        [m.differs, 'fails', 'differs', 'differ'],
        [m.inconclusive, 'inconclusive', 'inconclusive', 'inconclusive'],
        [m.noFigure, 'unmeasured', 'no figure', 'no figure']
      ] as const
    )
      .filter(([count]) => count > 0)
      .map(([count, key, one, many]) => `<span class="verdict verdict-${key} magnitude">${count} ${count === 1 ? one : many}</span>`);
    sentences.push(`Of the article's ${total} claim${total === 1 ? '' : 's'} checked on this machine: ${direction.join(' ')}; against the article's figures: ${magnitude.join(' ')}.`);
  }
  if (hypotheses > 0) {
    const badges = verdictBadges(counts.hypotheses);
    sentences.push(`This project's ${hypotheses} hypothes${hypotheses === 1 ? 'is' : 'es'}: ${badges.join(' ')}.`);
  }
  return `<p class="claim-summary">${sentences.join(' ')}</p>`;
}
