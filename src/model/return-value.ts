/**
 * What a bench function returned, as its harness recorded it after timing: a number as itself, any
 * other data as the FNV-1a 64 digest of its canonical text (docs/measurement.md, "The value a bench
 * function returns"), nothing at all as `none`. Blocks a claim compares should agree on it.
 */
export type ReturnValue = {kind: 'number'; value: number} | {kind: 'digest'; value: string} | {kind: 'none'};

/** A digest as the harnesses write it: 16 lowercase hexadecimal digits. */
const digestPattern = /^[0-9a-f]{16}$/;

/**
 * The first problem of a recorded return value read from a file (a harness's result file, a stored
 * record from another machine), as a short phrase; undefined when it is well formed.
 */
export function returnValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const fields = value as Record<string, unknown>;
  const extra = Object.keys(fields).find((key) => key !== 'kind' && key !== 'value');
  if (extra !== undefined) return `has an unknown field ${JSON.stringify(extra.slice(0, 40))}`;
  switch (fields.kind) {
    case 'number':
      return typeof fields.value === 'number' && Number.isFinite(fields.value) ? undefined : 'is a number without a finite value';
    case 'digest':
      return typeof fields.value === 'string' && digestPattern.test(fields.value) ? undefined : 'is a digest without 16 hexadecimal digits';
    case 'none':
      return 'value' in fields ? 'is none but carries a value' : undefined;
    default:
      return `has an unknown kind ${typeof fields.kind === 'string' ? JSON.stringify(fields.kind.slice(0, 40)) : `of type ${typeof fields.kind}`}`;
  }
}

/** A recorded return value read from a file as a fresh object of its own fields, or undefined when it is malformed. */
export function readReturnValue(value: unknown): ReturnValue | undefined {
  if (returnValueProblem(value) !== undefined) return undefined;
  const read = value as ReturnValue;
  return read.kind === 'none' ? {kind: 'none'} : read.kind === 'number' ? {kind: 'number', value: read.value} : {kind: 'digest', value: read.value};
}
