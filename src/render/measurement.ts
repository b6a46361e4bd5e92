import type {StoredResult} from '../model/index.js';
import {escapeHtml} from './escape.js';
import {formatTime} from './format.js';

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
  return parts.length === 0 ? '' : `<p class="measurement">${escapeHtml(parts.join(' · '))}</p>`;
}
