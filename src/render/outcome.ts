import type {Block} from '../parse/types.js';
import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {renderMeasurementNotes} from './measurement.js';
import {formatCount, formatDay, formatInterval, formatRatio, formatTime, formatTimeValue, pickColumnUnit, pickTimeUnit, type TimeUnit} from './format.js';
import {renderOutput} from './output.js';
import {runtimeWithFlags} from './provenance.js';
import {isMeasured, labelOf} from './rows.js';
import type {BlockOutcome} from './types.js';

/** Where a block's outcomes are shown: the page's notebook (for the files of cut outputs) and its notes. */
export interface OutcomeContext {
  /** The notebook's name: a cut output links `<name>.<key>.<stream>.txt` beside the page. */
  notebook?: string;
  /** The block shown, to name it in notes. */
  block?: Block;
  /**
   * Advice for whoever reproduces the page (what to install, which option to raise), collected for
   * the page's "How to reproduce" box instead of being repeated in the reader's text.
   */
  notes?: Set<string>;
}

/** A one-line notice (skipped, not run, missing results), escaped. */
export function renderNotice(text: string, kind = 'notice'): string {
  return `<p class="${kind}">${escapeHtml(text)}</p>`;
}

/** The sweep point of an outcome as `name=value`, or `undefined` for an unswept run. */
export function sweepLabel(stored: StoredResult | undefined): string | undefined {
  return stored?.sweep === undefined ? undefined : `${stored.sweep.name}=${String(stored.sweep.value)}`;
}

/**
 * An inline error box for a failed or timed-out run: the reason, then the captured stderr (capped,
 * with the whole of it beside the page when cut). `latest` marks the failure of a re-run shown beside
 * an older good result.
 */
export function renderFailure(stored: StoredResult, context: OutcomeContext = {}, latest = false): string {
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
  const stream = result.stderr !== '' ? 'stderr' : 'stdout';
  const output = result[stream];
  return [
    '<div class="error" role="alert">',
    `<p><strong>${escapeHtml(heading)}</strong>${reason === '' ? '' : `: ${escapeHtml(reason)}`}</p>`,
    output === '' ? '' : `${renderOutput(output, {className: 'failure', notebook: context.notebook ?? 'output', key: latest ? `${stored.key}.latest` : stored.key, stream})}\n`,
    '</div>'
  ].join('');
}

/**
 * A skip reason as a reader reads it. The execute stage's reasons for a missing runtime end in what
 * to do (`python-ft not configured: ... — set BENCHBOOK_PYTHON_FT to ...`): the reader gets what is
 * missing, and the whole reason goes to the page's "How to reproduce" notes.
 */
function skippedText(reason: string, context: OutcomeContext): string {
  const runtime = context.block?.runtime;
  const name = context.block === undefined ? 'This block' : labelOf(context.block);
  if (runtime !== undefined && reason.startsWith(`${runtime} `)) {
    context.notes?.add(`${name} was not measured: ${reason}`);
    return `Not measured: this machine has no ${runtime} runtime.`;
  }
  if (reason.includes(' — ')) {
    context.notes?.add(`${name} was not measured: ${reason}`);
    return `Not measured: ${reason.slice(0, reason.indexOf(' — '))}.`;
  }
  return `Not measured: ${reason}`;
}

/**
 * Renders what a `bench` or `run` block's outcomes say apart from measurements: skipped notices,
 * error boxes, stale-result notices, and "Not run" when there is nothing. Returns the stored results
 * left to show as results.
 */
export function renderProblems(outcomes: BlockOutcome[], context: OutcomeContext = {}): {html: string[]; shown: StoredResult[]} {
  const html: string[] = [];
  const shown: StoredResult[] = [];
  const notices = new Set<string>();
  for (const outcome of outcomes) {
    // A swept block skipped for a missing runtime says so once, not once per value.
    if (outcome.skipped !== undefined) notices.add(skippedText(outcome.skipped, context));
    const {stored, failure} = outcome;
    if (stored !== undefined) {
      const {status} = stored.result;
      if (status === 'failed' || status === 'timed-out') html.push(renderFailure(stored, context));
      else if (status === 'skipped') notices.add(skippedText(stored.result.reason ?? 'no reason given', context));
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
      html.push(renderFailure(failure, context, stored !== undefined));
    }
  }
  html.unshift(...[...notices].map((text) => renderNotice(text)));
  if (html.length === 0 && shown.length === 0) html.push(renderNotice('Not run'));
  return {html, shown};
}

