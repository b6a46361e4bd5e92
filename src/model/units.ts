/**
 * The one formatter of each unit that every stage may use for messages and logs (the page has its
 * own, with a unit per column, in render/format.ts).
 */

/** A duration for people: `850 ms`, `4.2 s`, `42 s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** Nanoseconds with three significant digits in the unit that suits them: `512 ns`, `1.23 µs`, `4.56 ms`, `7.89 s`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (Math.abs(ns) < 1e3) return `${ns.toPrecision(3)} ns`;
  if (Math.abs(ns) < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (Math.abs(ns) < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

/** `536870912` -> `512 MiB`, `1610612736` -> `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(2))} ${units[unit]}`;
}

/** A count with thousands separators (`12,000`), in a fixed locale so output does not depend on the machine. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A median in its unit: a time, or a count of instructions. */
export function formatMedian(stats: {median: number; unit?: 'ns' | 'instructions'}): string {
  return stats.unit === 'instructions' ? `${formatCount(Math.round(stats.median))} instructions` : formatNs(stats.median);
}
