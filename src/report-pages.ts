/**
 * The report's steps around the pipeline's stages: reading notebooks with the files they name,
 * writing a built notebook's page and exports, and the index's lines for notebooks not built.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {checkClaims} from './check/claims.js';
import {checkMachines} from './check/machines.js';
import type {NotebookComparison} from './check/index.js';
import type {BlockOutcome, Machine} from './model/index.js';
import type {ClaimResult} from './measure/claims.js';
import {parseNotebookCached} from './parse/cached.js';
import {formatMessage} from './parse/messages.js';
import {readPublishedFiles} from './parse/published-files.js';
import type {Notebook} from './parse/types.js';
import {planNotebook, profileMessages} from './plan/index.js';
import {applyMeasureOverrides} from './plan/overrides.js';
import type {Plan} from './plan/types.js';
import type {IndexEntry} from './render/types.js';
import type {BuiltNotebook, ReportEffects, ReportOptions, ReportSummary} from './report-types.js';
import {decideRuns, machineOutcomes, readRelated, readStored, shardPlans, storedOutcomes, type RunDecision} from './run/index.js';
import {resolveRuntimes, type ResolvedRuntimes} from './runtimes/index.js';
import type {ResultStore} from './store/index.js';
import {codeVersion} from './system/code-version.js';
import {nearestPath} from './system/nearest-path.js';
import type {Templates} from './write/index.js';
import {inputsKey, type OutputCache} from './write/output-cache.js';

/**
 * Reads and parses every notebook, with the results files its published figures name, reporting each
 * problem; those without fatal ones (or, `--strict`, any) go on.
 */
export async function readNotebooks(options: ReportOptions, effects: Pick<ReportEffects, 'readNotebook' | 'readFile' | 'log'>, summary: ReportSummary): Promise<Notebook[]> {
  const notebooks: Notebook[] = [];
  for (const file of options.notebooks) {
    const parsed = await parseNotebookCached(await effects.readNotebook(file), file, options.cacheDir);
    const read = parsed.notebook ? await readPublishedFiles(parsed.notebook, {readFile: effects.readFile ?? ((name) => readFile(name)), nearest: nearestPath}) : undefined;
    const notebook = read?.notebook;
    const messages = notebook ? [...parsed.messages, ...read!.messages, ...profileMessages(notebook, options.profile)] : parsed.messages;
    summary.messages.push(...messages);
    for (const message of messages) effects.log(formatMessage(message));
    if (notebook && !messages.some((message) => message.fatal || options.strict)) notebooks.push(notebook);
    else summary.invalid++;
  }
  return notebooks;
}

/**
 * Every notebook planned under the profile and every run decided, before anything runs, so that a
 * progress display (or `--dry-run`) knows all the work and its estimate up front; with each plan,
 * the stored results of its blocks at any size, which estimates scale from. `--shard K/N` keeps only
 * this part's runs, comparisons whole.
 */
export async function decideAll(notebooks: Notebook[], options: ReportOptions, store: ResultStore, machine: Machine): Promise<{found: ResolvedRuntimes['found']; decided: DecidedPlan[]}> {
  // Resolve only the runtimes some block needs: an unchanged one comes from the probe cache.
  const needed = notebooks.flatMap((notebook) => notebook.blocks.flatMap((block) => (block.runtime ? [block.runtime] : [])));
  const {found, missing} = options.fromData ? {found: {}, missing: {}} : await resolveRuntimes(needed);
  const metric = options.measure ?? 'time';
  const memory = options.memoryLimitBytes === undefined ? {} : {memoryLimitBytes: options.memoryLimitBytes};
  const planned = notebooks.map((notebook) => applyMeasureOverrides(planNotebook(notebook, {profile: options.profile, runtimes: found, missing, metric, ...memory}), options.overrides ?? {}));
  const plans = options.shard ? shardPlans(planned, options.shard) : planned;
  const decided: DecidedPlan[] = [];
  for (const plan of plans) {
    const decisions = decideRuns(plan, await readStored(plan, store, machine, options), machine, options);
    // Only runs that will run are estimated: a build that reuses everything reads no other results
    // (every stored file of the notebook, read and checked again, was a third of a no-op build).
    const related = decisions.some((decision) => decision.action === 'run') ? await readRelated(plan, store, machine) : [];
    decided.push({plan, decisions, related});
  }
  return {found, decided};
}

/** A plan with its runs decided and the stored results its estimates scale from. */
export interface DecidedPlan {
  plan: Plan;
  decisions: RunDecision[];
  related: Awaited<ReturnType<typeof readRelated>>;
}

/** What writing a page needs besides the notebook. */
export interface PageContext {
  effects: ReportEffects;
  templates: Templates;
  machine: Machine;
  store: ResultStore;
  /** The pages last built: a page whose inputs are unchanged is not rendered again (absent: always rendered). */
  pages?: OutputCache;
  /** `--baseline`: compares the built notebook with the baseline (then the page is always rendered). */
  compare?: (built: BuiltNotebook) => Promise<NotebookComparison>;
}

