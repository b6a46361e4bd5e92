/** A unit for showing times given in nanoseconds. */
export interface TimeUnit {
  name: 'ns' | 'µs' | 'ms' | 's';
  /** Nanoseconds in one unit. */
  scale: number;
}

/** The units a time may be shown in, smallest first. */
export const TIME_UNITS: readonly TimeUnit[] = [
  {name: 'ns', scale: 1},
  {name: 'µs', scale: 1e3},
  {name: 'ms', scale: 1e6},
  {name: 's', scale: 1e9}
];

/** The largest unit in which `ns` is at least 1 (`ns` for zero, negative or non-finite times). */
export function pickTimeUnit(ns: number): TimeUnit {
  let unit = TIME_UNITS[0]!;
  if (!Number.isFinite(ns)) return unit;
  for (const candidate of TIME_UNITS) if (ns >= candidate.scale) unit = candidate;
  return unit;
}

/**
 * Formats a number with about three significant digits (`1,234`, `123`, `12.3`, `1.23`, `0.123`).
 * Large values keep all their integer digits, with thousands separators: rounding 1234 to 1230 would
 * only hide information.
 */
export function formatSignificant(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return formatCount(Math.round(value));
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/**
 * An article's figure as it printed it: up to seven significant digits (`digits`), trailing zeros dropped,
 * thousands separators (`100.77`, `0.0784755`, `1,067.103`, `-2.7946`), so a table shows every digit
 * the article gave rather than our rounding of it.
 */
export function formatPublished(value: number, digits = 7): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  return Number(value.toPrecision(digits)).toLocaleString('en-US', {maximumFractionDigits: 12});
}

/** A time in nanoseconds as a number in `unit` (default: the unit that suits it), without the unit. */
export function formatTimeValue(ns: number, unit: TimeUnit = pickTimeUnit(ns)): string {
  return formatSignificant(ns / unit.scale);
}

/** A time in nanoseconds with its unit, e.g. `1.23 ms`. */
export function formatTime(ns: number, unit: TimeUnit = pickTimeUnit(ns)): string {
  return `${formatTimeValue(ns, unit)} ${unit.name}`;
}

/** A time interval in one unit, without the unit: `44.3–63.5`. */
export function formatInterval(low: number, high: number, unit: TimeUnit): string {
  return `${formatTimeValue(low, unit)}–${formatTimeValue(high, unit)}`;
}

/**
 * The unit for a column of times: the largest in which the middle value (the median of the column)
 * is at least 1, so that most cells read as `12.3` or `1,234` rather than `0.000123` or `12,345,678`.
 */
export function pickColumnUnit(values: readonly number[]): TimeUnit {
  const finite = values.filter((value) => Number.isFinite(value) && value > 0).sort((a, b) => a - b);
  if (finite.length === 0) return TIME_UNITS[0]!;
  return pickTimeUnit(finite[Math.floor((finite.length - 1) / 2)]!);
}

/**
 * A number for an axis tick: at most three significant digits, thousands separators, no trailing
 * zeros and no SI prefix (`0.01`, `2.5`, `1,000`, `20,000`).
 */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const rounded = Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(3));
  return rounded.toLocaleString('en-US', {maximumFractionDigits: 12});
}

/** A time in ns for an axis tick, in the unit that suits it: `10 ns`, `1 µs`, `2.5 ms`, `0.01 ns`. */
export function formatTimeTick(ns: number): string {
  if (ns === 0) return '0';
  const unit = pickTimeUnit(ns);
  return `${formatTick(ns / unit.scale)} ${unit.name}`;
}

/** A count with thousands separators (`12,000`); fixed locale so pages do not depend on the machine. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** The calendar day of an ISO date (`2024-05-01`), as written: no time-zone conversion. */
export function formatDay(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}/.exec(iso)?.[0] ?? iso;
}

/** A ratio such as a speed-up: `3.52×`. */
export function formatRatio(value: number): string {
  return `${formatSignificant(value)}×`;
}

/** A sentence's first letter in capitals: `the run` -> `The run`. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A fraction as a percentage: `0.875` -> `88%`. */
export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)}%` : '–';
}
