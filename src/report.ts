import {createHash} from 'node:crypto';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {compareNotebook} from './check/baseline.js';
import {closeExecutors} from './execute/index.js';
import {addClaimCounts, countClaims} from './render/claim.js';
import type {IndexEntry} from './render/types.js';
import {buildNotebookPage, decideAll, listedEntries, readNotebooks} from './report-pages.js';
import type {BuiltNotebook, ReportEffects, ReportOptions, ReportSummary} from './report-types.js';
import {dryRunPlan, formatEvent, queuedEvents, runPlan, shardRunsOf, type DryRunNotebook, type RunEvent} from './run/index.js';
import {BaselineStore} from './store/baseline.js';
import {describeMachine, ResultStore} from './store/index.js';
import {benchbookVersion, writeShardManifest, type ShardManifest} from './store/manifest.js';
import {codeVersion} from './system/code-version.js';
import {checkNoise} from './system/noise.js';
import {inputsKey, outputCache} from './write/output-cache.js';

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
  const notebooks = await readNotebooks(options, effects, summary);
  const {found, decided} = await decideAll(notebooks, options, store, machine);
  const shardRuns: ShardManifest['notebooks'] = [];
  for (const {plan, decisions, related} of decided) for (const event of queuedEvents(plan, decisions, related)) effects.onEvent?.(event);
  // Before measuring, how quiet the machine is: stored with every result, its warnings said now.
  const noise = decided.some(({decisions}) => decisions.some((decision) => decision.action === 'run')) ? await checkNoise() : undefined;
  for (const warning of noise?.warnings ?? []) effects.log(`noise: ${warning}`);
  const measuredOn = noise ? {...machine, noise} : machine;
  // Counted from the start of the build: parsing and planning are part of the time a CI job has.
  const budget = options.timeoutTotalMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, Math.round(options.timeoutTotalMs - (performance.now() - started))));
  const onEvent = (event: RunEvent): void => (effects.onEvent ? effects.onEvent(event) : logEvent(effects, event));
  const templates = notebooks.length > 0 ? await effects.readTemplates() : undefined;
  const baselines = new BaselineStore(options.dataDir);
  if (options.baseline) summary.baseline = {name: options.baseline, comparisons: []};
  const entries: IndexEntry[] = [];
  // What the site's pages were last built from: unchanged pages are not rendered again.
  const pages = effects.readOutput ? outputCache(path.join(options.cacheDir, 'pages', hashPath(options.outputDir)), effects.readOutput) : undefined;
  try {
    for (const {plan, decisions} of decided) {
      const runOptions = {store, machine: measuredOn, cacheDir: options.cacheDir, ...pick(options, 'signal', 'rerun', 'filter', 'timeoutTotalMs'), ...(budget ? {budget} : {})};
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
      const compare = options.baseline === undefined ? undefined : (built: BuiltNotebook) => compareNotebook(baselines, options.baseline!, built.notebook, built.outcomes, built.claims, options.noise === undefined ? {} : {noise: options.noise});
      const {built, entry, comparison} = await buildNotebookPage(plan, ran.outcomes, {effects, templates: templates!, machine: measuredOn, store, ...(pages ? {pages} : {}), ...(compare ? {compare} : {})});
      if (comparison) summary.baseline!.comparisons.push(comparison);
      entries.push(entry);
      summary.claims = addClaimCounts(summary.claims, countClaims(Object.values(built.claims)));
      // On the terminal too: blocks of a claim that disagree are worth knowing before the page is opened.
      for (const [id, claim] of Object.entries(built.claims)) for (const warning of claim.warnings ?? []) effects.log(`warning: claim ${built.notebook.name}/${id}: ${warning}`);
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
    const versions = {benchbook: benchbookVersion(), node: process.version, runtimes: Object.fromEntries(Object.entries(found).map(([name, info]) => [name, info.version]))};
    const manifest: ShardManifest = {format: 1, kind: 'benchbook-shard', date: new Date().toISOString(), profile: options.profile ?? 'quick', shard: {...options.shard}, machine, versions, notebooks: shardRuns};
    summary.shard = {...manifest.shard, manifest: await writeShardManifest(options.dataDir, manifest)};
  }
  if (templates && !summary.interrupted && !options.shard) {
    entries.push(...(await listedEntries(options, effects, store, machine, new Set(entries.map((entry) => entry.name)))));
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const indexOptions = {template: templates.index, css: templates.css, ...(templates.machinesCss ? {machinesCss: templates.machinesCss} : {}), ...(summary.baseline ? {changes: summary.baseline} : {})};
    const key = inputsKey(codeVersion(), entries, indexOptions);
    if (!(pages && (await pages.fresh<true>('index', key)))) {
      const {renderIndex} = await import('./render/index-page.js');
      const html = renderIndex(entries, indexOptions);
      await effects.writeOutput('index.html', html);
      await pages?.record('index', key, {'index.html': html}, true);
    }
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/**
 * What a build would do, without running anything (`--dry-run`): each notebook's plan under the
 * profile, with every run's decision (measure, reuse, skip), estimated duration and time limit.
 * Problems in notebooks are logged and counted in `summary` as a build would.
 */
export async function planReport(options: ReportOptions, effects: Pick<ReportEffects, 'readNotebook' | 'readFile' | 'log'>): Promise<{notebooks: DryRunNotebook[]; summary: ReportSummary}> {
  const summary: ReportSummary = {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0, messages: [], invalid: 0, durationMs: 0, claims: countClaims([])};
  const notebooks = await readNotebooks(options, effects, summary);
  const {decided} = await decideAll(notebooks, options, new ResultStore(options.dataDir), describeMachine());
  summary.notebooks = decided.length;
  return {notebooks: decided.map(({plan, decisions, related}) => dryRunPlan(plan, decisions, related)), summary};
}

function logEvent(effects: ReportEffects, event: RunEvent): void {
  const line = formatEvent(event);
  if (line !== undefined) effects.log(line);
}

function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]])) as Partial<Pick<T, K>>;
}

/** A short name for an output folder: each folder has its own record of what it holds. */
function hashPath(dir: string): string {
  return createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 12);
}
