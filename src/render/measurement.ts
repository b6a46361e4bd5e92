import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {minRuns} from '../measure/runs.js';
import {formatInterval, formatTime, pickTimeUnit} from './format.js';

/**
 * What the measurement of one result did, in a line under its figures: how many processes and
 * samples, chosen how (Kalibera and Jones's dimensioning, or as written), and each process's
 * steady state (Barrett et al.): flat, warm-up (with how much time it took), slow-down, or no
 * steady state. Empty for results without them (process mode, instruction counts, older records).
 */
export function renderMeasurementNotes(stored: StoredResult): string {
  const {design, steady} = stored.result;
  const parts: string[] = [];
  if (design) parts.push(design.mode === 'auto' ? `${design.reason}` : `${design.processes} ${design.processes === 1 ? 'process' : 'processes'}, as set`);
  if (steady && steady.length > 0) {
    const counts = new Map<string, number>();
    for (const state of steady) counts.set(state.classification, (counts.get(state.classification) ?? 0) + 1);
    const warmups = steady.filter((state) => state.classification === 'warm-up').map((state) => state.warmupNs);
    const described = [...counts].map(([name, count]) => {
      const warm = name === 'warm-up' && warmups.length > 0 ? ` (${formatTime(Math.min(...warmups))}–${formatTime(Math.max(...warmups))} before steady)` : '';
      return `${name}${warm} in ${count} of ${steady.length}`;
    });
    parts.push(`steady state: ${described.join(', ')}`);
  }
  parts.push(runsNote(stored));
  const shown = parts.filter((part) => part !== '');
  return shown.length === 0 ? '' : `<p class="measurement">${escapeHtml(shown.join(' · '))}</p>`;
}

/**
 * What the 95% interval covers: the spread between runs once three runs of this code on this
 * machine are on record (Kalibera and Jones's top level), else this run's processes alone, said so,
 * since the next build may land outside an interval that cannot see the machine drift between builds.
 */
export function runsNote(stored: StoredResult): string {
  const runs = stored.stats?.runs;
  if (!stored.stats || stored.kind !== 'bench' || stored.result.unit === 'instructions') return '';
  if (!runs) {
    const earlier = stored.history?.length ?? 0;
    if ((stored.result.groups?.length ?? 0) < 2) return '';
    return `interval from this run's processes only: the spread between runs needs ${minRuns} runs of this code here (${earlier + 1} so far)`;
  }
  const unit = pickTimeUnit(stored.stats.median);
  return `interval includes the spread between ${runs.count} runs of this code here (±${(runs.spread * 100).toFixed(1)}%); this run alone: ${formatInterval(runs.ownCi[0], runs.ownCi[1], unit)} ${unit.name}`;
}
