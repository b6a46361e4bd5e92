import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {checkClaims, compareNotebook, type NotebookComparison} from './check/index.js';
import {closeExecutors} from './execute/index.js';
import type {BlockOutcome, Machine} from './model/index.js';
import type {Plan} from './plan/types.js';
import {formatMessage, parseNotebook} from './parse/index.js';
import type {Notebook} from './parse/types.js';
import {planNotebook, profileMessages} from './plan/index.js';
import {applyMeasureOverrides} from './plan/overrides.js';
import {indexEntry, renderIndex, renderPage} from './render/index.js';
import type {IndexEntry, MachineView} from './render/types.js';
import {decideRuns, formatEvent, machineOutcomes, queuedEvents, readStored, runPlan, shardPlans, storedOutcomes, type RunEvent, type RunPlanResult} from './run/index.js';
import {resolveRuntimes} from './runtimes/index.js';
import {BaselineStore} from './store/baseline.js';
import {describeMachine, ResultStore} from './store/index.js';
import {benchbookVersion, writeShardManifest, type ShardManifest} from './store/manifest.js';
import type {BuiltNotebook, ReportEffects, ReportOptions, ReportSummary} from './report-types.js';
import {pageExports, type Templates} from './write/index.js';

export type * from './report-types.js';

/**
 * Builds the report: parse -> plan -> run -> check claims -> render -> write, notebook by notebook.
 * A notebook with errors is reported and skipped; a failing block is contained to itself.
 */