/** A notebook's page as built: what it was made from, its line on the index, its comparison with a baseline. */
export interface BuiltPage {
  built: BuiltNotebook;
  entry: IndexEntry;
  comparison?: NotebookComparison;
}

/**
 * Checks a run notebook's claims, renders its page with every machine with results beside this one,
 * and writes it with its exports (JSON, CSV, hyperfine JSON) beside it. When the page's inputs are
 * those of the last build and its files are untouched, the recorded claims and index line are used
 * and nothing is rendered or written.
 */
export async function buildNotebookPage(plan: Plan, outcomes: Record<string, BlockOutcome[]>, context: PageContext): Promise<BuiltPage> {
  const {notebook, profile} = plan;
  const {effects, templates, machine, pages} = context;
  const stored = await machineOutcomes(plan, context.store, machine).catch(() => []);
  const command = reproduceCommand(notebook, profile);
  // Everything the page and its exports are made of; the load average changes every second and is not shown.
  const {loadavg: _load, ...shownMachine} = machine;
  const key = pages && !context.compare ? inputsKey(codeVersion(), templates, notebook, profile, plan.params, plan.runtimes, outcomes, shownMachine, stored, command) : undefined;
  const recorded = key ? await pages!.fresh<{entry: IndexEntry; claims: Record<string, ClaimResult>}>(notebook.name, key) : undefined;
  if (recorded) return {built: {notebook, profile, outcomes, claims: recorded.claims}, entry: recorded.entry};

  const built: BuiltNotebook = {notebook, profile, outcomes, claims: checkClaims(notebook, outcomes)};
  const comparison = context.compare ? await context.compare(built) : undefined;
  const machines = checkMachines(notebook, stored, {machine, outcomes, claims: built.claims});
  // The renderer (with highlight.js, and Plot when a chart is new) loads only when a page is rendered.
  const [{indexEntry, renderPage}, {withMachineClaims}, {pageExports}] = await Promise.all([import('./render/index.js'), import('./render/machines.js'), import('./write/exports.js')]);
  const exports = pageExports({...built, params: plan.params, machine});
  const html = await renderPage(
    {
      notebook,
      profile,
      params: plan.params,
      runtimes: plan.runtimes,
      outcomes,
      machine,
      command,
      claims: built.claims,
      downloads: exports.map(({href, label}) => ({href, label})),
      ...(machines.length > 1 ? {machines} : {})
    },
    {
      template: templates.page,
      css: templates.css,
      chartCache: effects.chartCache,
      ...(templates.machinesCss ? {machinesCss: templates.machinesCss} : {}),
      ...(comparison ? {baseline: {name: comparison.baseline, changes: comparison.blocks}} : {})
    }
  );
  const files: Record<string, string> = {[`${notebook.name}.html`]: html, ...Object.fromEntries(exports.map((file) => [file.href, file.content]))};
  for (const [name, content] of Object.entries(files)) await effects.writeOutput(name, content);
  const entry = withMachineClaims(indexEntry(notebook, outcomes, built.claims), notebook, machines);
  if (key) await pages!.record(notebook.name, key, files, {entry, claims: built.claims});
  return {built, entry, ...(comparison ? {comparison} : {})};
}

/**
 * Index entries of the notebooks the index lists but this build did not build (`indexNotebooks`),
 * from their stored results as `--from-data` shows them; one per notebook name, those built first.
 * A notebook with errors or without any stored result is left off: it has no page.
 */
export async function listedEntries(options: ReportOptions, effects: ReportEffects, store: ResultStore, machine: Machine, listed: Set<string>): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const file of options.indexNotebooks ?? []) {
    // A notebook is named after its file: one built already is not read again.
    if (listed.has(path.basename(file).replace(/\.md$/i, ''))) continue;
    const parsed = await effects.readNotebook(file).then((source) => parseNotebookCached(source, file, options.cacheDir), () => undefined);
    const notebook = parsed?.notebook;
    if (!notebook || parsed.messages.some((message) => message.fatal) || listed.has(notebook.name)) continue;
    const plan = planNotebook(notebook, {profile: options.profile, runtimes: {}});
    const outcomes: Record<string, BlockOutcome[]> = await storedOutcomes(plan, store, machine).catch(() => ({}));
    if (!Object.values(outcomes).flat().some((outcome) => outcome.stored)) continue;
    listed.add(notebook.name);
    const machines = checkMachines(notebook, await machineOutcomes(plan, store, machine).catch(() => []));
    const [{indexEntry}, {withMachineClaims}] = await Promise.all([import('./render/index.js'), import('./render/machines.js')]);
    entries.push(withMachineClaims(indexEntry(notebook, outcomes, checkClaims(notebook, outcomes)), notebook, machines));
  }
  return entries;
}

function reproduceCommand(notebook: Notebook, profile: string): string {
  const file = path.isAbsolute(notebook.path) ? path.relative(process.cwd(), notebook.path) : notebook.path;
  return `npm ci && npm run setup && npm run report -- ${file}${profile === 'quick' ? '' : ` --profile ${profile}`}`;
}
