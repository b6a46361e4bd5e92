import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {RunScheduler} from './execute/groups.js';
import {closeExecutors, resolveRuntimes} from './execute/index.js';
import type {MeasureSettings, RunPhase, RunResult, RuntimeInfo} from './execute/types.js';
import {evaluateClaim, summarizeResult, type ClaimInput, type ClaimResult} from './measure/index.js';
import {formatMessage, parseNotebook} from './parse/index.js';
import type {Notebook, NotebookMessage} from './parse/types.js';
import {planNotebook} from './plan/index.js';
import {applyMeasureOverrides, type MeasureOverrides} from './plan/overrides.js';
import type {Plan, PlannedRun} from './plan/types.js';
import {countClaims, renderIndex, renderPage} from './render/index.js';
import type {BlockOutcome, ChartCache, IndexEntry} from './render/types.js';
import {describeMachine, ResultStore} from './store/index.js';
import {baselineOutcomes, BaselineStore, compareClaims, compareWithBaseline, type NotebookComparison} from './store/baseline.js';
import type {Machine, StoredResult} from './store/types.js';
import {pageExports, type Templates} from './write/index.js';

/** Options of `buildReport`, one per CLI flag. */
export interface ReportOptions {
  /** Notebook files to build (the CLI expands `notebooks/`). */
  notebooks: string[];
  /** Profile name (default `quick`). */
  profile?: string;
  /** Re-run blocks even when a stored result has the same hash. */
  rerun?: boolean;
  /** Render from stored results only; run nothing. */
  fromData?: boolean;
  /** Only run blocks with these ids (the others are rendered from stored results). */
  filter?: string[];
  /** Treat warnings in notebooks as errors. */
  strict?: boolean;
  /**
   * Every notebook the index lists (the CLI passes `notebooks/*.md`). Those not built by this run
   * are listed from their stored results, so building one notebook keeps the others on the index.
   */
  indexNotebooks?: string[];
  /** Where results are stored (default `data`). */
  dataDir: string;
  /** Where the site is written (default `output`). */
  outputDir: string;
  /** Root of the build cache. */
  cacheDir: string;
  /** Aborts running blocks (Ctrl-C). */
  signal?: AbortSignal;
  /** What bench samples count (`--measure`): wall time (default) or instructions under callgrind. */
  measure?: 'time' | 'instructions';
  /** `--warmup`, `--runs`, `--min-time`: measurement settings that win over the notebooks' own. */
  overrides?: MeasureOverrides;
  /** `--baseline NAME`: compare every bench result with the one saved under this baseline. */
  baseline?: string;
  /** `--noise`, as a fraction: changes within it are "no significant change" (default 0.05). */
  noise?: number;
  /** `--save-baseline NAME`: save the results shown on the pages as this baseline. */
  saveBaseline?: string;
  /** `--memory-limit`: memory limit in bytes of every block without `memory=` (default 4 GiB). */
  memoryLimitBytes?: number;
  /** `--timeout-total`: once this many milliseconds have passed, the running block is stopped and the rest skipped. */
  timeoutTotalMs?: number;
}

/** Side effects of a build, passed in so tests run the real pipeline quietly. */
export interface ReportEffects {
  readNotebook(file: string): Promise<string>;
  readTemplates(): Promise<Templates>;
  writeOutput(name: string, content: string): Promise<void>;
  chartCache?: ChartCache;
  /** One line per event (block started, finished, reused...); with `onEvent`, only the lines that are not events (problems in notebooks). */
  log(line: string): void;
  /** Structured events of every planned run, for progress displays (`formatEvent` gives `log`'s line of one). */
  onEvent?(event: ReportEvent): void;
  /** Each notebook once built, with its results and claims (for `--export-*`). */
  onNotebook?(built: BuiltNotebook): void;
}

