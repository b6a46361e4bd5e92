/**
 * The notebook syntax later stages read again (placeholders in code, sweep ranges): apart from the
 * parser, so that planning and running do not load micromark.
 */

/** Matches a `{{name}}` placeholder, filled with a parameter's value when the block runs. */
export const placeholderPattern = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** Matches a `{{lib:id}}` placeholder, filled with the absolute path of the built library when the block runs. */
export const libraryPlaceholderPattern = /\{\{\s*lib:([A-Za-z][\w.-]*)\s*\}\}/g;

/** Most runs one sweep may expand to: a typo such as `1..1000000` must not plan a million runs. */
export const maxSweepValues = 10_000;

/** Whether a parameter value is a range such as `1..12`. */
export function isRange(value: unknown): value is string {
  return typeof value === 'string' && /^-?\d+\.\.-?\d+$/.test(value);
}
