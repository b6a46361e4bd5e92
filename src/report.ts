import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {checkClaims, compareNotebook, type NotebookComparison} from './check/index.js';
import {closeExecutors} from './execute/index.js';
import type {BlockOutcome, Machine} from './model/index.js';
import {formatMessage, parseNotebook} from './parse/index.js';
import type {Notebook} from './parse/types.js';
import {planNotebook, profileMessages} from './plan/index.js';
import {applyMeasureOverrides} from './plan/overrides.js';
import type {Plan} from './plan/types.js';
import {addClaimCounts, countClaims, indexEntry, renderIndex, renderPage} from './render/index.js';
import type {IndexEntry} from './render/types.js';
import {decideRuns, dryRunPlan, formatEvent, queuedEvents, readRelated, readStored, runPlan, storedOutcomes, type DryRunNotebook, type RunEvent} from './run/index.js';
import {resolveRuntimes} from './runtimes/index.js';
import {BaselineStore} from './store/baseline.js';
import {describeMachine, ResultStore} from './store/index.js';
import type {BuiltNotebook, ReportEffects, ReportOptions, ReportSummary} from './report-types.js';
import {pageExports, type Templates} from './write/index.js';

export type * from './report-types.js';

/**
 * Builds the report: parse -> plan -> run -> check claims -> render -> write, notebook by notebook.
 * A notebook with errors is reported and skipped; a failing block is contained to itself.
 */
export async function buildReport(options: ReportOptions, effects: ReportEffects): Promise<ReportSummary> {
  const started = performance.now();
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0, claims: countClaims([])};
  const store = new ResultStore(options.dataDir);
  const machine = describeMachine();
  const notebooks = await parseNotebooks(options, effects, summary);
  const decided = await decideAll(notebooks, options, store, machine);
  for (const {plan, decisions, related} of decided) for (const event of queuedEvents(plan, decisions, related)) effects.onEvent?.(event);
  // Counted from the start of the build: parsing and planning are part of the time a CI job has.
  const budget = options.timeoutTotalMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, Math.round(options.timeoutTotalMs - (performance.now() - started))));
  const onEvent = (event: RunEvent): void => (effects.onEvent ? effects.onEvent(event) : logEvent(effects, event));
  const templates = notebooks.length > 0 ? await effects.readTemplates() : undefined;
  const baselines = new BaselineStore(options.dataDir);
  if (options.baseline) summary.baseline = {name: options.baseline, comparisons: []};
  const entries: IndexEntry[] = [];
  try {
    for (const {plan, decisions} of decided) {
      const runOptions = {store, machine, cacheDir: options.cacheDir, ...pick(options, 'signal', 'rerun', 'filter', 'timeoutTotalMs'), ...(budget ? {budget} : {})};
      const ran = await runPlan(plan, decisions, runOptions, {onEvent});
      for (const key of ['run', 'reused', 'failed', 'skipped'] as const) summary[key] += ran.counts[key];
      if (ran.interrupted) {
        summary.interrupted = true;
        break;
      }
      const built = {notebook: plan.notebook, profile: plan.profile, outcomes: ran.outcomes, claims: checkClaims(plan.notebook, ran.outcomes)};
      const comparison = options.baseline ? await compareNotebook(baselines, options.baseline, built.notebook, built.outcomes, built.claims, options.noise === undefined ? {} : {noise: options.noise}) : undefined;
      if (comparison) summary.baseline!.comparisons.push(comparison);
      await writePage(built, plan, comparison, {effects, templates: templates!, machine});
      entries.push(indexEntry(built.notebook, built.outcomes, built.claims));
      summary.claims = addClaimCounts(summary.claims, countClaims(Object.values(built.claims)));
      summary.notebooks++;
      effects.onNotebook?.(built);
      if (options.saveBaseline) {
        const records = Object.values(built.outcomes).flatMap((list) => list.flatMap((outcome) => (outcome.stored ? [outcome.stored] : [])));
        const saved = await baselines.save(options.saveBaseline, built.notebook.name, records);
        summary.savedBaseline = {name: options.saveBaseline, results: (summary.savedBaseline?.results ?? 0) + saved};
      }
    }
  } finally {
    await closeExecutors();
  }
  if (templates && !summary.interrupted) {
    entries.push(...(await listedEntries(options, effects, store, machine, new Set(entries.map((entry) => entry.name)))));
    entries.sort((a, b) => a.name.localeCompare(b.name));
    await effects.writeOutput('index.html', renderIndex(entries, {template: templates.index, css: templates.css, ...(summary.baseline ? {changes: summary.baseline} : {})}));
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/**
 * What a build would do, without running anything (`--dry-run`): each notebook's plan under the
 * profile, with every run's decision (measure, reuse, skip), estimated duration and time limit.
 * Problems in notebooks are logged and counted in `summary` as a build would.
 */
export async function planReport(options: ReportOptions, effects: Pick<ReportEffects, 'readNotebook' | 'log'>): Promise<{notebooks: DryRunNotebook[]; summary: ReportSummary}> {
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0, claims: countClaims([])};
  const store = new ResultStore(options.dataDir);
  const machine = describeMachine();
  const notebooks = await parseNotebooks(options, effects, summary);
  const decided = await decideAll(notebooks, options, store, machine);
  summary.notebooks = decided.length;
  return {notebooks: decided.map(({plan, decisions, related}) => dryRunPlan(plan, decisions, related)), summary};
}