/** What happened to one planned run; `queued` comes for every run of every notebook before the first runs. */
export type ReportEvent = {notebook: string; key: string} & (
  | {type: 'queued'; kind: 'bench' | 'run'; reuse: boolean; estimateMs: number; estimatedFrom: 'previous run' | 'settings'}
  | {type: 'running'; kind: 'bench' | 'run'; runtime: RuntimeInfo; measure: MeasureSettings; estimateMs: number; why?: string}
  | {type: 'phase'; phase: RunPhase}
  | {type: 'built'; libraries: string[]; durationMs: number}
  | {type: 'done'; durationMs: number; stored: StoredResult}
  | {type: 'failed'; reason: string; stored: StoredResult}
  | {type: 'reused'; stored: StoredResult}
  | {type: 'skipped'; reason: string}
);

/** A notebook as built: what its page and its exports were made from. */
export interface BuiltNotebook {
  notebook: Notebook;
  profile: string;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/** The log line of an event (`running mixed/py`, `done    mixed/py in 0.52 s: median 1.2 µs`), or undefined for `queued` and `phase`. */
export function formatEvent(event: ReportEvent): string | undefined {
  const label = `${event.notebook}/${event.key}`;
  switch (event.type) {
    case 'queued':
    case 'phase':
      return undefined;
    case 'running':
      return `running ${label}${event.why ? ` (${event.why})` : ''}`;
    case 'built':
      return `built   ${label}: libraries ${event.libraries.join(', ')} in ${(event.durationMs / 1000).toFixed(2)} s`;
    case 'done':
      return `done    ${label} in ${(event.durationMs / 1000).toFixed(2)} s${event.stored.stats ? `: median ${formatMedian(event.stored.stats)}` : ''}`;
    case 'failed':
      return `failed  ${label}: ${event.reason}`;
    case 'reused':
      return `reused  ${label}`;
    case 'skipped':
      return `skipped ${label}: ${event.reason}`;
  }
}

/**
 * How long a run should take: its last duration when it ran before (even with other code: the
 * same key usually takes about as long), else a guess from its measurement settings.
 */
export function estimateRunMs(run: PlannedRun, previous?: StoredResult): {ms: number; from: 'previous run' | 'settings'} {
  if (previous && previous.result.durationMs > 0) return {ms: previous.result.durationMs, from: 'previous run'};
  if (run.kind === 'run') return {ms: 500, from: 'settings'};
  const {warmup, repeat, processes, minSampleMs, mode, runs, minTimeMs} = run.measure;
  // Process mode times an empty program alongside: twice the minimum time, plus the runs themselves.
  if (mode === 'process') return {ms: 2 * (minTimeMs ?? 1000) + (warmup + (runs ?? 10)) * 20, from: 'settings'};
  // Calibration doubles the loop count until a sample lasts min-sample: about two samples more per process.
  return {ms: processes * (200 + (warmup + repeat + 2) * minSampleMs), from: 'settings'};
}

/** `queued` events for a plan's runs: whether each will be reused, and how long the others should take. */
async function queueRuns(plan: Plan, context: Pick<RunContext, 'options' | 'store' | 'machine'>, onEvent: (event: ReportEvent) => void): Promise<void> {
  const {options, store, machine} = context;
  for (const run of plan.runs) {
    const stored = options.fromData ? undefined : await store.read(plan.notebook.name, machine.fingerprint, run.key);
    const filtered = options.filter !== undefined && !options.filter.includes(run.blockId);
    const reuse = Boolean(options.fromData || (stored && (filtered || (stored.hash === run.hash && stored.result.status === 'ok' && !options.rerun))) || (filtered && !stored));
    const estimate = reuse ? {ms: 0, from: 'previous run' as const} : estimateRunMs(run, stored);
    onEvent({type: 'queued', notebook: plan.notebook.name, key: run.key, kind: run.kind, reuse, estimateMs: estimate.ms, estimatedFrom: estimate.from});
  }
}

/** Counts for the closing summary line and the exit status. */
export interface ReportSummary {
  notebooks: number;
  run: number;
  reused: number;
  failed: number;
  skipped: number;
  /** Problems found in notebooks (errors and warnings). */
  messages: NotebookMessage[];
  /** Notebooks not built because of fatal messages. */
  invalid: number;
  /** Claims by verdict, over every notebook built. */
  claims: {holds: number; fails: number; inconclusive: number; unmeasured: number};
  /** Set when the build was stopped by `signal` (Ctrl-C): pages were not rewritten. */
  interrupted?: boolean;
  /** `--baseline`: every notebook built, compared with the baseline. */
  baseline?: {name: string; comparisons: NotebookComparison[]};
  /** `--save-baseline`: how many results were saved under the name. */
  savedBaseline?: {name: string; results: number};
  durationMs: number;
}

/**
 * Builds the report: parse -> plan -> execute -> measure -> store -> render -> write, notebook by
 * notebook. A notebook with errors is reported and skipped; a failing block is contained to itself.
 */
export async function buildReport(options: ReportOptions, effects: ReportEffects): Promise<ReportSummary> {
  const started = performance.now();
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0, claims: {holds: 0, fails: 0, inconclusive: 0, unmeasured: 0}};
  const store = new ResultStore(options.dataDir);
  const machine = describeMachine();

