/**
 * Checks of records that come from elsewhere (`benchbook merge`): result files and shard
 * manifests measured on another machine are untrusted input. Each check returns the first problem
 * as a short phrase, or undefined when the value is a well-formed record.
 */
import {returnValueProblem, type StoredResult} from '../model/index.js';

/** The record format this version reads and writes. */
export const storedFormat = 1;

/** Largest file `merge` reads (a record with raw samples of a long run is a few hundred KiB). */
export const defaultMaxFileBytes = 16 * 2 ** 20;

/** A folder or file name that stays where it is put: no separators, no `.`/`..`, no leading dot. */
export function isPlainName(name: string, max = 200): boolean {
  return name.length > 0 && name.length <= max && /^[A-Za-z0-9_][\w.@=-]*$/.test(name) && !name.includes('..');
}

/** A machine fingerprint as `describeMachine` makes them (12 hex digits), or any plain short name. */
export function isFingerprint(name: string): boolean {
  return isPlainName(name, 64) && /^[\w-]+$/.test(name);
}

const statuses = new Set(['ok', 'failed', 'timed-out', 'skipped']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown, max = 1000): value is string => typeof value === 'string' && value.length <= max;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isNumbers = (value: unknown): boolean => Array.isArray(value) && value.every(isNumber);

/** Where a record was found: it must say the same of itself. */
export interface RecordPlace {
  notebook: string;
  fingerprint: string;
  /** File name without `.json` / `.failed.json`. */
  fileBase: string;
  /** `fileNameOfKey` of the store, passed in to keep one definition of it. */
  fileNameOfKey(key: string): string;
}

/** The first problem of a stored result read from `place`, or undefined when it is well formed. */
export function recordProblem(value: unknown, place: RecordPlace): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.format !== storedFormat) return `unknown format version ${JSON.stringify(value.format)} (this benchbook reads format ${storedFormat})`;
  for (const field of ['notebook', 'key', 'blockId', 'hash', 'profile', 'date'] as const) {
    if (!isString(value[field])) return `field ${field} is not a string`;
  }
  const record = value as unknown as StoredResult;
  if (record.notebook !== place.notebook) return `its notebook ${JSON.stringify(record.notebook)} is not the folder it is in (${place.notebook})`;
  if (place.fileNameOfKey(record.key) !== place.fileBase) return `its key ${JSON.stringify(record.key)} does not match the file name`;
  if (!isPlainName(record.blockId)) return `block id ${JSON.stringify(record.blockId)} is not a plain name`;
  if (record.kind !== 'bench' && record.kind !== 'run') return `kind ${JSON.stringify(record.kind)} is neither bench nor run`;
  if (Number.isNaN(Date.parse(record.date))) return `date ${JSON.stringify(record.date)} is not a date`;
  const runtime = value.runtime;
  if (!isObject(runtime) || !isString(runtime.name, 100) || !isString(runtime.version) || !isString(runtime.executable, 4096)) return 'runtime is not {name, version, executable}';
  if (runtime.flags !== undefined && !(Array.isArray(runtime.flags) && runtime.flags.every((flag) => isString(flag)))) return 'runtime flags are not strings';
  const machineProblem = machineProblemOf(value.machine);
  if (machineProblem) return machineProblem;
  if (record.machine.fingerprint !== place.fingerprint) return `its machine ${JSON.stringify(record.machine.fingerprint)} is not the folder it is in (${place.fingerprint})`;
  const result = value.result;
  if (!isObject(result)) return 'result is not an object';
  if (!statuses.has(result.status as string)) return `result status ${JSON.stringify(result.status)} is unknown`;
  if (!isNumber(result.durationMs) || typeof result.timedOut !== 'boolean') return 'result has no durationMs or timedOut';
  if (!isString(result.stdout, 10 * 2 ** 20) || !isString(result.stderr, 10 * 2 ** 20)) return 'result stdout or stderr is not a string';
  if (result.reason !== undefined && !isString(result.reason, 10_000)) return 'result reason is not a string';
  for (const field of ['samples', 'loops', 'warmupNs'] as const) if (result[field] !== undefined && !isNumbers(result[field])) return `result ${field} are not numbers`;
  if (result.process !== undefined) {
    const process = result.process;
    if (!isObject(process) || !['wallNs', 'userNs', 'sysNs', 'maxRssKiB'].every((field) => isNumbers(process[field]))) return 'result process times are not numbers';
  }
  if (result.returnValue !== undefined) {
    const problem = returnValueProblem(result.returnValue);
    if (problem) return `result returnValue ${problem}: expected {"kind": "number", "value": n}, {"kind": "digest", "value": "<16 hex digits>"} or {"kind": "none"}`;
  }
  if (value.stats !== undefined) {
    const stats = value.stats;
    if (!isObject(stats) || !['n', 'min', 'max', 'mean', 'median', 'stddev', 'mad'].every((field) => isNumber(stats[field]))) return 'stats are not numbers';
    if (!isNumbers(stats.ci) || (stats.ci as number[]).length !== 2 || !isNumbers(stats.outliers) || !(Array.isArray(stats.warnings) && stats.warnings.every((item) => isString(item)))) return 'stats ci, outliers or warnings are malformed';
    if (stats.runs !== undefined) {
      const runs = stats.runs;
      if (!isObject(runs) || !isNumber(runs.count) || !isNumber(runs.spread) || !isNumbers(runs.ownCi) || (runs.ownCi as number[]).length !== 2) return 'stats runs is not {count, spread, ownCi}';
    }
  }
  if (value.history !== undefined) {
    // The spread between runs widens this result's interval: a malformed run would skew every later one.
    if (!Array.isArray(value.history) || value.history.length > 100) return 'history is not a list of runs';
    for (const run of value.history as unknown[]) {
      if (!isObject(run) || !isString(run.date, 100) || !isNumber(run.median) || !isNumber(run.processes) || !isNumbers(run.ci) || (run.ci as number[]).length !== 2) return 'history has a run that is not {date, median, ci, processes}';
    }
  }
  if (value.sweep !== undefined && !(isObject(value.sweep) && isString(value.sweep.name, 100) && ['string', 'number', 'boolean'].includes(typeof value.sweep.value))) return 'sweep is not {name, value}';
  if (value.per !== undefined && !(isObject(value.per) && isString(value.per.name, 100) && isNumber(value.per.value))) return 'per is not {name, value}';
  return undefined;
}

/** The first problem of a machine description, or undefined. */
export function machineProblemOf(machine: unknown): string | undefined {
  if (!isObject(machine)) return 'machine is not an object';
  if (!isString(machine.fingerprint) || !isFingerprint(machine.fingerprint)) return `machine fingerprint ${JSON.stringify(machine.fingerprint)} is not a plain name`;
  for (const field of ['hostname', 'cpu', 'os', 'kernel', 'arch'] as const) if (!isString(machine[field], 500)) return `machine ${field} is not a string`;
  for (const field of ['cores', 'memoryGiB', 'loadavg'] as const) if (!isNumber(machine[field])) return `machine ${field} is not a number`;
  return undefined;
}
