import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {writeFileAtomic} from '../system/atomic-write.js';

/** The templates a site is rendered with. */
export interface Templates {
  page: string;
  index: string;
  css: string;
  /** `machines.css`: added to the styles of pages that show several machines (absent: none). */
  machinesCss?: string;
}

/** Reads `page.html`, `index.html`, `style.css` and, when there, `machines.css` from a templates folder. */
export async function readTemplates(dir: string): Promise<Templates> {
  const [page, index, css] = await Promise.all(
    ['page.html', 'index.html', 'style.css'].map((name) => readFile(path.join(dir, name), 'utf8'))
  );
  const machinesCss = await readFile(path.join(dir, 'machines.css'), 'utf8').catch(() => undefined);
  return {page: page!, index: index!, css: css!, ...(machinesCss === undefined ? {} : {machinesCss})};
}

/** Writes one file of the site atomically, so a published `output/` never holds half a page. */
export async function writeOutputFile(outputDir: string, name: string, content: string): Promise<string> {
  const file = path.join(outputDir, name);
  await writeFileAtomic(file, content);
  return file;
}

export {
  CSV_EXTRA_COLUMNS,
  HYPERFINE_CSV_COLUMNS,
  hyperfineResults,
  pageExports,
  serializeCsv,
  serializeHyperfine,
  serializeJson,
  type ExportFile,
  type ExportInput,
  type HyperfineResult
} from './exports.js';
export {serializeRunBenchbook, serializeRunCsv, serializeRunHyperfine, serializeRunMarkdown, type RunBaseline} from './export-run.js';