  const notebooks: Notebook[] = [];
  for (const file of options.notebooks) {
    const parsed = parseNotebook(await effects.readNotebook(file), file);
    const {notebook} = parsed;
    const messages = notebook ? [...parsed.messages, ...checkProfile(notebook, options.profile)] : parsed.messages;
    summary.messages.push(...messages);
    for (const message of messages) effects.log(formatMessage(message));
    const fatal = messages.some((message) => message.fatal || options.strict);
    if (notebook && !fatal) notebooks.push(notebook);
    else summary.invalid++;
  }

  // Resolve only the runtimes some block needs: each costs a process start.
  const needed = new Set(notebooks.flatMap((notebook) => notebook.blocks.flatMap((block) => (block.runtime ? [block.runtime] : []))));
  const {found, missing} = options.fromData ? {found: {}, missing: {}} : await resolveRuntimes([...needed]);

  const templates = notebooks.length > 0 ? await effects.readTemplates() : undefined;
  const entries: IndexEntry[] = [];
  // Every notebook is planned first, so a progress display knows all the work and its estimate up front.
  const plans = notebooks.map((notebook) =>
    applyMeasureOverrides(
      planNotebook(notebook, {profile: options.profile, runtimes: found, missing, metric: options.measure ?? 'time', ...(options.memoryLimitBytes === undefined ? {} : {memoryLimitBytes: options.memoryLimitBytes})}),
      options.overrides ?? {}
    )
  );
  // Counted from the start of the build: parsing and planning are part of the time a CI job has.
  const budget = options.timeoutTotalMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, Math.round(options.timeoutTotalMs - (performance.now() - started))));
  if (effects.onEvent) for (const plan of plans) await queueRuns(plan, {options, store, machine}, effects.onEvent);
  const baselines = new BaselineStore(options.dataDir);
  if (options.baseline) summary.baseline = {name: options.baseline, comparisons: []};
  try {
    for (const plan of plans) {
      const notebook = plan.notebook;
      const outcomes = await runPlan(plan, {options, effects, store, machine, summary, ...(budget ? {budget} : {})});
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      const claims = checkClaims(notebook, outcomes);
      countVerdicts(summary, claims);
      const comparison = options.baseline ? await compareNotebook(baselines, options.baseline, notebook, outcomes, claims, options.noise) : undefined;
      if (comparison) summary.baseline!.comparisons.push(comparison);
      // The page's results as JSON, CSV (and hyperfine JSON) beside it, linked from its footer.
      const exports = pageExports({notebook, profile: plan.profile, outcomes});
      const html = await renderPage(
        {notebook, profile: plan.profile, params: plan.params, runtimes: plan.runtimes, outcomes, machine, command: reproduceCommand(notebook, plan.profile), claims, downloads: exports.map(({href, label}) => ({href, label}))},
        {template: templates!.page, css: templates!.css, chartCache: effects.chartCache, ...(comparison ? {baseline: {name: comparison.baseline, changes: comparison.blocks}} : {})}
      );
      await effects.writeOutput(`${notebook.name}.html`, html);
      for (const file of exports) await effects.writeOutput(file.href, file.content);
      entries.push({...indexEntry(notebook, outcomes), ...(Object.keys(claims).length > 0 ? {claims: countClaims(Object.values(claims))} : {})});
      summary.notebooks++;
      effects.onNotebook?.({notebook, profile: plan.profile, outcomes, claims});
      if (options.saveBaseline) {
        const records = Object.values(outcomes).flatMap((list) => list.flatMap((outcome) => (outcome.stored ? [outcome.stored] : [])));
        const saved = await baselines.save(options.saveBaseline, notebook.name, records);
        summary.savedBaseline = {name: options.saveBaseline, results: (summary.savedBaseline?.results ?? 0) + saved};
      }
    }
  } finally {
    await closeExecutors();
  }
  if (templates && !summary.interrupted) {
    entries.push(...(await storedEntries(options, effects, store, machine, new Set(options.notebooks))));
    entries.sort((a, b) => a.name.localeCompare(b.name));
  }
  if (templates && !summary.interrupted) await effects.writeOutput('index.html', renderIndex(entries, {template: templates.index, css: templates.css, ...(summary.baseline ? {changes: summary.baseline} : {})}));
  summary.durationMs = performance.now() - started;
  return summary;
}