/**
 * Every notebook planned under the profile and every run decided, before anything runs, so that a
 * progress display (or `--dry-run`) knows all the work and its estimate up front; with each plan,
 * the stored results of its blocks at any size, which estimates scale from.
 */
async function decideAll(notebooks: Notebook[], options: ReportOptions, store: ResultStore, machine: Machine) {
  // Resolve only the runtimes some block needs: an unchanged one comes from the probe cache.
  const needed = notebooks.flatMap((notebook) => notebook.blocks.flatMap((block) => (block.runtime ? [block.runtime] : [])));
  const {found, missing} = options.fromData ? {found: {}, missing: {}} : await resolveRuntimes(needed);
  const metric = options.measure ?? 'time';
  const memory = options.memoryLimitBytes === undefined ? {} : {memoryLimitBytes: options.memoryLimitBytes};
  const plans = notebooks.map((notebook) => applyMeasureOverrides(planNotebook(notebook, {profile: options.profile, runtimes: found, missing, metric, ...memory}), options.overrides ?? {}));
  const decided = [];
  for (const plan of plans) {
    decided.push({plan, decisions: decideRuns(plan, await readStored(plan, store, machine, options), machine, options), related: await readRelated(plan, store, machine)});
  }
  return decided;
}

/** Reads and parses every notebook, reporting each problem; those without fatal ones (or, `--strict`, any) go on. */
async function parseNotebooks(options: ReportOptions, effects: Pick<ReportEffects, 'readNotebook' | 'log'>, summary: ReportSummary): Promise<Notebook[]> {
  const notebooks: Notebook[] = [];
  for (const file of options.notebooks) {
    const {notebook, messages: parsed} = parseNotebook(await effects.readNotebook(file), file);
    const messages = notebook ? [...parsed, ...profileMessages(notebook, options.profile)] : parsed;
    summary.messages.push(...messages);
    for (const message of messages) effects.log(formatMessage(message));
    if (notebook && !messages.some((message) => message.fatal || options.strict)) notebooks.push(notebook);
    else summary.invalid++;
  }
  return notebooks;
}

/** Renders a built notebook's page and writes it with its exports (JSON, CSV, hyperfine JSON) beside it. */
async function writePage(built: BuiltNotebook, plan: Plan, comparison: NotebookComparison | undefined, context: {effects: ReportEffects; templates: Templates; machine: Machine}): Promise<void> {
  const {notebook, profile, outcomes, claims} = built;
  const {effects, templates, machine} = context;
  const exports = pageExports({notebook, profile, outcomes, params: plan.params, machine});
  const html = await renderPage(
    {notebook, profile, params: plan.params, runtimes: plan.runtimes, outcomes, machine, command: reproduceCommand(notebook, profile), claims, downloads: exports.map(({href, label}) => ({href, label}))},
    {template: templates.page, css: templates.css, chartCache: effects.chartCache, ...(comparison ? {baseline: {name: comparison.baseline, changes: comparison.blocks}} : {})}
  );
  await effects.writeOutput(`${notebook.name}.html`, html);
  for (const file of exports) await effects.writeOutput(file.href, file.content);
}

/**
 * Index entries of the notebooks the index lists but this build did not build (`indexNotebooks`),
 * from their stored results as `--from-data` shows them; one per notebook name, those built first.
 * A notebook with errors or without any stored result is left off: it has no page.
 */
async function listedEntries(options: ReportOptions, effects: ReportEffects, store: ResultStore, machine: Machine, listed: Set<string>): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const file of options.indexNotebooks ?? []) {
    const notebook = await effects.readNotebook(file).then((source) => parseNotebook(source, file), () => undefined);
    if (!notebook?.notebook || notebook.messages.some((message) => message.fatal) || listed.has(notebook.notebook.name)) continue;
    const outcomes: Record<string, BlockOutcome[]> = await storedOutcomes(planNotebook(notebook.notebook, {profile: options.profile, runtimes: {}}), store, machine).catch(() => ({}));
    if (!Object.values(outcomes).flat().some((outcome) => outcome.stored)) continue;
    listed.add(notebook.notebook.name);
    entries.push(indexEntry(notebook.notebook, outcomes, checkClaims(notebook.notebook, outcomes)));
  }
  return entries;
}

function logEvent(effects: ReportEffects, event: RunEvent): void {
  const line = formatEvent(event);
  if (line !== undefined) effects.log(line);
}

function reproduceCommand(notebook: Notebook, profile: string): string {
  const file = path.isAbsolute(notebook.path) ? path.relative(process.cwd(), notebook.path) : notebook.path;
  return `npm ci && npm run setup && npm run report -- ${file}${profile === 'quick' ? '' : ` --profile ${profile}`}`;
}

function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]])) as Partial<Pick<T, K>>;
}