/** The runtime and version a result was measured with, e.g. `python 3.11.7`, `go1.26.8`, `node v20.20.2`. */
export function runtimeLabel(stored: StoredResult): string {
  return runtimeWithFlags(stored);
}

/** The results line of one measured run: median, 95% CI, min–max, samples and calls, runtime. */
export function renderResultLine(stored: StoredResult, context: OutcomeContext = {}): string {
  if (!isMeasured(stored)) return '';
  const {stats} = stored;
  const unit = pickTimeUnit(stats.median);
  // A count under callgrind is not a time: the same figures, in instructions per call.
  const counted = (stored.result.unit ?? stats.unit) === 'instructions';
  const figure = (value: number) => (counted ? formatCount(Math.round(value)) : formatTime(value, unit));
  const range = (low: number, high: number) => (counted ? `${formatCount(Math.round(low))}–${formatCount(Math.round(high))}` : formatRange(low, high, unit));
  const parts = [
    `median <strong>${escapeHtml(figure(stats.median))}</strong>${counted ? ' instructions per call' : ''}`,
    `95% CI ${escapeHtml(range(stats.ci[0], stats.ci[1]))}`,
    `min–max ${escapeHtml(range(stats.min, stats.max))}`,
    escapeHtml(samplesText(stored)),
    escapeHtml(runtimeLabel(stored))
  ].filter((part) => part !== '');
  return `<p class="result">${parts.join(' · ')}</p>${renderMeasurementNotes(stored)}${renderWarnings([stored], context)}`;
}

/**
 * A small table of a swept block's measured runs, one row per swept value; `name` names its region
 * (unique on the page). Times are in one unit per column, the block's warnings one merged note.
 */