/** What {@link runPlan} runs with: the build's options and effects, the store, the machine, the counts it updates. */
export interface RunContext {
  options: ReportOptions;
  effects: Pick<ReportEffects, 'log' | 'onEvent'>;
  store: ResultStore;
  machine: Machine;
  summary: Pick<ReportSummary, 'run' | 'reused' | 'failed' | 'skipped'>;
  /** Aborts when `--timeout-total` is reached: the running block is stopped, the rest are skipped. */
  budget?: AbortSignal;
}

/**
 * Executes a plan's runs one after the other (never two benchmarks at once on a 2-core machine),
 * reusing stored results whose hash matches, and saving each result the moment it is known.
 */
export async function runPlan(plan: Plan, context: RunContext): Promise<Record<string, BlockOutcome[]>> {
  const {options, effects, store, machine, summary, budget} = context;
  const notebook = plan.notebook.name;
  // No prototype: a block may be called `constructor` or `toString`.
  const outcomes: Record<string, BlockOutcome[]> = Object.create(null);
  const add = (run: PlannedRun, outcome: BlockOutcome): void => {
    (outcomes[run.blockId] ??= []).push(outcome);
  };
  // With onEvent, events go there (a display formats them); else their lines go to log, as always.
  const emit = (event: ReportEvent): void => {
    if (effects.onEvent) return effects.onEvent(event);
    const line = formatEvent(event);
    if (line !== undefined) effects.log(line);
  };

  // Runs of one group are measured together by the first that needs it; the others take their results from it.
  const signal = budget && options.signal ? AbortSignal.any([options.signal, budget]) : (budget ?? options.signal);
  const overBudget = `the total time limit of ${formatDuration(options.timeoutTotalMs ?? 0)} was reached (--timeout-total)`;
  const scheduler = new RunScheduler(plan.runs, {
    cacheDir: options.cacheDir,
    signal,
    runtimes: plan.runtimes,
    missing: plan.missing,
    ...(options.filter ? {filter: options.filter} : {})
  });
  for (const run of plan.runs) {
    // After Ctrl-C, stop: every result finished so far is already saved.
    if (options.signal?.aborted) break;
    if (options.fromData) {
      const stored = await readLatest(store, notebook, machine.fingerprint, run.key);
      if (stored) add(run, {key: run.key, stored});
      else add(run, {key: run.key, skipped: 'no stored result — run npm run report without --from-data'});
      continue;
    }

    const stored = await store.read(notebook, machine.fingerprint, run.key);
    const filtered = options.filter !== undefined && !options.filter.includes(run.blockId);
    // The folder is this machine's; the record must say so too (a file copied in from elsewhere is not).
    const own = stored?.machine.fingerprint === machine.fingerprint;
    if (stored && (filtered || (own && stored.hash === run.hash && stored.result.status === 'ok' && !options.rerun && !scheduler.measured(run)))) {
      summary.reused++;
      emit({type: 'reused', notebook, key: run.key, stored});
      add(run, {key: run.key, stored});
      continue;
    }
    if (filtered) {
      add(run, {key: run.key, skipped: 'not selected by --filter and never run'});
      continue;
    }

    const runtime = plan.runtimes[run.runtime];
    if (!runtime) {
      summary.skipped++;
      const reason = plan.missing[run.runtime] ?? `${run.runtime} not found — run npm run setup`;
      emit({type: 'skipped', notebook, key: run.key, reason});
      add(run, {key: run.key, skipped: reason, ...(stored ? {stored} : {})});
      continue;
    }

    if (budget?.aborted) {
      summary.skipped++;
      emit({type: 'skipped', notebook, key: run.key, reason: overBudget});
      add(run, {key: run.key, skipped: overBudget, ...(stored ? {stored} : {})});
      continue;
    }

    emit({type: 'running', notebook, key: run.key, kind: run.kind, runtime, measure: run.measure, estimateMs: estimateRunMs(run, stored).ms, ...(stored ? {why: whyRerun(stored, run, runtime, options, machine)} : {})});
    const result = await scheduler.execute(run, runtime, (phase) => emit({type: 'phase', notebook, key: run.key, phase}));
    // An interrupted block measured nothing worth keeping.
    if (options.signal?.aborted) break;
    // Nor does one stopped at the total time limit: it is skipped like the runs after it.
    if (budget?.aborted && result.status !== 'ok' && result.reason === 'aborted') {
      summary.skipped++;
      const reason = `stopped: ${overBudget}`;
      emit({type: 'skipped', notebook, key: run.key, reason});
      add(run, {key: run.key, skipped: reason, ...(stored ? {stored} : {})});
      continue;
    }
    if (result.status === 'skipped') {
      // A library's compiler (or maturin) is missing: nothing ran, so nothing is stored.
      summary.skipped++;
      emit({type: 'skipped', notebook, key: run.key, reason: result.reason ?? 'skipped'});
      add(run, {key: run.key, skipped: result.reason ?? 'skipped', ...(stored ? {stored} : {})});
      continue;
    }
    if (result.libraryBuildMs && result.status === 'ok') emit({type: 'built', notebook, key: run.key, libraries: run.libraries!.map((library) => library.id), durationMs: result.libraryBuildMs});
    const record = toRecord(plan, run, runtime, machine, result);
    const saved = await store.save(record);
    if (result.status === 'ok') {
      summary.run++;
      emit({type: 'done', notebook, key: run.key, durationMs: result.durationMs, stored: record});
      add(run, {key: run.key, stored: record});
    } else {
      summary.failed++;
      emit({type: 'failed', notebook, key: run.key, reason: result.reason ?? result.status, stored: record});
      add(run, saved === 'kept-previous' ? {key: run.key, stored: stored!, failure: record} : {key: run.key, stored: record});
    }
  }
  return outcomes;
}

