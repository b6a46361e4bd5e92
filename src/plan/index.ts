import {createHash} from 'node:crypto';
import {claimReferences} from '../parse/claim-expression.js';
import {isRange, maxSweepValues, placeholderPattern} from '../parse/syntax.js';
import {evaluateSize} from '../parse/options.js';
import type {Block, BlockOptions, Notebook, NotebookMessage, ParamScalar, ParamValue} from '../parse/types.js';
import {instructionsSuffix, type MeasureSettings, type RuntimeInfo} from '../model/index.js';
import {libraryRecipe} from '../runtimes/index.js';
import type {Plan, PlannedLibrary, PlannedRun} from './types.js';

export type * from './types.js';

/**
 * Bumped whenever the harnesses change what they measure, so that results measured by an older
 * harness are re-run instead of silently reused.
 */
export const harnessVersion = 6;

/** Built-in measurement defaults; the notebook's `measure:`, the profile's and the block's options override them. */
export const defaultMeasure = {repeat: 5, warmup: 1, processes: 3, 'min-sample': 10, budget: 5000, timeout: 60_000, mode: 'inline', runs: 10, 'min-time': 1000} as const;

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
  /** `--measure instructions`: every bench block is counted in instructions under callgrind too, beside its time. */
  metric?: 'time' | 'instructions';
  /** Memory limit of blocks without a `memory=` option (`--memory-limit`), in bytes; default 4 GiB. */
  memoryLimitBytes?: number;
}

/** Whether a bench block is counted in instructions too: `measure=instructions` on it or in front matter, or `--measure instructions`. */
function countsInstructions(block: Block, written: BlockOptions, metric: PlanOptions['metric']): boolean {
  return metric === 'instructions' || (block.options.measure ?? written.measure) === 'instructions';
}

/** Memory limit of a block's processes when neither the block nor `--memory-limit` sets one. */
export const defaultMemoryBytes = 4 * 2 ** 30;

/**
 * A run's memory limit: the block's `memory=`, else the notebook's or profile's `measure: memory`, else
 * `--memory-limit`, else 4 GiB. Not part of the hash: a limit decides whether a run completes, not
 * what it measures, and a run that hit it failed and is re-run anyway.
 */
function memoryOf(block: Block, defaults: BlockOptions, fallback: number | undefined): number {
  const explicit = block.options.memory ?? defaults.memory;
  return typeof explicit === 'number' ? explicit : (fallback ?? defaultMemoryBytes);
}

/**
 * Makes a notebook ready to execute under one profile: parameters resolved, sweeps expanded into one
 * run per value, placeholders filled in, and a content hash per run that decides whether a stored
 * result can be reused.
 */
export function planNotebook(notebook: Notebook, options: PlanOptions): Plan {
  const profileName = options.profile ?? 'quick';
  const declared = Object.keys(notebook.profiles);
  if (declared.length > 0 && !Object.hasOwn(notebook.profiles, profileName) && profileName !== 'quick') {
    throw new TypeError(`profile \`${profileName}\` is not declared in ${notebook.path}: expected one of ${declared.join(', ')}`);
  }
  const profile = (Object.hasOwn(notebook.profiles, profileName) ? notebook.profiles[profileName] : undefined) ?? {params: {}, measure: {}};
  const params: Record<string, ParamValue> = {...notebook.params, ...profile.params};
  const measureDefaults: BlockOptions = {...defaultMeasure, ...notebook.measure, ...profile.measure};
  // A timeout written for the block or the notebook is the limit at the quick profile's sizes.
  const reference: Record<string, ParamValue> = {...notebook.params, ...(Object.hasOwn(notebook.profiles, 'quick') ? notebook.profiles.quick!.params : {})};
  const limits: TimeoutContext = {reference, profileTimeout: typeof profile.measure.timeout === 'number' ? profile.measure.timeout : undefined};

  const runs: PlannedRun[] = [];
  for (const block of notebook.blocks) {
    if (block.kind !== 'bench' && block.kind !== 'run') continue;
    if (options.filter && !options.filter.includes(block.id)) continue;
    const sweepName = typeof block.options.sweep === 'string' ? block.options.sweep : undefined;
    const values: Array<ParamScalar | undefined> = sweepName ? sweepValues(params[sweepName]) : [undefined];
    for (const value of values) {
      const runParams = sweepName && value !== undefined ? {...params, [sweepName]: value} : params;
      const written = {...notebook.measure, ...profile.measure};
      const memoryBytes = memoryOf(block, measureDefaults, options.memoryLimitBytes);
      const run = planRun(block, runParams, measureDefaults, options.runtimes, sweepName, value, 'time', written, limits);
      runs.push({...run, memoryBytes});
      // Instruction counts go beside the time, under a key of their own: they never replace it.
      if (block.kind === 'bench' && countsInstructions(block, written, options.metric)) {
        const counted = planRun(block, runParams, measureDefaults, options.runtimes, sweepName, value, 'instructions', written, limits);
        runs.push({...counted, key: `${counted.key}${instructionsSuffix}`, memoryBytes});
      }
    }
  }
  useLibraries(runs, notebook, options.runtimes);
  hashGroupsTogether(runs);
  markComparisons(runs, notebook);
  return {notebook, profile: profileName, params, runs, runtimes: options.runtimes, missing: options.missing ?? {}};
}

