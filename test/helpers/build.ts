import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {defaultCacheDir, packageRoot} from '../../src/paths.js';
import {buildReport, type ReportOptions, type ReportSummary} from '../../src/report.js';
import {folderChartCache} from '../../src/write/chart-cache.js';
import {readTemplates, writeOutputFile} from '../../src/write/index.js';

/** A scratch project: its own data/ and output/ folders, removed by `dispose`. */
export interface Scratch {
  dir: string;
  dataDir: string;
  outputDir: string;
  chartDir: string;
  lines: string[];
  /** The files the last build wrote to `outputDir`. */
  writes: string[];
  /** Builds; `{pageCache: true}` lets it read the output back, as the CLI does, so unchanged pages are kept. */
  build(notebooks: string[], options?: Partial<ReportOptions>, effects?: {pageCache?: boolean}): Promise<ReportSummary>;
  read(name: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Runs the real pipeline into a temporary folder, collecting log lines instead of printing them. */
export async function scratchProject(): Promise<Scratch> {
  return scratchProjectAt(await mkdtemp(path.join(os.tmpdir(), 'benchbook-report-')));
}

/** A scratch project in an existing folder (for a second process working on the same results). */
export function scratchProjectAt(dir: string): Scratch {
  const scratch: Scratch = {
    dir,
    dataDir: path.join(dir, 'data'),
    outputDir: path.join(dir, 'output'),
    chartDir: path.join(dir, 'charts'),
    lines: [],
    writes: [],
    async build(notebooks, options = {}, {pageCache = false} = {}) {
      scratch.lines.length = 0;
      scratch.writes.length = 0;
      return buildReport(
        {notebooks, dataDir: scratch.dataDir, outputDir: scratch.outputDir, cacheDir: defaultCacheDir, ...options},
        {
          readNotebook: (file) => readFile(file, 'utf8'),
          readTemplates: () => readTemplates(path.join(packageRoot, 'templates')),
          writeOutput: async (name, content) => {
            await writeOutputFile(scratch.outputDir, name, content);
            scratch.writes.push(name);
          },
          ...(pageCache ? {readOutput: (name: string) => readFile(path.join(scratch.outputDir, name), 'utf8').catch(() => undefined)} : {}),
          chartCache: folderChartCache(scratch.chartDir),
          log: (line) => scratch.lines.push(line)
        }
      );
    },
    read: (name) => readFile(path.join(scratch.outputDir, name), 'utf8'),
    dispose: () => rm(dir, {recursive: true, force: true})
  };
  return scratch;
}