/** Compares a built notebook with its part of a baseline: every bench run, and the claims whose verdict changed. */
async function compareNotebook(
  baselines: BaselineStore,
  name: string,
  notebook: Notebook,
  outcomes: Record<string, BlockOutcome[]>,
  claims: Record<string, ClaimResult>,
  noise: number | undefined
): Promise<NotebookComparison> {
  const snapshot = await baselines.read(name, notebook.name);
  return {
    baseline: name,
    notebook: notebook.name,
    title: notebook.title,
    href: `${notebook.name}.html`,
    ...(snapshot?.savedAt ? {savedAt: snapshot.savedAt} : {}),
    blocks: compareWithBaseline(notebook, outcomes, snapshot, noise === undefined ? {} : {noise}),
    // Claims as the baseline's results decided them, so a verdict that flipped is reported.
    claims: snapshot ? compareClaims(notebook, claims, checkClaims(notebook, baselineOutcomes(snapshot))) : []
  };
}

/**
 * `--profile` must name a profile the notebook declares (any name goes in a notebook without
 * profiles, and `quick` always does): a typo must not quietly build with the defaults.
 */
function checkProfile(notebook: Notebook, profile: string | undefined): NotebookMessage[] {
  const declared = Object.keys(notebook.profiles);
  if (profile === undefined || profile === 'quick' || declared.length === 0 || Object.hasOwn(notebook.profiles, profile)) return [];
  const message = `profile \`${profile}\` (--profile) is not declared in this notebook: expected one of ${declared.join(', ')}`;
  return [{file: notebook.path, line: 1, column: 1, message, rule: 'unknown-profile', fatal: true}];
}

