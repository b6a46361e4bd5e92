import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {defaultCacheDir, packageRoot} from '../paths.js';
import {buildReport, planReport, type BuiltNotebook, type ReportEffects, type ReportOptions, type ReportSummary} from '../report.js';
import {regressionsOf} from '../check/index.js';
import {BaselineStore} from '../store/baseline.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {unreadableReason} from '../system/nearest-path.js';
import {folderChartCache} from '../write/chart-cache.js';
import {formatDryRun} from '../run/index.js';
import {serializeRunBenchbook, serializeRunCsv, serializeRunHyperfine, serializeRunMarkdown} from '../write/export-run.js';
import {readTemplates, writeOutputFile} from '../write/index.js';
import {parseReportArgs, reportHelp, type ReportArgs} from './args.js';
import {CliError} from './errors.js';
import {baselineLines, createProgress, progressMode, useColor, type Progress} from './progress.js';

/** Exit status when `--fail-on-regression` finds a block significantly slower than the baseline by more than allowed. */
export const regressionExitCode = 3;

/** `benchbook report`: builds the site and returns the exit status. */
export async function reportCommand(argv: string[]): Promise<number> {
  const args = parseReportArgs(argv);
  if (args.help) {
    console.log(reportHelp());
    return 0;
  }
  const notebooks = args.notebooks.length > 0 ? args.notebooks : await findNotebooks('notebooks');
  if (notebooks.length === 0) throw new CliError('no notebooks to build: pass a file, or add .md files to notebooks/');
  if (args.dryRun) return dryRunCommand(args, notebooks);
  await checkBaseline(args);

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    // A second Ctrl-C quits at once: stored results are whole files either way (written atomically).
    if (++interrupts > 1) process.exit(130);
    console.error('\nbenchbook: interrupted — stopping the current block; every finished result is kept (Ctrl-C again quits at once)');
    controller.abort();
  };
  // `on`, not `once`: execa's signal-exit kills the process with the signal when it finds no other
  // listener, so a `once` listener, removed as it fires, let Ctrl-C during a block end the CLI at once.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = terminalProgress(args);
  try {
    const {summary} = await buildSite(args, notebooks, progress, controller.signal);
    for (const line of baselineLines(summary, args.failOnRegression)) progress.print(line);
    console.log(summaryLine(summary));
    if (summary.interrupted) return 130;
    if (summary.invalid > 0) return 1;
    if (summary.failed > 0 && !args.allowFailures) return 1;
    // A skipped block (runtime missing) is a gap in the report, not a failure; --strict makes it one.
    if (summary.skipped > 0 && args.strict) return 1;
    if (args.failOnRegression !== undefined && regressionsOf(summary.baseline?.comparisons.flatMap((comparison) => comparison.blocks) ?? [], args.failOnRegression).length > 0) return regressionExitCode;
    return 0;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--dry-run`: the plan of every notebook under the profile, on stdout; problems in notebooks on stderr. */
async function dryRunCommand(args: ReportArgs, notebooks: string[]): Promise<number> {
  const {notebooks: plans, summary} = await planReport(reportOptions(args, notebooks), {
    readNotebook: (file) => readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read notebook ${file}: ${error.code ?? error}`, {cause: error});
    }),
    log: (line) => console.error(line)
  });
  for (const line of formatDryRun(plans)) console.log(line);
  return summary.invalid > 0 ? 1 : 0;
}

/**
 * One build as `report` and `preview` both make it: the notebooks given, every notebook of
 * `notebooks/` on the index, the exports asked for written. The progress display is stopped.
 */
export async function buildSite(args: ReportArgs, notebooks: string[], progress: Progress, signal?: AbortSignal): Promise<{summary: ReportSummary; built: BuiltNotebook[]}> {
  const indexNotebooks = [...new Set([...(await findNotebooks('notebooks')), ...notebooks])];
  const built: BuiltNotebook[] = [];
  try {
    const summary = await buildReport({...reportOptions(args, notebooks, signal), indexNotebooks}, reportEffects(args, progress, built));
    progress.stop();
    await writeExports(args, built, summary);
    return {summary, built};
  } finally {
    progress.stop();
  }
}

/** `buildReport`'s options from the command line (shared with `preview`). */
export function reportOptions(args: ReportArgs, notebooks: string[], signal?: AbortSignal): ReportOptions {
  const overrides = {
    ...(args.warmup === undefined ? {} : {warmup: args.warmup}),
    ...(args.runs === undefined ? {} : {runs: args.runs}),
    ...(args.minTimeMs === undefined ? {} : {minTimeMs: args.minTimeMs})
  };
  return {
    notebooks,
    profile: args.profile,
    rerun: args.rerun,
    fromData: args.fromData,
    ...(args.filter ? {filter: args.filter} : {}),
    strict: args.strict,
    dataDir: args.data,
    outputDir: args.out,
    cacheDir: defaultCacheDir,
    ...(signal ? {signal} : {}),
    measure: args.measure,
    memoryLimitBytes: args.memoryLimitBytes,
    ...(args.timeoutTotalMs === undefined ? {} : {timeoutTotalMs: args.timeoutTotalMs}),
    ...(Object.keys(overrides).length > 0 ? {overrides} : {}),
    ...(args.baseline ? {baseline: args.baseline, noise: args.noise} : {}),
    ...(args.saveBaseline ? {saveBaseline: args.saveBaseline} : {}),
    ...(args.shard ? {shard: args.shard} : {})
  };
}