/** The values a swept parameter takes: a list as is, a range `a..b` expanded (inclusive). */
export function sweepValues(value: ParamValue | undefined): ParamScalar[] {
  if (Array.isArray(value)) return value;
  if (isRange(value)) {
    const [from, to] = value.split('..').map(Number) as [number, number];
    // The parser caps sweeps (invalid-sweep); this guards a Notebook built by hand from an endless loop.
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || Math.abs(to - from) >= maxSweepValues) {
      throw new RangeError(`cannot sweep over the range ${value}: at most ${maxSweepValues} values`);
    }
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
  value: ParamScalar | undefined,
  metric: 'time' | 'instructions',
  written: BlockOptions,
  limits: TimeoutContext
): PlannedRun {
  const setting = (name: string): number => Number(block.options[name] ?? defaults[name]);
  const mode = (block.options.mode ?? defaults.mode) === 'process' ? 'process' : 'inline';
  // Processes written anywhere (block, notebook, profile) are taken as written; else they are chosen.
  const fixed = (block.options.processes ?? written.processes) !== undefined;
  const measure: MeasureSettings = {
    repeat: setting('repeat'),
    warmup: setting('warmup'),
    processes: setting('processes'),
    minSampleMs: setting('min-sample'),
    ...(mode === 'inline' ? {design: fixed ? ('fixed' as const) : ('auto' as const), ...(fixed ? {} : {budgetMs: setting('budget')})} : {}),
    fn: typeof block.options.fn === 'string' ? block.options.fn : 'bench',
    mode,
    // Only process mode reads these: changing them must not re-run inline blocks.
    ...(mode === 'process' ? {runs: setting('runs'), minTimeMs: setting('min-time')} : {}),
    ...(typeof block.options.group === 'string' ? {group: block.options.group} : {}),
    metric
  };
  const sizeExpression = typeof block.options.size === 'string' ? block.options.size : typeof block.options.per === 'string' ? block.options.per : undefined;
  const size = sizeExpression === undefined ? undefined : evaluateSize(sizeExpression, (name) => numberOf(params[name]));
  const timeoutMs = runTimeout(block, written, sizeExpression, size, limits, mode === 'inline' && !fixed && block.kind === 'bench' ? setting('budget') : undefined);
  const runtime = block.runtime!;

  // Only the parameters the code uses take part in the hash: changing an unrelated one re-runs nothing.
  // The time limit does not: like the memory limit it decides whether a run completes, not what it
  // measures (a run that hit it failed and is re-run anyway), and it follows the quick profile's sizes.
  const used: Record<string, ParamValue> = {};
  const code = block.code.replace(placeholderPattern, (match, name: string) => {
    if (!Object.hasOwn(params, name)) return match;
    used[name] = params[name]!;
    const filled = params[name]!;
    return Array.isArray(filled) ? filled.join(',') : String(filled);
  });
  if (sweepName) used[sweepName] = value!;
  const perName = typeof block.options.per === 'string' ? block.options.per : undefined;
  const perValue = perName === undefined ? undefined : Number(perName === sweepName ? value : params[perName]);
  const per = perName !== undefined && perValue !== undefined && perValue > 0 ? {name: perName, value: perValue} : undefined;

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
    per
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
    ...(per ? {per} : {}),
    timeoutMs,
    ...(size === undefined ? {} : {size}),
    hash
  };
}