/** Says why a stored result is not reused: the report never silently re-runs or silently reuses. */
export function whyRerun(stored: StoredResult, run: PlannedRun, runtime: RuntimeInfo, options: Pick<ReportOptions, 'rerun'>, machine?: Pick<Machine, 'fingerprint'>): string {
  if (options.rerun) return '--rerun';
  if (machine && stored.machine.fingerprint !== machine.fingerprint) return `the stored result was measured on another machine (${stored.machine.fingerprint})`;
  if (stored.result.status !== 'ok') return `previous run ${stored.result.status}`;
  if (stored.runtime.version !== runtime.version) return `${run.runtime} changed from ${stored.runtime.version} to ${runtime.version}`;
  if (stored.runtime.executable !== runtime.executable) return `${run.runtime} is now ${runtime.executable}`;
  if ((stored.runtime.flags ?? []).join(' ') !== (runtime.flags ?? []).join(' ')) return `${run.runtime} flags changed to ${(runtime.flags ?? []).join(' ') || 'none'}`;
  return 'code, options or parameters changed';
}

/** `90000` -> `1.5m`, `2000` -> `2s`, `500` -> `500ms`. */
function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${Number((ms / 60_000).toFixed(2))}m`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(2))}s`;
  return `${Math.round(ms)}ms`;
}

function toRecord(plan: Plan, run: PlannedRun, runtime: RuntimeInfo, machine: Machine, result: RunResult): StoredResult {
  // `per=iterations`: the stored samples are per iteration, so tables, charts and claims compare
  // runs of different sizes (the article's full size and the quick profile's) on one scale.
  if (run.per && result.samples) result = {...result, samples: result.samples.map((sample) => sample / run.per!.value)};
  const stats = run.kind === 'bench' && result.status === 'ok' ? summarizeResult(result, run.per ? {per: run.per.value} : {}) : undefined;
  return {
    format: 1,
    notebook: plan.notebook.name,
    key: run.key,
    blockId: run.blockId,
    kind: run.kind,
    hash: run.hash,
    ...(run.sweep ? {sweep: run.sweep} : {}),
    ...(run.per ? {per: run.per} : {}),
    profile: plan.profile,
    runtime,
    machine,
    date: new Date().toISOString(),
    result,
    ...(stats ? {stats} : {})
  };
}

/** For `--from-data`: this machine's result, else the newest from any machine (e.g. a CI matrix). */
async function readLatest(store: ResultStore, notebook: string, fingerprint: string, key: string): Promise<StoredResult | undefined> {
  const own = await store.read(notebook, fingerprint, key);
  if (own) return own;
  const others = await Promise.all((await store.machines(notebook)).map((machine) => store.read(notebook, machine, key)));
  return others.filter((record) => record !== undefined).sort((a, b) => b!.date.localeCompare(a!.date))[0];
}

/**
 * Checks every claim block against the results on the page. Only results shown as current count:
 * a stale result (its re-run failed) is still evidence, a failed or skipped one never is.
 */
export function checkClaims(notebook: Notebook, outcomes: Record<string, BlockOutcome[]>): Record<string, ClaimResult> {
  const byKey = new Map<string, ClaimInput>();
  for (const outcome of Object.values(outcomes).flat()) {
    if (outcome.stored) byKey.set(outcome.key, claimInputOf(outcome.stored));
  }
  const claims: Record<string, ClaimResult> = {};
  for (const block of notebook.blocks) {
    if (block.claim) claims[block.id] = evaluateClaim(block.claim.expression, (key) => byKey.get(key));
  }
  return claims;
}

