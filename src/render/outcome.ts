import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {renderMeasurementNotes} from './measurement.js';
import {formatCount, formatDay, formatRatio, formatTime, formatTimeValue, pickTimeUnit, type TimeUnit} from './format.js';
import {shortRuntime} from './provenance.js';
import {isMeasured} from './rows.js';
import type {BlockOutcome} from './types.js';

/** A one-line notice (skipped, not run, missing results), escaped. */
export function renderNotice(text: string, kind = 'notice'): string {
  return `<p class="${kind}">${escapeHtml(text)}</p>`;
}

/** The sweep point of an outcome as `name=value`, or `undefined` for an unswept run. */
export function sweepLabel(stored: StoredResult | undefined): string | undefined {
  return stored?.sweep === undefined ? undefined : `${stored.sweep.name}=${String(stored.sweep.value)}`;
}

/** An inline error box for a failed or timed-out run: the reason, then the captured stderr. */
export function renderFailure(stored: StoredResult): string {
  const {result} = stored;
  const where = sweepLabel(stored);
  const heading = `Failed${where === undefined ? '' : ` (${where})`}`;
  // The execute stage's reasons already say "timed out after 60 s" or name the exit code or signal.
  const reason =
    result.reason ??
    [
      result.status === 'timed-out' ? 'timed out' : '',
      result.exitCode === undefined ? '' : `exit code ${result.exitCode}`,
      result.signal === undefined ? '' : `signal ${result.signal}`
    ]
      .filter((detail) => detail !== '')
      .join(', ');
  // Some runtimes report errors on stdout only; show that when stderr is empty.
  const output = result.stderr !== '' ? result.stderr : result.stdout;
  return [
    '<div class="error" role="alert">',
    `<p><strong>${escapeHtml(heading)}</strong>${reason === '' ? '' : `: ${escapeHtml(reason)}`}</p>`,
    output === '' ? '' : `<pre>${escapeHtml(output)}</pre>\n`,
    '</div>'
  ].join('');
}

/**
 * Renders what a `bench` or `run` block's outcomes say apart from measurements: skipped notices,
 * error boxes, stale-result notices, and "Not run" when there is nothing. Returns the stored results
 * left to show as results.
 */
export function renderProblems(outcomes: BlockOutcome[]): {html: string[]; shown: StoredResult[]} {
  const html: string[] = [];
  const shown: StoredResult[] = [];
  for (const outcome of outcomes) {
    if (outcome.skipped !== undefined) html.push(renderNotice(`Skipped: ${outcome.skipped}`));
    const {stored, failure} = outcome;
    if (stored !== undefined) {
      const {status} = stored.result;
      if (status === 'failed' || status === 'timed-out') html.push(renderFailure(stored));
      else if (status === 'skipped') html.push(renderNotice(`Skipped: ${stored.result.reason ?? 'no reason given'}`));
      else shown.push(stored);
    }
    if (outcome.stale !== undefined && failure === undefined && stored !== undefined) {
      const where = sweepLabel(stored);
      html.push(renderNotice(`Stale${where === undefined ? '' : ` (${where})`}: the result shown was measured ${formatDay(stored.date)} on machine ${stored.machine.fingerprint}, not in this build.`, 'notice stale'));
    }
    if (failure !== undefined) {
      if (stored !== undefined) {
        const where = sweepLabel(failure);
        const subject = where === undefined ? 'The latest run' : `The latest run (${where})`;
        html.push(
          renderNotice(`${subject} failed: the result shown is the previous one, from ${formatDay(stored.date)}.`, 'notice stale')
        );
      }
      html.push(renderFailure(failure));
    }
  }
  if (html.length === 0 && shown.length === 0) html.push(renderNotice('Not run'));
  return {html, shown};
}

/** The runtime and version a result was measured with, e.g. `python 3.11.7`, `go1.26.8`, `node v20.20.2`. */
export function runtimeLabel(stored: StoredResult): string {
  return shortRuntime(stored);
}

/** The results line of one measured run: median, 95% CI, min..max, n, loops, runtime. */
export function renderResultLine(stored: StoredResult): string {
  if (!isMeasured(stored)) return '';
  const {stats} = stored;
  const unit = pickTimeUnit(stats.median);
  const parts = [
    `median <strong>${escapeHtml(formatTime(stats.median, unit))}</strong>`,
    `95% CI ${escapeHtml(formatRange(stats.ci[0], stats.ci[1], unit))}`,
    `min..max ${escapeHtml(formatRange(stats.min, stats.max, unit))}`,
    `n = ${formatCount(stats.n)}`,
    loopsText(stored),
    escapeHtml(runtimeLabel(stored))
  ].filter((part) => part !== '');
  return `<p class="result">${parts.join(' · ')}</p>${renderMeasurementNotes(stored)}${renderWarnings(stored)}`;
}