/** What a run's time limit is derived from besides the block: the quick profile's sizes, and a limit the profile writes. */
interface TimeoutContext {
  /** The parameters of the quick profile: a timeout written on a block or in the notebook's `measure:` holds at these sizes. */
  reference: Record<string, ParamValue>;
  /** `timeout` in the profile's own `measure:`: that profile's limit per run, taken as written. */
  profileTimeout?: number;
}

/** The time limit of the whole run when no `timeout` is written: a minute, or three budgets when that is more. */
export function defaultTimeoutMs(budgetMs?: number): number {
  return Math.max(defaultMeasure.timeout, budgetMs === undefined ? 0 : 3 * budgetMs);
}

/**
 * A run's time limit. The block's `timeout=` (else the notebook's `measure: timeout`, else
 * {@link defaultTimeoutMs}) holds at the quick profile's sizes; a run whose `size=` (default: its
 * `per=` parameter) is larger gets the limit multiplied by as much, so a profile with the article's
 * sizes finishes where the quick one did. A `timeout` in the profile's own `measure:` is taken as written.
 */
function runTimeout(block: Block, written: BlockOptions, sizeExpression: string | undefined, size: number | undefined, limits: TimeoutContext, budgetMs: number | undefined): number {
  const own = typeof block.options.timeout === 'number' ? block.options.timeout : undefined;
  if (own === undefined && limits.profileTimeout !== undefined) return limits.profileTimeout;
  const base = own ?? (typeof written.timeout === 'number' ? written.timeout : defaultTimeoutMs(budgetMs));
  if (sizeExpression === undefined || size === undefined) return base;
  const reference = evaluateSize(sizeExpression, (name) => numberOf(limits.reference[name]));
  const factor = reference === undefined ? 1 : Math.max(1, size / reference);
  // Node's timers fire at once beyond 2^31 - 1 ms.
  return Math.min(Math.round(base * factor), 2 ** 31 - 1);
}

/** A parameter as a number: a list or a range gives its largest value; anything else none. */
function numberOf(value: ParamValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) || isRange(value)) {
    const numbers = sweepValues(value).filter((item): item is number => typeof item === 'number');
    return numbers.length === 0 ? undefined : Math.max(...numbers);
  }
  return undefined;
}

/**
 * Blocks of one group are measured together (interleaved), so a change to any of them re-runs them
 * all: each member's hash covers every member's. A swept member pairs with the members of the same
 * swept value.
 */
function hashGroupsTogether(runs: PlannedRun[]): void {
  const groups = new Map<string, PlannedRun[]>();
  for (const run of runs) {
    const key = groupKey(run);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const combined = members.map((member) => member.hash).sort();
    for (const member of members) member.hash = hashOf({own: member.hash, group: combined});
  }
}

/**
 * Gives the inline bench runs that are compared with each other a shared `compareSet`: the runs of
 * one sweep, of the blocks one claim refers to, and of the blocks a table or chart lists in
 * `blocks=`. Sets that share a run are one set. Not part of any hash: it decides how runs are
 * measured together, not what they measure.
 */