function claimInputOf(stored: StoredResult): ClaimInput {
  const {result, stats} = stored;
  const rss = result.process?.maxRssKiB.length ? Math.max(...result.process.maxRssKiB) : result.memory?.maxRssKiB;
  return {
    status: result.status,
    ...(result.samples ? {samples: result.samples} : {}),
    ...(stats ? {stats} : {}),
    ...(result.memory?.peakBytes !== undefined ? {peakBytes: result.memory.peakBytes} : {}),
    ...(rss !== undefined ? {maxRssBytes: rss * 1024} : {}),
    ...(result.process?.startupNs !== undefined ? {startupNs: result.process.startupNs} : {})
  };
}

function countVerdicts(summary: ReportSummary, claims: Record<string, ClaimResult>): void {
  const counts = countClaims(Object.values(claims));
  for (const key of ['holds', 'fails', 'inconclusive', 'unmeasured'] as const) summary.claims[key] += counts[key];
}

/**
 * Index entries of the notebooks this run did not build, from their stored results (as `--from-data`
 * would show them). A notebook with errors or without any stored result is left off: it has no page.
 */
async function storedEntries(
  options: ReportOptions,
  effects: ReportEffects,
  store: ResultStore,
  machine: Machine,
  built: Set<string>
): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const file of options.indexNotebooks ?? []) {
    if (built.has(file)) continue;
    let source: string;
    try {
      source = await effects.readNotebook(file);
    } catch {
      continue;
    }
    const {notebook, messages} = parseNotebook(source, file);
    if (!notebook || messages.some((message) => message.fatal)) continue;
    let plan: Plan;
    try {
      plan = planNotebook(notebook, {profile: options.profile, runtimes: {}});
    } catch {
      continue;
    }
    const quiet = {run: 0, reused: 0, failed: 0, skipped: 0};
    const outcomes = await runPlan(plan, {options: {...options, fromData: true, filter: undefined}, effects: {log: () => {}}, store, machine, summary: quiet});
    if (!Object.values(outcomes).flat().some((outcome) => outcome.stored)) continue;
    const claims = checkClaims(notebook, outcomes);
    entries.push({...indexEntry(notebook, outcomes), ...(Object.keys(claims).length > 0 ? {claims: countClaims(Object.values(claims))} : {})});
  }
  return entries;
}

function indexEntry(notebook: Notebook, outcomes: Record<string, BlockOutcome[]>): IndexEntry {
  const all = Object.values(outcomes).flat();
  const records = all.flatMap((outcome) => (outcome.stored ? [outcome.stored] : []));
  const newest = records.sort((a, b) => b.date.localeCompare(a.date))[0];
  return {
    name: notebook.name,
    title: notebook.title,
    ...(notebook.description === undefined ? {} : {description: notebook.description}),
    href: `${notebook.name}.html`,
    article: notebook.article,
    blocks: all.length,
    failed: all.filter((outcome) => outcome.failure || (outcome.stored && outcome.stored.result.status !== 'ok')).length,
    ...(newest ? {measuredAt: newest.date, machine: newest.machine} : {})
  };
}

function reproduceCommand(notebook: Notebook, profile: string): string {
  const file = path.isAbsolute(notebook.path) ? path.relative(process.cwd(), notebook.path) : notebook.path;
  return `npm ci && npm run setup && npm run report -- ${file}${profile === 'quick' ? '' : ` --profile ${profile}`}`;
}

/** A median in its unit: a time, or a count of instructions (`--measure instructions`). */
function formatMedian(stats: {median: number; unit?: 'ns' | 'instructions'}): string {
  return stats.unit === 'instructions' ? `${Math.round(stats.median).toLocaleString('en-US')} instructions` : formatNs(stats.median);
}

function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}
