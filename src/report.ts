import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {RunScheduler} from './execute/groups.js';
import {closeExecutors, resolveRuntimes} from './execute/index.js';
import type {RunResult, RuntimeInfo} from './execute/types.js';
import {evaluateClaim, summarizeResult, type ClaimInput, type ClaimResult} from './measure/index.js';
import {formatMessage, parseNotebook} from './parse/index.js';
import type {Notebook, NotebookMessage} from './parse/types.js';
import {planNotebook} from './plan/index.js';
import type {Plan, PlannedRun} from './plan/types.js';
import {countClaims, renderIndex, renderPage} from './render/index.js';
import type {BlockOutcome, ChartCache, IndexEntry} from './render/types.js';
import {describeMachine, ResultStore} from './store/index.js';
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
}

/** Side effects of a build, passed in so tests run the real pipeline quietly. */
export interface ReportEffects {
  readNotebook(file: string): Promise<string>;
  readTemplates(): Promise<Templates>;
  writeOutput(name: string, content: string): Promise<void>;
  chartCache?: ChartCache;
  /** One line per event (block started, finished, reused...). */
  log(line: string): void;
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
    const {notebook, messages} = parseNotebook(await effects.readNotebook(file), file);
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
  try {
    for (const notebook of notebooks) {
      const plan = planNotebook(notebook, {profile: options.profile, runtimes: found, missing, metric: options.measure ?? 'time'});
      const outcomes = await runPlan(plan, {options, effects, store, machine, summary});
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      const claims = checkClaims(notebook, outcomes);
      countVerdicts(summary, claims);
      // The page's results as JSON, CSV (and hyperfine JSON) beside it, linked from its footer.
      const exports = pageExports({notebook, profile: plan.profile, outcomes});
      const html = await renderPage(
        {notebook, profile: plan.profile, outcomes, machine, command: reproduceCommand(notebook, plan.profile), claims, downloads: exports.map(({href, label}) => ({href, label}))},
        {template: templates!.page, css: templates!.css, chartCache: effects.chartCache}
      );
      await effects.writeOutput(`${notebook.name}.html`, html);
      for (const file of exports) await effects.writeOutput(file.href, file.content);
      entries.push({...indexEntry(notebook, outcomes), ...(Object.keys(claims).length > 0 ? {claims: countClaims(Object.values(claims))} : {})});
      summary.notebooks++;
    }
  } finally {
    await closeExecutors();
  }
  if (templates && !summary.interrupted) await effects.writeOutput('index.html', renderIndex(entries, {template: templates.index, css: templates.css}));
  summary.durationMs = performance.now() - started;
  return summary;
}

/** What {@link runPlan} runs with: the build's options and effects, the store, the machine, the counts it updates. */
export interface RunContext {
  options: ReportOptions;
  effects: Pick<ReportEffects, 'log'>;
  store: ResultStore;
  machine: Machine;
  summary: Pick<ReportSummary, 'run' | 'reused' | 'failed' | 'skipped'>;
}

/**
 * Executes a plan's runs one after the other (never two benchmarks at once on a 2-core machine),
 * reusing stored results whose hash matches, and saving each result the moment it is known.
 */
export async function runPlan(plan: Plan, context: RunContext): Promise<Record<string, BlockOutcome[]>> {
  const {options, effects, store, machine, summary} = context;
  const notebook = plan.notebook.name;
  const outcomes: Record<string, BlockOutcome[]> = {};
  const add = (run: PlannedRun, outcome: BlockOutcome): void => {
    (outcomes[run.blockId] ??= []).push(outcome);
  };

  // Runs of one group are measured together by the first that needs it; the others take their results from it.
  const scheduler = new RunScheduler(plan.runs, {
    cacheDir: options.cacheDir,
    signal: options.signal,
    runtimes: plan.runtimes,
    missing: plan.missing,
    ...(options.filter ? {filter: options.filter} : {})
  });
  for (const run of plan.runs) {
    // After Ctrl-C, stop: every result finished so far is already saved.
    if (options.signal?.aborted) break;
    const label = `${notebook}/${run.key}`;
    if (options.fromData) {
      const stored = await readLatest(store, notebook, machine.fingerprint, run.key);
      if (stored) add(run, {key: run.key, stored});
      else add(run, {key: run.key, skipped: 'no stored result — run npm run report without --from-data'});
      continue;
    }

    const stored = await store.read(notebook, machine.fingerprint, run.key);
    const filtered = options.filter !== undefined && !options.filter.includes(run.blockId);
    if (stored && (filtered || (stored.hash === run.hash && stored.result.status === 'ok' && !options.rerun && !scheduler.measured(run)))) {
      summary.reused++;
      effects.log(`reused  ${label}`);
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
      effects.log(`skipped ${label}: ${reason}`);
      add(run, {key: run.key, skipped: reason, ...(stored ? {stored} : {})});
      continue;
    }

    effects.log(`running ${label}${stored ? ` (${whyRerun(stored, run, runtime, options)})` : ''}`);
    const result = await scheduler.execute(run, runtime);
    // An interrupted block measured nothing worth keeping.
    if (options.signal?.aborted) break;
    if (result.status === 'skipped') {
      // A library's compiler (or maturin) is missing: nothing ran, so nothing is stored.
      summary.skipped++;
      effects.log(`skipped ${label}: ${result.reason ?? 'skipped'}`);
      add(run, {key: run.key, skipped: result.reason ?? 'skipped', ...(stored ? {stored} : {})});
      continue;
    }
    if (result.libraryBuildMs && result.status === 'ok') effects.log(`built   ${label}: libraries ${run.libraries!.map((library) => library.id).join(', ')} in ${(result.libraryBuildMs / 1000).toFixed(2)} s`);
    const record = toRecord(plan, run, runtime, machine, result);
    const saved = await store.save(record);
    if (result.status === 'ok') {
      summary.run++;
      effects.log(`done    ${label} in ${(result.durationMs / 1000).toFixed(2)} s${record.stats ? `: median ${formatNs(record.stats.median)}` : ''}`);
      add(run, {key: run.key, stored: record});
    } else {
      summary.failed++;
      effects.log(`failed  ${label}: ${result.reason ?? result.status}`);
      add(run, saved === 'kept-previous' ? {key: run.key, stored: stored!, failure: record} : {key: run.key, stored: record});
    }
  }
  return outcomes;
}

/** Says why a stored result is not reused: the report never silently re-runs or silently reuses. */
function whyRerun(stored: StoredResult, run: PlannedRun, runtime: RuntimeInfo, options: ReportOptions): string {
  if (options.rerun) return '--rerun';
  if (stored.result.status !== 'ok') return `previous run ${stored.result.status}`;
  if (stored.runtime.version !== runtime.version) return `${run.runtime} changed from ${stored.runtime.version} to ${runtime.version}`;
  if (stored.runtime.executable !== runtime.executable) return `${run.runtime} is now ${runtime.executable}`;
  return 'code, options or parameters changed';
}

function toRecord(plan: Plan, run: PlannedRun, runtime: RuntimeInfo, machine: Machine, result: RunResult): StoredResult {
  // `per=iterations`: the stored samples are per iteration, so tables, charts and claims compare
  // runs of different sizes (the article's full size and the quick profile's) on one scale.
  if (run.per && result.samples) result = {...result, samples: result.samples.map((sample) => sample / run.per!.value)};
  const stats = run.kind === 'bench' && result.status === 'ok' ? summarizeResult(result) : undefined;
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

function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}