export function renderSweepTable(results: StoredResult[], name: string, context: OutcomeContext = {}): string {
  const measured = results.filter(isMeasured);
  if (measured.length === 0) return '';
  const names = new Set(measured.map((stored) => stored.sweep?.name ?? 'value'));
  const param = names.size === 1 ? [...names][0]! : 'value';
  const runtimes = [...new Set(measured.map(runtimeLabel))];
  const unit = pickColumnUnit(measured.map((stored) => stored.stats.median));
  const withLoops = measured.some((stored) => (stored.result.loops?.length ?? 0) > 0);
  // Each value a task of its own (`work=grows`): the speed-up counts the tasks done in the time of one.
  const grows = context.block?.options['work'] === 'grows' && measured.every((stored) => typeof stored.sweep?.value === 'number');
  const first = measured[0]!;
  const speedup = (stored: StoredResult & {stats: {median: number}}) =>
    (grows ? first.stats.median * ((stored.sweep!.value as number) / (first.sweep!.value as number)) : first.stats.median) / stored.stats.median;
  // "10 × 5": ten samples of five calls each, in one column so the table fits its card.
  const lines = [
    `<section class="table-scroll" aria-label="${escapeHtml(`${name}: results by ${param}`)}" tabindex="0">`,
    '<table class="sweep">',
    `<thead><tr><th scope="col">${escapeHtml(param)}</th><th scope="col" class="num">median (${unit.name})</th>` +
      `<th scope="col" class="num">95% CI (${unit.name})</th><th scope="col" class="num">min–max (${unit.name})</th>` +
      (withLoops ? '<th scope="col" class="num">samples × calls</th>' : '<th scope="col" class="num">samples</th>') +
      (measured.length > 1 ? `<th scope="col" class="num">${grows ? `speed-up (tasks done in the time of one)` : 'speed-up'}</th>` : '') +
      (runtimes.length > 1 ? '<th scope="col">runtime</th>' : '') +
      '</tr></thead>',
    '<tbody>'
  ];
  for (const stored of measured) {
    const {stats} = stored;
    const cells = [
      `<td>${escapeHtml(String(stored.sweep?.value ?? ''))}</td>`,
      `<td class="num">${escapeHtml(formatTimeValue(stats.median, unit))}</td>`,
      `<td class="num">${escapeHtml(formatInterval(stats.ci[0], stats.ci[1], unit))}</td>`,
      `<td class="num">${escapeHtml(formatInterval(stats.min, stats.max, unit))}</td>`,
      `<td class="num">${formatCount(stats.n)}${withLoops ? ` × ${loopsCount(stored) || '–'}` : ''}</td>`,
      // Relative to the first value measured, as in the notebook's `speedup` field.
      measured.length > 1 ? `<td class="num">${stats.median > 0 ? formatRatio(speedup(stored)) : '–'}</td>` : '',
      runtimes.length > 1 ? `<td>${escapeHtml(runtimeLabel(stored))}</td>` : ''
    ];
    lines.push(`<tr>${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>', '</section>');
  if (runtimes.length === 1) lines.push(`<p class="result">${escapeHtml(runtimes[0]!)}</p>`);
  const warnings = renderWarnings(measured, context);
  if (warnings !== '') lines.push(warnings);
  return lines.join('\n');
}

/**
 * The statistics warnings of a block's results in one compact note: each finding once, with the
 * swept values it holds for (`⚠ noisy at workers 1, 2, 3 and 4: only 3 samples`). The advice that
 * ends a warning (`: raise runs or min-time...`) names options, so it goes to the page's notes.
 */
export function renderWarnings(results: StoredResult[], context: OutcomeContext = {}): string {
  const byFinding = new Map<string, string[]>();
  for (const stored of results) {
    for (const warning of stored.stats?.warnings ?? []) {
      const split = warning.lastIndexOf(': ');
      const [finding, advice] = split === -1 ? [warning, ''] : [warning.slice(0, split), warning.slice(split + 2)];
      if (advice !== '') context.notes?.add(`Results marked ⚠ noisy: ${advice}.`);
      const values = byFinding.get(finding) ?? [];
      if (stored.sweep !== undefined) values.push(String(stored.sweep.value));
      byFinding.set(finding, values);
    }
  }
  if (byFinding.size === 0) return '';
  const param = results.find((stored) => stored.sweep !== undefined)?.sweep?.name;
  const swept = results.filter((stored) => stored.sweep !== undefined).length;
  // Findings that hold at the same values are said together: "at threads 1: a, b; at threads 2: c".
  const byValues = new Map<string, string[]>();
  for (const [finding, values] of byFinding) {
    const where =
      param === undefined || values.length === 0 ? '' : values.length === swept && swept > 1 ? `at every value of ${param}` : `at ${param} ${joinWords(values)}`;
    byValues.set(where, [...(byValues.get(where) ?? []), finding]);
  }
  const text = [...byValues].map(([where, findings]) => `${where === '' ? '' : `${where}: `}${findings.join(', ')}`).join('; ');
  // The measure stage writes counts bare ("lasted 25031 ns"): people read them with separators.
  const readable = text.replace(/\b\d{5,}\b/g, (digits) => formatCount(Number(digits)));
  return `<p class="warnings"><span class="badge warn">⚠ noisy</span> ${escapeHtml(readable)}</p>`;
}

/** `1`, `1 and 2`, `1, 2 and 4`. */
function joinWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`;
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

/** `10 samples of 20 calls`, `10 samples of 1 call`, `3 samples` (process mode: one run each). */
function samplesText(stored: StoredResult): string {
  const n = stored.stats?.n ?? 0;
  const samples = `${formatCount(n)} ${n === 1 ? 'sample' : 'samples'}`;
  const count = loopsCount(stored);
  if (count === '') return samples;
  return `${samples} of ${count} ${count === '1' ? 'call' : 'calls'}`;
}
