import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {closeExecutors, executeRun, resolveRuntimes} from './execute/index.js';
import type {RunResult, RuntimeInfo} from './execute/types.js';
import {summarize} from './measure/index.js';
import {formatMessage, parseNotebook} from './parse/index.js';
import type {Notebook, NotebookMessage} from './parse/types.js';
import {planNotebook} from './plan/index.js';
import type {Plan, PlannedRun} from './plan/types.js';
import {renderIndex, renderPage} from './render/index.js';
import type {BlockOutcome, ChartCache, IndexEntry} from './render/types.js';
import {describeMachine, ResultStore} from './store/index.js';
import type {Machine, StoredResult} from './store/types.js';
import type {Templates} from './write/index.js';

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
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0};
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
      const plan = planNotebook(notebook, {profile: options.profile, runtimes: found, missing});
      const outcomes = await runPlan(plan, {options, effects, store, machine, summary});
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      const html = await renderPage(
        {notebook, profile: plan.profile, outcomes, machine, command: reproduceCommand(notebook, plan.profile)},
        {template: templates!.page, css: templates!.css, chartCache: effects.chartCache}
      );
      await effects.writeOutput(`${notebook.name}.html`, html);
      entries.push(indexEntry(notebook, outcomes));
      summary.notebooks++;
    }
  } finally {
    await closeExecutors();
  }
  if (templates && !summary.interrupted) await effects.writeOutput('index.html', renderIndex(entries, {template: templates.index, css: templates.css}));
  summary.durationMs = performance.now() - started;
  return summary;
}

interface RunContext {
  options: ReportOptions;
  effects: ReportEffects;
  store: ResultStore;
  machine: Machine;
  summary: ReportSummary;
}

/**
 * Executes a plan's runs one after the other (never two benchmarks at once on a 2-core machine),
 * reusing stored results whose hash matches, and saving each result the moment it is known.
 */
async function runPlan(plan: Plan, context: RunContext): Promise<Record<string, BlockOutcome[]>> {
  const {options, effects, store, machine, summary} = context;
  const notebook = plan.notebook.name;
  const outcomes: Record<string, BlockOutcome[]> = {};
  const add = (run: PlannedRun, outcome: BlockOutcome): void => {
    (outcomes[run.blockId] ??= []).push(outcome);
  };

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
    if (stored && (filtered || (stored.hash === run.hash && stored.result.status === 'ok' && !options.rerun))) {
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
    const result = await executeRun(run, runtime, {cacheDir: options.cacheDir, signal: options.signal});
    // An interrupted block measured nothing worth keeping.
    if (options.signal?.aborted) break;
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
  const stats = run.kind === 'bench' && result.status === 'ok' && result.samples && result.samples.length > 0 ? summarize(result.samples) : undefined;
  return {
    format: 1,
    notebook: plan.notebook.name,
    key: run.key,
    blockId: run.blockId,
    kind: run.kind,
    hash: run.hash,
    ...(run.sweep ? {sweep: run.sweep} : {}),
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

function indexEntry(notebook: Notebook, outcomes: Record<string, BlockOutcome[]>): IndexEntry {
  const all = Object.values(outcomes).flat();
  const records = all.flatMap((outcome) => (outcome.stored ? [outcome.stored] : []));
  const newest = records.sort((a, b) => b.date.localeCompare(a.date))[0];
  return {
    name: notebook.name,
    title: notebook.title,
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
