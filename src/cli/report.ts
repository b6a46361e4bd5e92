import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {defaultCacheDir, packageRoot} from '../paths.js';
import {buildReport, type ReportSummary} from '../report.js';
import {folderChartCache} from '../store/index.js';
import {readTemplates, writeOutputFile} from '../write/index.js';
import {parseReportArgs, reportHelp} from './args.js';
import {CliError} from './errors.js';

/** `benchbook report`: builds the site and returns the exit status. */
export async function reportCommand(argv: string[]): Promise<number> {
  const args = parseReportArgs(argv);
  if (args.help) {
    console.log(reportHelp());
    return 0;
  }
  const notebooks = args.notebooks.length > 0 ? args.notebooks : await findNotebooks('notebooks');
  if (notebooks.length === 0) throw new CliError('no notebooks to build: pass a file, or add .md files to notebooks/');

  const controller = new AbortController();
  const onSignal = (): void => {
    console.error('\nbenchbook: interrupted — finishing the current block; every result so far is kept');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const log = (line: string): void => {
    const problem = /: (error|warning): |^failed|^skipped/.test(line);
    if (!args.quiet || problem) console.error(line);
  };
  try {
    const summary = await buildReport(
      {
        notebooks,
        profile: args.profile,
        rerun: args.rerun,
        fromData: args.fromData,
        ...(args.filter ? {filter: args.filter} : {}),
        strict: args.strict,
        dataDir: args.data,
        outputDir: args.out,
        cacheDir: defaultCacheDir,
        signal: controller.signal,
        measure: args.measure
      },
      {
        readNotebook: async (file) => {
          try {
            return await readFile(file, 'utf8');
          } catch (error) {
            throw new CliError(`cannot read notebook ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {cause: error});
          }
        },
        readTemplates: () => readTemplates(path.join(packageRoot, 'templates')),
        writeOutput: async (name, content) => {
          await writeOutputFile(args.out, name, content);
        },
        chartCache: folderChartCache(path.join(defaultCacheDir, 'charts')),
        log
      }
    );
    console.log(summaryLine(summary));
    if (summary.interrupted) return 130;
    if (summary.invalid > 0) return 1;
    if (summary.failed > 0 && !args.allowFailures) return 1;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
  if (errors + warnings > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in notebooks`);
  if (summary.interrupted) parts.push('interrupted');
  return `benchbook: ${parts.join(', ')} in ${(summary.durationMs / 1000).toFixed(2)} s`;
}

async function findNotebooks(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((name) => name.endsWith('.md')).sort().map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}