/** `buildReport`'s effects for the command line: files on disk, events to `progress`, built notebooks into `built`. */
export function reportEffects(args: ReportArgs, progress: Progress, built: BuiltNotebook[] = []): ReportEffects {
  return {
    readNotebook: async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read notebook ${file}: ${unreadableReason(file, error)}`, {cause: error});
      }
    },
    readTemplates: () => readTemplates(path.join(packageRoot, 'templates')),
    writeOutput: async (name, content) => {
      await writeOutputFile(args.out, name, content);
    },
    readOutput: (name) => readFile(path.join(args.out, name), 'utf8').catch(() => undefined),
    chartCache: folderChartCache(path.join(defaultCacheDir, 'charts')),
    log: (line) => progress.log(line),
    onEvent: (event) => progress.onEvent(event),
    onNotebook: (notebook) => {
      built.push(notebook);
    }
  };
}

/** The progress display on stderr: live bars on a terminal, event lines in CI and pipes. */
export function terminalProgress(args: Pick<ReportArgs, 'quiet' | 'verbose'>): Progress {
  return createProgress({
    stream: process.stderr,
    // --quiet wants problems only: no display to watch.
    mode: args.quiet ? 'plain' : progressMode({stdout: process.stdout, stderr: process.stderr}, process.env),
    quiet: args.quiet,
    verbose: args.verbose,
    color: useColor(process.stderr, process.env)
  });
}

/** Fails early, before anything runs, when `--baseline` names a baseline that was never saved. */
export async function checkBaseline(args: Pick<ReportArgs, 'baseline' | 'data'>): Promise<void> {
  if (args.baseline === undefined) return;
  const store = new BaselineStore(args.data);
  const names = await store.names();
  if (names.includes(args.baseline)) return;
  const saved = names.length > 0 ? ` (saved: ${names.join(', ')})` : '';
  throw new CliError(`no baseline named ${args.baseline} in ${path.dirname(store.dirOf(args.baseline))}${saved}: save one first with --save-baseline ${args.baseline}`);
}

/** `--export-json`, `--export-csv`, `--export-markdown`, `--export-benchbook-json`: this run's results, written atomically. */
export async function writeExports(args: Pick<ReportArgs, 'exportJson' | 'exportCsv' | 'exportMarkdown' | 'exportBenchbookJson'>, built: BuiltNotebook[], summary: ReportSummary): Promise<void> {
  const baseline = summary.baseline ? {name: summary.baseline.name, changes: summary.baseline.comparisons.flatMap((comparison) => comparison.blocks)} : undefined;
  if (args.exportJson) await writeFileAtomic(args.exportJson, serializeRunHyperfine(built));
  if (args.exportBenchbookJson) await writeFileAtomic(args.exportBenchbookJson, serializeRunBenchbook(built, baseline));
  if (args.exportCsv) await writeFileAtomic(args.exportCsv, serializeRunCsv(built));
  if (args.exportMarkdown) await writeFileAtomic(args.exportMarkdown, serializeRunMarkdown(built, baseline));
}

/** The one closing line: what ran, what was reused, what failed, how long it took. */
export function summaryLine(summary: ReportSummary): string {
  const errors = summary.messages.filter((message) => message.fatal).length;
  const warnings = summary.messages.length - errors;
  const parts = [
    `${summary.notebooks} notebook${summary.notebooks === 1 ? '' : 's'}`,
    `${summary.run} run`,
    `${summary.reused} reused`,
    `${summary.failed} failed`,
    `${summary.skipped} skipped`
  ];
  const {holds, fails, inconclusive, unmeasured} = summary.claims;
  if (holds + fails + inconclusive + unmeasured > 0) {
    parts.push(`claims: ${holds} hold, ${fails} do not hold, ${inconclusive} inconclusive, ${unmeasured} not measured`);
  }
  const hypotheses = summary.claims.hypotheses;
  if (hypotheses && hypotheses.holds + hypotheses.fails + hypotheses.inconclusive + hypotheses.unmeasured > 0) {
    parts.push(`hypotheses: ${hypotheses.holds} hold, ${hypotheses.fails} do not hold, ${hypotheses.inconclusive} inconclusive, ${hypotheses.unmeasured} not measured`);
  }
  if (errors + warnings > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in notebooks`);
  if (summary.shard) parts.push(`shard ${summary.shard.index}/${summary.shard.count} (manifest ${summary.shard.manifest}; no pages: merge the shards, then build with --from-data)`);
  if (summary.interrupted) parts.push('interrupted');
  return `benchbook: ${parts.join(', ')} in ${(summary.durationMs / 1000).toFixed(2)} s`;
}

/** The notebooks of a folder, `.md` files in name order. */
export async function findNotebooks(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((name) => name.endsWith('.md')).sort().map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}
