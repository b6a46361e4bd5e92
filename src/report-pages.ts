/**
 * The report's steps around the pipeline's stages: reading notebooks with the files they name,
 * writing a built notebook's page and exports, and the index's lines for notebooks not built.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {checkClaims, checkMachines, type NotebookComparison} from './check/index.js';
import type {BlockOutcome, Machine} from './model/index.js';
import {formatMessage, parseNotebook, readPublishedFiles} from './parse/index.js';
import type {Notebook} from './parse/types.js';
import {planNotebook, profileMessages} from './plan/index.js';
import type {Plan} from './plan/types.js';
import {indexEntry, renderPage} from './render/index.js';
import {withMachineClaims} from './render/machines.js';
import type {IndexEntry, MachineView} from './render/types.js';
import type {BuiltNotebook, ReportEffects, ReportOptions, ReportSummary} from './report-types.js';
import {storedOutcomes} from './run/index.js';
import type {ResultStore} from './store/index.js';
import {nearestPath} from './system/nearest-path.js';
import {pageExports, type Templates} from './write/index.js';

/**
 * Reads and parses every notebook, with the results files its published figures name, reporting each
 * problem; those without fatal ones (or, `--strict`, any) go on.
 */
export async function readNotebooks(options: ReportOptions, effects: ReportEffects, summary: ReportSummary): Promise<Notebook[]> {
  const notebooks: Notebook[] = [];
  for (const file of options.notebooks) {
    const parsed = parseNotebook(await effects.readNotebook(file), file);
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

/** What writing a page needs besides the notebook. */
export interface PageContext {
  effects: ReportEffects;
  templates: Templates;
  machine: Machine;
  store: ResultStore;
}

/**
 * Renders a built notebook's page, every machine with results beside this one, and writes it with
 * its exports (JSON, CSV, hyperfine JSON) beside it. Returns its line on the index.
 */
export async function writeNotebookPage(built: BuiltNotebook, plan: Plan, comparison: NotebookComparison | undefined, context: PageContext): Promise<IndexEntry> {
  const {notebook, profile, outcomes, claims} = built;
  const {effects, templates, machine} = context;
  const machines: MachineView[] = await checkMachines(plan, context.store, machine, outcomes);
  const exports = pageExports({notebook, profile, outcomes, claims});
  const html = await renderPage(
    {
      notebook,
      profile,
      params: plan.params,
      runtimes: plan.runtimes,
      outcomes,
      machine,
      command: reproduceCommand(notebook, profile),
      claims,
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
  await effects.writeOutput(`${notebook.name}.html`, html);
  for (const file of exports) await effects.writeOutput(file.href, file.content);
  return withMachineClaims(indexEntry(notebook, outcomes, claims), notebook, machines);
}

/**
 * Index entries of the notebooks the index lists but this build did not build (`indexNotebooks`),
 * from their stored results as `--from-data` shows them; one per notebook name, those built first.
 * A notebook with errors or without any stored result is left off: it has no page.
 */
export async function listedEntries(options: ReportOptions, effects: ReportEffects, store: ResultStore, machine: Machine, listed: Set<string>): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const file of options.indexNotebooks ?? []) {
    const parsed = await effects.readNotebook(file).then((source) => parseNotebook(source, file), () => undefined);
    const notebook = parsed?.notebook;
    if (!notebook || parsed.messages.some((message) => message.fatal) || listed.has(notebook.name)) continue;
    const plan = planNotebook(notebook, {profile: options.profile, runtimes: {}});
    const outcomes: Record<string, BlockOutcome[]> = await storedOutcomes(plan, store, machine).catch(() => ({}));
    if (!Object.values(outcomes).flat().some((outcome) => outcome.stored)) continue;
    listed.add(notebook.name);
    const machines = await checkMachines(plan, store, machine, undefined);
    entries.push(withMachineClaims(indexEntry(notebook, outcomes, checkClaims(notebook, outcomes)), notebook, machines));
  }
  return entries;
}

function reproduceCommand(notebook: Notebook, profile: string): string {
  const file = path.isAbsolute(notebook.path) ? path.relative(process.cwd(), notebook.path) : notebook.path;
  return `npm ci && npm run setup && npm run report -- ${file}${profile === 'quick' ? '' : ` --profile ${profile}`}`;
}
