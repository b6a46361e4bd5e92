import type {Block} from '../parse/types.js';
import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatDay} from './format.js';
import {labelOf} from './rows.js';

/** A library a block loads (`uses=`), as provenance names it: its compiler and flags when known. */
export interface LibraryInfo {
  id: string;
  /** `go`, `c` or `rust`. */
  runtime: string;
  /** The compiler's version (`go1.26.8`, `gcc 12.2.0`), when the page knows this machine's runtimes. */
  version?: string;
  flags?: string[];
}

/** What a provenance line is about: the results under a chart or table and how to get them again. */
export interface ProvenanceInput {
  /** The element the line belongs to (its permalink). */
  id: string;
  /** What the element is, for its permalink's text (default `chart`). */
  kind?: 'chart' | 'table';
  /** The measured results shown, each with its block. */
  results: Array<{block: Block; stored: StoredResult}>;
  /** The libraries those blocks load, with the compiler that built them. */
  libraries?: LibraryInfo[];
  /** The command that builds the page (`npm run report -- notebooks/x.md`), without setup steps. */
  reportCommand?: string;
}

/**
 * Renders the provenance of a chart or table: when and where it was measured, the profile (linked
 * to the page's parameters), every runtime version with its compiler flags and the libraries the
 * blocks load, samples per result, one badge naming the blocks whose statistics warned (wide
 * spread, many outliers), a permalink, and, collapsed, the command that re-runs just these blocks.
 */
export function renderProvenance(input: ProvenanceInput): string {
  const {results} = input;
  if (results.length === 0) return '';
  const stored = results.map((result) => result.stored);
  const facts = [measuredWhen(stored), measuredWhere(stored), machineNoise(stored), profiles(stored), runtimes(stored, input.libraries ?? []), sampleCounts(stored)].filter(
    (fact) => fact !== ''
  );
  const noisy = uniqueBlocks(results.filter(({stored}) => (stored.stats?.warnings.length ?? 0) > 0));
  const badge =
    noisy.length === 0
      ? ''
      : ` · <span class="badge warn" title="${escapeHtml(warningTitle(results))}">⚠ noisy</span> ` +
        noisy.map((block) => `<a href="#${escapeHtml(block.id)}">${escapeHtml(labelOf(block))}</a>`).join(', ');
  const kind = input.kind ?? 'chart';
  // The separator goes with the link, so that print, which has no use for the link, drops both.
  const permalink = `<span class="permalink-item"> · <a class="permalink" href="#${escapeHtml(input.id)}">Link to this ${kind}</a></span>`;
  const lines = ['<div class="provenance">', `<p>${facts.join(' · ')}${badge}${permalink}</p>`];
  if (input.reportCommand !== undefined) {
    const ids = uniqueBlocks(results).map((block) => block.id);
    const command = `${input.reportCommand} --filter ${ids.join(',')} --rerun`;
    lines.push(`<details class="rerun"><summary>Measure these again</summary><p><code>${escapeHtml(command)}</code> runs just the ${ids.length === 1 ? 'block' : `${ids.length} blocks`} of this ${kind} again and rebuilds the page.</p></details>`);
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

/**
 * How quiet the machine was when these were measured (the noise check before measuring): its load,
 * and a short mark for each kind of noise it found, the warnings in full on hover.
 */
function machineNoise(stored: StoredResult[]): string {
  const reports = stored.flatMap((result) => (result.machine.noise ? [result.machine.noise] : []));
  if (reports.length === 0) return '';
  const loads = reports.map((report) => report.loadavg);
  const low = Math.min(...loads);
  const high = Math.max(...loads);
  const warnings = [...new Set(reports.flatMap((report) => report.warnings))];
  const load = `load ${low === high ? low : `${low}–${high}`} on ${reports[0]!.cpus} CPUs`;
  return warnings.length === 0 ? escapeHtml(`${load}, quiet`) : `<span title="${escapeHtml(warnings.join('\n'))}">${escapeHtml(`${load}, ${warnings.length} noise ${warnings.length === 1 ? 'warning' : 'warnings'}`)}</span>`;
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

/** The profiles, linked to the page's parameters panel, which says what sizes they mean. */
function profiles(stored: StoredResult[]): string {
  const names = [...new Set(stored.map((result) => result.profile))];
  return `<a href="#parameters">${names.map(escapeHtml).join(', ')} ${names.length === 1 ? 'profile' : 'profiles'}</a>`;
}

/** Each runtime once with its compiler flags (`gcc 12.2.0 -O2 -std=gnu11`), then the libraries loaded. */
function runtimes(stored: StoredResult[], libraries: LibraryInfo[]): string {
  const names = [...new Set(stored.map(runtimeWithFlags))];
  const libs = libraries.map((library) => {
    const kind = LIBRARY_KINDS[library.runtime] ?? `${library.runtime} library`;
    // Results do not record a library's compiler; a page built without this machine's runtimes (--from-data) cannot name it.
    const built = library.version === undefined ? `${kind} (compiler not known to this build)` : `${kind} built with ${[library.version, ...(library.flags ?? [])].join(' ')}`;
    return `${library.id}: ${built}`;
  });
  return [...names, ...libs].map(escapeHtml).join(', ');
}

/** What a `lib` block becomes, by its runtime. */
const LIBRARY_KINDS: Record<string, string> = {go: 'Go c-shared library', c: 'C shared library', rust: 'Rust extension module (PyO3)'};

/** A runtime with the compiler flags its blocks were built with: `gcc 12.2.0 -O2 -std=gnu11`, `go1.26.8`. */
export function runtimeWithFlags(stored: StoredResult): string {
  const flags = stored.runtime.flags ?? [];
  return flags.length === 0 ? shortRuntime(stored) : `${shortRuntime(stored)} ${flags.join(' ')}`;
}

function sampleCounts(stored: StoredResult[]): string {
  const counts = stored.flatMap((result) => (result.stats === undefined ? [] : [result.stats.n]));
  if (counts.length === 0) return '';
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const range = low === high ? formatCount(low) : `${formatCount(low)}–${formatCount(high)}`;
  return `${range} ${high === 1 ? 'sample' : 'samples'} per result`;
}

function uniqueBlocks(results: Array<{block: Block}>): Block[] {
  return [...new Map(results.map(({block}) => [block.id, block])).values()];
}

/** Every warning once, for the badge's hover text. */
function warningTitle(results: Array<{block: Block; stored: StoredResult}>): string {
  const lines = results.flatMap(({block, stored}) => (stored.stats?.warnings ?? []).map((warning) => `${labelOf(block)}: ${warning}`));
  return [...new Set(lines)].join('\n');
}
