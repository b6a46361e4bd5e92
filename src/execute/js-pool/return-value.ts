/**
 * What a JS or TS bench function returned, described inside the worker as every harness describes
 * it (docs/measurement.md, "The value a bench function returns"): a number as itself, `undefined`
 * or `null` as `none`, other data as the FNV-1a 64 digest of its canonical text, the same text the
 * Python, Go, C++ and Rust harnesses write for the same data.
 */
import type {ReturnValue} from '../../model/index.js';

/** Canonical text longer than this (UTF-8 bytes) is not digested, as in the other harnesses. */
export const canonicalCapBytes = 8 * 2 ** 20;

/** A value with no canonical text (a class instance, a function, a symbol), or too much of it. */
class Opaque extends Error {}

/** FNV-1a 64 of the UTF-8 of `text`, as 16 lowercase hexadecimal digits. */
export function fnv1a64(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // The 64-bit state as four 16-bit limbs, least significant first: every product stays exact in a double.
  let [h0, h1, h2, h3] = [0x2325, 0x8422, 0x9ce4, 0xcbf2];
  for (const byte of bytes) {
    h0 ^= byte;
    // Times the prime 2^40 + 0x1b3: limb 0 of it is 0x1b3, limb 2 is 0x100.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    [h0, h1, h2, h3] = [t0 & 0xffff, t1 & 0xffff, t2 & 0xffff, t3 & 0xffff];
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

/** A number's canonical text: integral values below 2^53 as integers, others in shortest scientific form (`1.5e-7`). */
export function canonicalNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return String(value);
  return value.toExponential().replace('e+', 'e');
}

const shortEscapes: Record<string, string> = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'};

function canonicalString(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f]/g, (char) => shortEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Orders canonical texts by their UTF-8 bytes (code points), as the other harnesses sort. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The canonical text of `value`: JSON without spaces, numbers as {@link canonicalNumber}, object keys sorted; throws `Opaque`. */
export function canonicalText(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return canonicalNumber(value);
    case 'bigint':
      return String(value);
    case 'string':
      return canonicalString(value);
    case 'object':
      break;
    default:
      throw new Opaque();
  }
  if (value === null) return 'null';
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const items = value as ArrayLike<unknown>;
    // Each element takes at least a digit and a comma: a longer array cannot fit.
    if (2 * items.length > canonicalCapBytes) throw new Opaque();
    const parts: string[] = [];
    for (let i = 0; i < items.length; i++) parts.push(canonicalText(items[i]));
    return `[${parts.join(',')}]`;
  }
  if (value instanceof Set) {
    if (2 * value.size > canonicalCapBytes) throw new Opaque();
    return `[${[...value].map(canonicalText).sort(byUtf8).join(',')}]`;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  let entries: Array<[unknown, unknown]>;
  if (value instanceof Map) entries = [...value];
  else if (prototype === Object.prototype || prototype === null) entries = Object.entries(value);
  // A class instance's fields are not its data as another language would hold it.
  else throw new Opaque();
  if (4 * entries.length > canonicalCapBytes) throw new Opaque();
  const fields = entries.map(([key, item]) => {
    const name = typeof key === 'string' ? key : canonicalText(key);
    return {name, text: `${canonicalString(name)}:${canonicalText(item)}`};
  });
  fields.sort((a, b) => byUtf8(a.name, b.name) || byUtf8(a.text, b.text));
  return `{${fields.map((field) => field.text).join(',')}}`;
}

/**
 * The harness's record of what a bench function returned: numbers (booleans as 0 and 1, finite
 * bigints as numbers) as themselves, `undefined` and `null` as `none`, anything else with a canonical
 * text by its digest; undefined when it has none or its text is over {@link canonicalCapBytes}.
 */
export function describeReturnValue(value: unknown): ReturnValue | undefined {
  if (value === undefined || value === null) return {kind: 'none'};
  if (typeof value === 'boolean') return {kind: 'number', value: value ? 1 : 0};
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
  if (number !== undefined && Number.isFinite(number)) return {kind: 'number', value: number};
  try {
    const bytes = Buffer.from(canonicalText(value), 'utf8');
    return bytes.length > canonicalCapBytes ? undefined : {kind: 'digest', value: fnv1a64(bytes)};
  } catch {
    // A cycle (the stack overflows), a class instance, a function: the value is left undescribed, never a failed run.
    return undefined;
  }
}