export async function buildReport(options: ReportOptions, effects: ReportEffects): Promise<ReportSummary> {
  const started = performance.now();
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0, claims: {holds: 0, fails: 0, inconclusive: 0, unmeasured: 0}};
  const store = new ResultStore(options.dataDir);
  const machine = describeMachine();
  const notebooks = await parseNotebooks(options, effects, summary);
  // Resolve only the runtimes some block needs: an unchanged one comes from the probe cache.
  const needed = notebooks.flatMap((notebook) => notebook.blocks.flatMap((block) => (block.runtime ? [block.runtime] : [])));
  const {found, missing} = options.fromData ? {found: {}, missing: {}} : await resolveRuntimes(needed);
  const metric = options.measure ?? 'time';
  const memory = options.memoryLimitBytes === undefined ? {} : {memoryLimitBytes: options.memoryLimitBytes};
  const planned = notebooks.map((notebook) => applyMeasureOverrides(planNotebook(notebook, {profile: options.profile, runtimes: found, missing, metric, ...memory}), options.overrides ?? {}));
  // `--shard K/N`: only this part's runs, comparisons kept whole; no pages (the merge job builds them).
  const plans = options.shard ? shardPlans(planned, options.shard) : planned;
  const shardRuns: ShardManifest['notebooks'] = [];
  // Every run is decided first, so a progress display knows all the work, and its estimate, up front.
  const decided = [];
  for (const plan of plans) decided.push({plan, decisions: decideRuns(plan, await readStored(plan, store, machine, options), machine, options)});
  for (const {plan, decisions} of decided) for (const event of queuedEvents(plan, decisions)) effects.onEvent?.(event);
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
      if (options.shard) {
        shardRuns.push({name: plan.notebook.name, runs: shardRunsOf(plan, decisions, ran)});
        summary.notebooks++;
        continue;
      }
      const built = {notebook: plan.notebook, profile: plan.profile, outcomes: ran.outcomes, claims: checkClaims(plan.notebook, ran.outcomes)};
      const comparison = options.baseline ? await compareNotebook(baselines, options.baseline, built.notebook, built.outcomes, built.claims, options.noise === undefined ? {} : {noise: options.noise}) : undefined;
      if (comparison) summary.baseline!.comparisons.push(comparison);
      const machines = await machineViews(plan, store, machine, built.outcomes);
      await writePage(built, comparison, {effects, templates: templates!, machine, machines});
      entries.push(withMachineClaims(indexEntry(built.notebook, built.outcomes, built.claims), built.notebook, machines));
      for (const [verdict, count] of Object.entries(entries.at(-1)!.claims ?? {})) summary.claims[verdict as keyof ReportSummary['claims']] += count;
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
  if (options.shard && !summary.interrupted) {
    const runtimes = Object.fromEntries(Object.entries(found).map(([name, info]) => [name, info.version]));
    const manifest: ShardManifest = {
      format: 1,
      kind: 'benchbook-shard',
      date: new Date().toISOString(),
      profile: options.profile ?? 'quick',
      shard: {index: options.shard.index, count: options.shard.count},
      machine,
      versions: {benchbook: benchbookVersion(), node: process.version, runtimes},
      notebooks: shardRuns
    };
    summary.shard = {...manifest.shard, manifest: await writeShardManifest(options.dataDir, manifest)};
  }
  if (templates && !summary.interrupted && !options.shard) {
    entries.push(...(await listedEntries(options, effects, store, machine, new Set(entries.map((entry) => entry.name)))));
    entries.sort((a, b) => a.name.localeCompare(b.name));
    await effects.writeOutput('index.html', renderIndex(entries, {template: templates.index, css: templates.css, ...(templates.machinesCss ? {machinesCss: templates.machinesCss} : {}), ...(summary.baseline ? {changes: summary.baseline} : {})}));
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/** Reads and parses every notebook, reporting each problem; those without fatal ones (or, `--strict`, any) go on. */
async function parseNotebooks(options: ReportOptions, effects: ReportEffects, summary: ReportSummary): Promise<Notebook[]> {
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
async function writePage(built: BuiltNotebook, comparison: NotebookComparison | undefined, context: {effects: ReportEffects; templates: Templates; machine: Machine; machines: MachineView[]}): Promise<void> {
  const {notebook, profile, outcomes, claims} = built;
  const {effects, templates, machine, machines} = context;
  const exports = pageExports({notebook, profile, outcomes});
  const html = await renderPage(
    {notebook, profile, outcomes, machine, command: reproduceCommand(notebook, profile), claims, downloads: exports.map(({href, label}) => ({href, label})), ...(machines.length > 1 ? {machines} : {})},
    {template: templates.page, css: templates.css, chartCache: effects.chartCache, ...(templates.machinesCss ? {machinesCss: templates.machinesCss} : {}), ...(comparison ? {baseline: {name: comparison.baseline, changes: comparison.blocks}} : {})}
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
    const plan = planNotebook(notebook.notebook, {profile: options.profile, runtimes: {}});
    const machines = await machineViews(plan, store, machine, undefined);
    entries.push(withMachineClaims(indexEntry(notebook.notebook, outcomes, checkClaims(notebook.notebook, outcomes)), notebook.notebook, machines));
  }
  return entries;
}

/**
 * Every machine with stored results for the plan, each with its claims checked on its own results:
 * the page shows them side by side when there is more than one. This build's machine shows what the
 * build shows (`outcomes`, with stale marks); the others, what they stored.
 */
async function machineViews(plan: Plan, store: ResultStore, machine: Machine, outcomes: Record<string, BlockOutcome[]> | undefined): Promise<MachineView[]> {
  const stored = await machineOutcomes(plan, store, machine).catch(() => []);
  return stored.map((view) => {
    const shown = outcomes && view.machine.fingerprint === machine.fingerprint ? outcomes : view.outcomes;
    return {machine: view.machine, outcomes: shown, claims: checkClaims(plan.notebook, shown)};
  });
}

/** An index entry with each claim's verdict per machine, when more than one machine has results. */
function withMachineClaims(entry: IndexEntry, notebook: Notebook, machines: MachineView[]): IndexEntry {
  if (machines.length < 2) return entry;
  if (!notebook.blocks.some((block) => block.claim)) return {...entry, machines: machines.length};
  const claims = notebook.blocks.flatMap((block) => (block.claim ? [{id: block.id, text: block.claim.text}] : []));
  return {...entry, machines: machines.length, machineClaims: {claims, machines: machines.map(({machine, claims: verdicts}) => ({machine, verdicts: Object.fromEntries(Object.entries(verdicts).map(([id, result]) => [id, result.verdict]))}))}};
}

/** What each run of a shard came to, for its manifest. */
function shardRunsOf(plan: Plan, decisions: ReturnType<typeof decideRuns>, ran: RunPlanResult): ShardManifest['notebooks'][number]['runs'] {
  const outcomes = new Map(Object.values(ran.outcomes).flat().map((outcome) => [outcome.key, outcome]));
  return plan.runs.map((run, index) => {
    const outcome = outcomes.get(run.key);
    const status = decisions[index]!.action === 'reuse' ? 'reused' : outcome?.skipped !== undefined ? 'skipped' : outcome?.failure || outcome?.stored?.result.status !== 'ok' ? 'failed' : 'run';
    return {key: run.key, hash: run.hash, status};
  });
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
