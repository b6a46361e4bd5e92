import {createHash} from 'node:crypto';
import {isRange, placeholderPattern} from '../parse/index.js';
import type {Block, BlockOptions, Notebook, ParamScalar, ParamValue} from '../parse/types.js';
import type {MeasureSettings, RuntimeInfo} from '../execute/types.js';
import type {Plan, PlannedRun} from './types.js';

export type * from './types.js';

/**
 * Bumped whenever the harnesses change what they measure, so that results measured by an older
 * harness are re-run instead of silently reused.
 */
export const harnessVersion = 1;

/** Built-in measurement defaults; the notebook's `measure:`, the profile's and the block's options override them. */
export const defaultMeasure = {repeat: 5, warmup: 1, processes: 2, 'min-sample': 10, timeout: 60_000} as const;

/** Options of `planNotebook`. */
export interface PlanOptions {
  /** Profile name (default `quick`). */
  profile?: string;
  /** Runtimes found on this machine (from `resolveRuntimes`). */
  runtimes: Record<string, RuntimeInfo>;
  /** Runtimes that could not be found, with the reason. */
  missing?: Record<string, string>;
  /** Only plan blocks whose id is in this list (`--filter`). */
  filter?: string[];
}

/**
 * Makes a notebook ready to execute under one profile: parameters resolved, sweeps expanded into one
 * run per value, placeholders filled in, and a content hash per run that decides whether a stored
 * result can be reused.
 */
export function planNotebook(notebook: Notebook, options: PlanOptions): Plan {
  const profileName = options.profile ?? 'quick';
  const declared = Object.keys(notebook.profiles);
  if (declared.length > 0 && !(profileName in notebook.profiles) && profileName !== 'quick') {
    throw new TypeError(`profile \`${profileName}\` is not declared in ${notebook.path}: expected one of ${declared.join(', ')}`);
  }
  const profile = notebook.profiles[profileName] ?? {params: {}, measure: {}};
  const params: Record<string, ParamValue> = {...notebook.params, ...profile.params};
  const measureDefaults: BlockOptions = {...defaultMeasure, ...notebook.measure, ...profile.measure};

  const runs: PlannedRun[] = [];
  for (const block of notebook.blocks) {
    if (block.kind !== 'bench' && block.kind !== 'run') continue;
    if (options.filter && !options.filter.includes(block.id)) continue;
    const sweepName = typeof block.options.sweep === 'string' ? block.options.sweep : undefined;
    const values: Array<ParamScalar | undefined> = sweepName ? sweepValues(params[sweepName]) : [undefined];
    for (const value of values) {
      const runParams = sweepName && value !== undefined ? {...params, [sweepName]: value} : params;
      runs.push(planRun(block, runParams, measureDefaults, options.runtimes, sweepName, value));
    }
  }
  return {notebook, profile: profileName, params, runs, runtimes: options.runtimes, missing: options.missing ?? {}};
}

/** The values a swept parameter takes: a list as is, a range `a..b` expanded (inclusive). */
export function sweepValues(value: ParamValue | undefined): ParamScalar[] {
  if (Array.isArray(value)) return value;
  if (isRange(value)) {
    const [from, to] = value.split('..').map(Number) as [number, number];
    const step = from <= to ? 1 : -1;
    const values: number[] = [];
    for (let x = from; step > 0 ? x <= to : x >= to; x += step) values.push(x);
    return values;
  }
  return value === undefined ? [] : [value];
}

function planRun(
  block: Block,
  params: Record<string, ParamValue>,
  defaults: BlockOptions,
  runtimes: Record<string, RuntimeInfo>,
  sweepName: string | undefined,
  value: ParamScalar | undefined
): PlannedRun {
  const setting = (name: string): number => Number(block.options[name] ?? defaults[name]);
  const measure: MeasureSettings = {
    repeat: setting('repeat'),
    warmup: setting('warmup'),
    processes: setting('processes'),
    minSampleMs: setting('min-sample'),
    fn: typeof block.options.fn === 'string' ? block.options.fn : 'bench'
  };
  const timeoutMs = setting('timeout');
  const runtime = block.runtime!;

  // Only the parameters the code uses take part in the hash: changing an unrelated one re-runs nothing.
  const used: Record<string, ParamValue> = {};
  const code = block.code.replace(placeholderPattern, (match, name: string) => {
    if (!(name in params)) return match;
    used[name] = params[name]!;
    const filled = params[name]!;
    return Array.isArray(filled) ? filled.join(',') : String(filled);
  });
  if (sweepName) used[sweepName] = value!;

  const info = runtimes[runtime];
  const hash = hashOf({
    harnessVersion,
    kind: block.kind,
    runtime,
    version: info?.version ?? 'missing',
    executable: info?.executable ?? 'missing',
    flags: info?.flags ?? [],
    code,
    params: used,
    measure: block.kind === 'bench' ? measure : undefined,
    timeoutMs
  });

  return {
    key: sweepName ? `${block.id}@${sweepName}=${String(value)}` : block.id,
    blockId: block.id,
    kind: block.kind as 'bench' | 'run',
    runtime,
    code,
    ...(sweepName ? {sweep: {name: sweepName, value: value!}} : {}),
    params,
    measure,
    timeoutMs,
    hash
  };
}

/** A short content hash of a JSON value, with keys sorted so that key order never matters. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
