import {createHash} from 'node:crypto';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {checkClaims} from '../../src/check/index.js';
import {parseNotebook} from '../../src/parse/index.js';
import {packageRoot} from '../../src/paths.js';
import {planNotebook} from '../../src/plan/index.js';
import {renderIndex, renderPage} from '../../src/render/index.js';
import type {BlockOutcome, IndexEntry} from '../../src/render/types.js';
import type {StoredResult} from '../../src/model/index.js';
import {pageExports, readTemplates} from '../../src/write/index.js';
import {machine} from '../render/fixture.js';

/** The real notebooks' pages, rendered from made-up results into a scratch folder. */
export interface NotebookPages {
  dir: string;
  /** The HTML pages written, sorted, `index.html` included. */
  pages: string[];
  dispose(): Promise<void>;
}

/**
 * Renders every `notebooks/*.md` as `npm run report` would, from deterministic made-up results
 * instead of measurements (a mock executor): medians spread over nine decades like real ones, the
 * article's figures where it gives them, a swept block slower or faster by its value, long and wide
 * run output, a missing free-threaded runtime. Runs nothing, so the real notebooks' charts, tables and
 * listings can be laid out in a browser and validated in a second or two.
 */
export async function renderNotebookPages(): Promise<NotebookPages> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-notebook-pages-'));
  const templates = await readTemplates(path.join(packageRoot, 'templates'));
  const folder = path.join(packageRoot, 'notebooks');
  const entries: IndexEntry[] = [];
  for (const file of (await readdir(folder)).filter((name) => name.endsWith('.md')).sort()) {
    const relative = path.join('notebooks', file);
    const {notebook, messages} = parseNotebook(await readFile(path.join(folder, file), 'utf8'), relative);
    if (notebook === undefined || messages.some((message) => message.fatal)) throw new Error(`${relative} does not parse: ${messages.map((message) => message.message).join('; ')}`);
    const plan = planNotebook(notebook, {profile: 'quick', runtimes: {}});
    const outcomes: Record<string, BlockOutcome[]> = {};
    for (const run of plan.runs) {
      const outcome: BlockOutcome =
        run.runtime === 'python-ft'
          ? {key: run.key, skipped: 'python-ft not configured: BENCHBOOK_PYTHON_FT is not set — set BENCHBOOK_PYTHON_FT to a free-threaded CPython'}
          : {key: run.key, stored: madeUpResult(notebook.name, run.key, run.blockId, run.kind, run.runtime, run.sweep, notebook.published[run.key]?.median)};
      (outcomes[run.blockId] ??= []).push(outcome);
    }
    const exports = pageExports({notebook, profile: plan.profile, outcomes});
    const html = await renderPage(
      {
        notebook,
        profile: plan.profile,
        params: plan.params,
        outcomes,
        machine,
        command: `npm ci && npm run setup && npm run report -- ${relative}`,
        claims: checkClaims(notebook, outcomes),
        downloads: exports.map(({href, label}) => ({href, label}))
      },
      {template: templates.page, css: templates.css}
    );
    await writeFile(path.join(dir, `${notebook.name}.html`), html);
    for (const export_ of exports) await writeFile(path.join(dir, export_.href), export_.content);
    entries.push({name: notebook.name, title: notebook.title, href: `${notebook.name}.html`, article: notebook.article, blocks: plan.runs.length, failed: 0, measuredAt: '2024-05-01T12:00:00.000Z', machine});
  }
  await writeFile(path.join(dir, 'index.html'), renderIndex(entries, {template: templates.index, css: templates.css}));
  const pages = (await readdir(dir)).filter((name) => name.endsWith('.html')).sort();
  return {dir, pages, dispose: () => rm(dir, {recursive: true, force: true})};
}

/** A number in [0, 1) from a key: the same key, the same made-up figures. */
function unit(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

function madeUpResult(
  notebook: string,
  key: string,
  blockId: string,
  kind: 'bench' | 'run',
  runtime: string,
  sweep: StoredResult['sweep'],
  published: number | undefined
): StoredResult {
  // Medians from 0.1 ns to 100 s, or near the article's figure when it gives one.
  const swept = typeof sweep?.value === 'number' ? sweep.value : 1;
  const median = (published ?? 10 ** (-1 + 10 * unit(blockId))) * (0.7 + 0.6 * unit(key)) * (blockId.includes('pool') ? 1 / swept : swept);
  const n = 10;
  const samples = Array.from({length: n}, (_, index) => median * (0.9 + 0.2 * unit(`${key}#${index}`)));
  const sorted = [...samples].sort((a, b) => a - b);
  const warnings = unit(`${key}!`) < 0.4 ? ['standard deviation is 12% of the mean: rerun on a quieter machine or raise repeat/processes', 'only 3 samples: raise runs or min-time for a trustworthy interval'] : [];
  const listing = Array.from({length: 260}, (_, index) => `${String(index).padStart(6)}    0.${String(index).padStart(3, '0')}    /tmp/benchbook-Ab12Cd/block-${blockId}.py:${index}(function_with_a_rather_long_name_${index})    {method 'split' of 'str' objects}`).join('\n');
  return {
    format: 1,
    notebook,
    key,
    blockId,
    kind,
    hash: `hash-${key}`,
    profile: 'quick',
    runtime: {name: runtime, executable: `/usr/bin/${runtime}`, version: `${runtime} 1.0`, ...(runtime === 'c' ? {flags: ['-O2', '-std=gnu11']} : {})},
    machine,
    date: '2024-05-01T12:00:00.000Z',
    ...(sweep === undefined ? {} : {sweep}),
    result: {
      status: 'ok',
      timedOut: false,
      durationMs: 1000,
      stdout: kind === 'run' ? `${listing}\n` : '',
      stderr: '',
      ...(kind === 'bench' ? {samples, loops: [1000, 1000]} : {}),
      memory: {peakBytes: Math.round(100 + 1e7 * unit(`${key}@`)), maxRssKiB: 20_000 + Math.round(90_000 * unit(`${key}%`))}
    } as StoredResult['result'],
    ...(kind === 'bench'
      ? {
          stats: {
            n,
            min: sorted[0]!,
            max: sorted.at(-1)!,
            mean: samples.reduce((sum, value) => sum + value, 0) / n,
            median: (sorted[4]! + sorted[5]!) / 2,
            stddev: median * 0.06,
            mad: median * 0.04,
            ci: [sorted[2]!, sorted[7]!],
            outliers: [],
            warnings
          }
        }
      : {})
  };
}
