import type {Block} from '../parse/types.js';
import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatDay} from './format.js';
import {labelOf} from './rows.js';

/** What a provenance line is about: the results under a chart or table and how to get them again. */
export interface ProvenanceInput {
  /** The element the line belongs to (its permalink). */
  id: string;
  /** The measured results shown, each with its block. */
  results: Array<{block: Block; stored: StoredResult}>;
  /** The command that builds the page (`npm run report -- notebooks/x.md`), without setup steps. */
  reportCommand?: string;
}

/**
 * Renders the provenance of a chart or table: when and where it was measured, the profile, runtime
 * versions, samples per result, a warning badge naming the blocks whose statistics warned (wide
 * spread, many outliers), and the exact command that re-runs just these blocks.
 */
export function renderProvenance(input: ProvenanceInput): string {
  const {results} = input;
  if (results.length === 0) return '';
  const stored = results.map((result) => result.stored);
  const facts = [measuredWhen(stored), measuredWhere(stored), profiles(stored), runtimes(stored), sampleCounts(stored)].filter(
    (fact) => fact !== ''
  );
  const noisy = uniqueBlocks(results.filter(({stored}) => (stored.stats?.warnings.length ?? 0) > 0));
  const badge =
    noisy.length === 0
      ? ''
      : ` <span class="badge warn" title="${escapeHtml(warningTitle(results))}">⚠ noisy</span> ` +
        noisy.map((block) => `<a href="#${escapeHtml(block.id)}">${escapeHtml(labelOf(block))}</a>`).join(', ');
  const lines = ['<div class="provenance">', `<p>${facts.join(' · ')}${badge}</p>`];
  if (input.reportCommand !== undefined) {
    const ids = uniqueBlocks(results).map((block) => block.id);
    const command = `${input.reportCommand} --filter ${ids.join(',')} --rerun`;
    lines.push(`<p class="reproduce">Re-run: <code>${escapeHtml(command)}</code> · <a class="permalink" href="#${escapeHtml(input.id)}">link</a></p>`);
  }
  lines.push('</div>');
  return lines.join('\n');
}

/**
 * The report step of a page's reproduce command (`npm ci && npm run setup && npm run report -- x.md`
 * gives `npm run report -- x.md`): what a reader runs again once set up.
 */
export function reportStep(command: string): string {
  return command.split('&&').at(-1)!.trim();
}

/** A runtime in a few words: `python 3.11.7`, `go1.26.8`, `gcc 12.2.0` (versions that name themselves stand alone). */
export function shortRuntime(stored: StoredResult): string {
  const {name, version} = stored.runtime;
  return version.startsWith(name) || /\s/.test(version) ? version : `${name} ${version}`;
}

function measuredWhen(stored: StoredResult[]): string {
  const days = [...new Set(stored.map((result) => formatDay(result.date)))].sort();
  const time = (day: string) => {
    const full = stored.filter((result) => formatDay(result.date) === day).map((result) => result.date).sort().at(-1)!;
    return `<time datetime="${escapeHtml(full)}">${escapeHtml(day)}</time>`;
  };
  return days.length === 1 ? `Measured ${time(days[0]!)}` : `Measured ${time(days[0]!)} to ${time(days.at(-1)!)}`;
}

function measuredWhere(stored: StoredResult[]): string {
  const machines = [...new Map(stored.map((result) => [result.machine.fingerprint, result.machine])).values()];
  const describe = (machine: StoredResult['machine']) => `${machine.cpu} (${machine.cores} ${machine.cores === 1 ? 'core' : 'cores'})`;
  return `on ${machines.map((machine) => escapeHtml(describe(machine))).join(' and ')}`;
}

function profiles(stored: StoredResult[]): string {
  const names = [...new Set(stored.map((result) => result.profile))];
  return `profile ${names.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}`;
}

function runtimes(stored: StoredResult[]): string {
  return [...new Set(stored.map(shortRuntime))].map(escapeHtml).join(', ');
}

function sampleCounts(stored: StoredResult[]): string {
  const counts = stored.flatMap((result) => (result.stats === undefined ? [] : [result.stats.n]));
  if (counts.length === 0) return '';
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const range = low === high ? formatCount(low) : `${formatCount(low)}–${formatCount(high)}`;
  return `${range} samples per result`;
}

function uniqueBlocks(results: Array<{block: Block}>): Block[] {
  return [...new Map(results.map(({block}) => [block.id, block])).values()];
}

/** Every warning once, for the badge's hover text. */
function warningTitle(results: Array<{block: Block; stored: StoredResult}>): string {
  const lines = results.flatMap(({block, stored}) => (stored.stats?.warnings ?? []).map((warning) => `${labelOf(block)}: ${warning}`));
  return [...new Set(lines)].join('\n');
}