/** A small table of a swept block's measured runs, one row per swept value; `name` names its region (unique on the page). */
export function renderSweepTable(results: StoredResult[], name: string): string {
  const measured = results.filter(isMeasured);
  if (measured.length === 0) return '';
  const names = new Set(measured.map((stored) => stored.sweep?.name ?? 'value'));
  const param = names.size === 1 ? [...names][0]! : 'value';
  const runtimes = [...new Set(measured.map(runtimeLabel))];
  const lines = [
    `<section class="table-scroll" aria-label="${escapeHtml(`${name}: results by ${param}`)}" tabindex="0">`,
    '<table class="sweep">',
    `<thead><tr><th scope="col">${escapeHtml(param)}</th><th scope="col" class="num">median</th>` +
      '<th scope="col" class="num">95% CI</th><th scope="col" class="num">min..max</th>' +
      '<th scope="col" class="num">n</th><th scope="col" class="num">loops</th>' +
      (measured.length > 1 ? '<th scope="col" class="num">speed-up</th>' : '') +
      (runtimes.length > 1 ? '<th scope="col">runtime</th>' : '') +
      '</tr></thead>',
    '<tbody>'
  ];
  for (const stored of measured) {
    const {stats} = stored;
    const unit = pickTimeUnit(stats.median);
    const cells = [
      `<td>${escapeHtml(String(stored.sweep?.value ?? ''))}</td>`,
      `<td class="num">${escapeHtml(formatTime(stats.median, unit))}</td>`,
      `<td class="num">${escapeHtml(formatRange(stats.ci[0], stats.ci[1], unit))}</td>`,
      `<td class="num">${escapeHtml(formatRange(stats.min, stats.max, unit))}</td>`,
      `<td class="num">${formatCount(stats.n)}</td>`,
      `<td class="num">${loopsCount(stored)}</td>`,
      // Relative to the first value measured, as in the notebook's `speedup` field.
      measured.length > 1 ? `<td class="num">${stats.median > 0 ? formatRatio(measured[0]!.stats.median / stats.median) : '–'}</td>` : '',
      runtimes.length > 1 ? `<td>${escapeHtml(runtimeLabel(stored))}</td>` : ''
    ];
    lines.push(`<tr>${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>', '</section>');
  if (runtimes.length === 1) lines.push(`<p class="result">${escapeHtml(runtimes[0]!)}</p>`);
  lines.push(...measured.map(renderWarnings).filter((html) => html !== ''));
  return lines.join('\n');
}

/**
 * A block's statistics warnings in one compact note: the findings, then the advice they share
 * (`standard deviation is 16% of the mean; 2 of 10 samples are outliers: rerun on a quieter machine...`).
 */
export function renderWarnings(stored: StoredResult): string {
  const warnings = stored.stats?.warnings ?? [];
  if (warnings.length === 0) return '';
  const where = sweepLabel(stored);
  const byAdvice = new Map<string, string[]>();
  for (const warning of warnings) {
    const split = warning.lastIndexOf(': ');
    const [finding, advice] = split === -1 ? [warning, ''] : [warning.slice(0, split), warning.slice(split + 2)];
    byAdvice.set(advice, [...(byAdvice.get(advice) ?? []), finding]);
  }
  const text = [...byAdvice].map(([advice, findings]) => `${findings.join('; ')}${advice === '' ? '' : `: ${advice}`}`).join('. ');
  const prefix = where === undefined ? '' : `${where}: `;
  return `<p class="warnings"><span class="badge warn">⚠ noisy</span> ${escapeHtml(prefix + text)}</p>`;
}

function formatRange(low: number, high: number, unit: TimeUnit): string {
  return `${formatTimeValue(low, unit)}–${formatTime(high, unit)}`;
}

/** Calls per sample, as one number or a range when processes calibrated differently. */
function loopsCount(stored: StoredResult): string {
  const loops = stored.result.loops ?? [];
  if (loops.length === 0) return '';
  const low = Math.min(...loops);
  const high = Math.max(...loops);
  return low === high ? formatCount(low) : `${formatCount(low)}–${formatCount(high)}`;
}

function loopsText(stored: StoredResult): string {
  const count = loopsCount(stored);
  return count === '' ? '' : `${count} loops`;
}
