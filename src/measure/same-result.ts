import type {ReturnValue} from '../model/index.js';

/** Two returned numbers agree when they differ by at most this fraction of the larger: the same sum added in another order differs in its last digits. */
export const sameResultRelativeTolerance = 1e-6;

/** Two returned numbers this close agree whatever their size: near zero a relative tolerance asks for more digits than a float has. */
export const sameResultAbsoluteTolerance = 1e-12;

/** How two return values compare: `none` (or no record at all) is comparable with nothing. */
export type ResultAgreement = 'same' | 'different' | 'not comparable';

/**
 * Whether two blocks computed the same result: numbers within {@link sameResultRelativeTolerance}
 * (or {@link sameResultAbsoluteTolerance}), digests equal, a number and a digest never; `none` or a
 * missing value is `not comparable`.
 */
export function compareReturnValues(a: ReturnValue | undefined, b: ReturnValue | undefined): ResultAgreement {
  if (!a || !b || a.kind === 'none' || b.kind === 'none') return 'not comparable';
  if (a.kind === 'number' && b.kind === 'number') {
    const allowed = Math.max(sameResultRelativeTolerance * Math.max(Math.abs(a.value), Math.abs(b.value)), sameResultAbsoluteTolerance);
    return Math.abs(a.value - b.value) <= allowed ? 'same' : 'different';
  }
  return a.kind === b.kind && a.value === b.value ? 'same' : 'different';
}

/**
 * The warnings of a claim whose blocks do not compute the same result: one per pair of the keys it
 * read that differ. Keys are compared at the same point only: two unswept results, or two sweep
 * points at the same parameter value (`a@n=4` with `b@n=4`, not with `b@n=8`).
 */
export function sameResultWarnings(keys: readonly string[], returnValueOf: (key: string) => ReturnValue | undefined): string[] {
  const warnings: string[] = [];
  const unique = [...new Set(keys)];
  for (const [index, a] of unique.entries()) {
    for (const b of unique.slice(index + 1)) {
      if (pointOf(a) !== pointOf(b)) continue;
      const [aValue, bValue] = [returnValueOf(a), returnValueOf(b)];
      if (compareReturnValues(aValue, bValue) !== 'different') continue;
      const [aText, bText] = describePair(aValue!, bValue!);
      warnings.push(
        `the blocks do not compute the same result: \`${a}\` returned ${aText} and \`${b}\` ${bText}; if they are meant to differ, say so with \`same-result=no\``
      );
    }
  }
  return warnings;
}

/** The sweep point of a store key (`workers=4`), empty for an unswept one. */
function pointOf(key: string): string {
  const at = key.indexOf('@');
  return at === -1 ? '' : key.slice(at + 1);
}

/** Two differing values in words, numbers with just the digits that tell them apart: `3.14159` and `3.14160`. */
function describePair(a: ReturnValue, b: ReturnValue): [string, string] {
  if (a.kind === 'number' && b.kind === 'number') return distinctDigits(a.value, b.value);
  const describe = (value: ReturnValue) => (value.kind === 'number' ? String(value.value) : value.kind === 'digest' ? `data of digest ${value.value}` : 'nothing');
  return [describe(a), describe(b)];
}

function distinctDigits(a: number, b: number): [string, string] {
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return [String(a), String(b)];
  // At least six significant digits, more until the two differ as written.
  for (let digits = 6; digits < 17; digits++) {
    const [aText, bText] = [a.toPrecision(digits), b.toPrecision(digits)];
    if (aText !== bText) return [aText, bText];
  }
  return [String(a), String(b)];
}