function markComparisons(runs: PlannedRun[], notebook: Notebook): void {
  const eligible = runs.filter((run) => run.kind === 'bench' && run.measure.mode !== 'process' && run.measure.metric !== 'instructions');
  const parent = new Map(eligible.map((run) => [run.key, run.key]));
  const find = (key: string): string => {
    let root = key;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(key, root);
    return root;
  };
  const join = (keys: string[]) => {
    const present = keys.filter((key) => parent.has(key));
    for (const key of present.slice(1)) {
      const [a, b] = [find(present[0]!), find(key)];
      if (a !== b) parent.set(b < a ? a : b, b < a ? b : a);
    }
  };
  const keysOf = (blockId: string) => eligible.filter((run) => run.blockId === blockId).map((run) => run.key);
  for (const block of notebook.blocks) {
    if (block.kind === 'bench') join(keysOf(block.id));
    if (block.claim) join([...new Set(claimReferences(block.claim.expression).map((ref) => ref.key.split('@')[0]!))].flatMap(keysOf));
    const listed = block.options.blocks;
    if ((block.kind === 'table' || block.kind === 'plot') && Array.isArray(listed)) join(listed.map(String).flatMap(keysOf));
  }
  const sizes = new Map<string, number>();
  for (const run of eligible) sizes.set(find(run.key), (sizes.get(find(run.key)) ?? 0) + 1);
  for (const run of eligible) if ((sizes.get(find(run.key)) ?? 0) > 1) run.compareSet = find(run.key);
}

/** The runs measured together with `run`: same group, same swept value; `undefined` outside a group. */
export function groupKey(run: PlannedRun): string | undefined {
  // Instruction counts are taken one run at a time: a count does not drift with the machine.
  if (run.kind !== 'bench' || run.measure.group === undefined || run.measure.metric === 'instructions') return undefined;
  return run.sweep ? `${run.measure.group}@${run.sweep.name}=${String(run.sweep.value)}` : run.measure.group;
}

/** Time allowed to build a `lib` block unless it says `timeout=`: a first PyO3 build compiles PyO3. */
export const defaultLibraryTimeoutMs = 300_000;

/**
 * Gives each run the `lib` blocks it names in `uses=`, and folds their hashes into its own, so that
 * editing a library re-runs every block that uses it. Runs that use no library keep their hash.
 */
function useLibraries(runs: PlannedRun[], notebook: Notebook, runtimes: Record<string, RuntimeInfo>): void {
  const libraries = new Map<string, PlannedLibrary>();
  for (const block of notebook.blocks) {
    if (block.kind === 'lib') libraries.set(block.id, planLibrary(block, runtimes));
  }
  for (const run of runs) {
    const uses = notebook.blocks.find((block) => block.id === run.blockId)?.options.uses;
    // parseNotebook reports ids that are not lib blocks; a notebook with errors is never planned.
    const used = (Array.isArray(uses) ? uses : []).flatMap((id) => libraries.get(id) ?? []);
    if (used.length === 0) continue;
    run.libraries = used;
    run.hash = hashOf({own: run.hash, libraries: used.map(({id, hash}) => ({id, hash}))});
  }
}

function planLibrary(block: Block, runtimes: Record<string, RuntimeInfo>): PlannedLibrary {
  const runtime = block.runtime!;
  const info = runtimes[runtime];
  const timeoutMs = typeof block.options.timeout === 'number' ? block.options.timeout : defaultLibraryTimeoutMs;
  const hash = hashOf({
    recipe: libraryRecipe,
    runtime,
    version: info?.version ?? 'missing',
    executable: info?.executable ?? 'missing',
    flags: info?.flags ?? [],
    code: block.code
  });
  return {id: block.id, runtime, code: block.code, timeoutMs, hash};
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

/**
 * `--profile` must name a profile the notebook declares (any name goes in a notebook without
 * profiles, and `quick` always does): a typo must not quietly build with the defaults.
 */
export function profileMessages(notebook: Notebook, profile: string | undefined): NotebookMessage[] {
  const declared = Object.keys(notebook.profiles);
  if (profile === undefined || profile === 'quick' || declared.length === 0 || Object.hasOwn(notebook.profiles, profile)) return [];
  const message = `profile \`${profile}\` (--profile) is not declared in this notebook: expected one of ${declared.join(', ')}`;
  return [{file: notebook.path, line: 1, column: 1, message, rule: 'unknown-profile', fatal: true}];
}
