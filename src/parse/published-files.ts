import path from 'node:path';
import {closest} from '../system/closest.js';
import {MessageList, sortMessages} from './messages.js';
import {readToolResults, type ToolBenchmark, type ToolResults} from './tool-results.js';
import type {Notebook, NotebookMessage, PublishedFigure, PublishedSource} from './types.js';

/** How {@link readPublishedFiles} reaches the files a notebook names: passed in, so tests need no disk. */
export interface PublishedFileEffects {
  /** Reads a file (its path joined to the notebook's folder); rejects with a Node.js error (`code: 'ENOENT'`...) when it cannot. */
  readFile(file: string): Promise<Uint8Array | string>;
  /** The existing path nearest to one that does not exist, for "did you mean" (default: no suggestion). */
  nearest?(file: string): string | undefined;
}

/** What {@link readPublishedFiles} returns: the notebook with the figures read, and a located message per problem. */
export interface PublishedFilesResult {
  notebook: Notebook;
  messages: NotebookMessage[];
}

/**
 * Fills in the published figures whose times come from a results file (`from:` in the front matter):
 * the named benchmark's median, min and max, converted to ns per unit of work (the file's times,
 * divided by `per:`). A file that cannot be read or is not one the tools write (`published-file`),
 * and a benchmark name the file does not have (`unknown-benchmark`), are errors located where the
 * front matter names them. Each file is read once.
 */
export async function readPublishedFiles(notebook: Notebook, effects: PublishedFileEffects): Promise<PublishedFilesResult> {
  const sources = Object.entries(notebook.published ?? {}).filter((entry): entry is [string, PublishedFigure & {from: PublishedSource}] => entry[1].from !== undefined);
  if (sources.length === 0) return {notebook, messages: []};
  const messages = new MessageList(notebook.path);
  const folder = path.dirname(notebook.path);
  const files = new Map<string, Promise<ToolResults | {problem: string}>>();
  const published: Record<string, PublishedFigure> = {...notebook.published};
  for (const [key, figure] of sources) {
    const source = figure.from;
    const file = path.join(folder, source.file);
    let read = files.get(file);
    if (!read) files.set(file, (read = readResults(file, folder, effects)));
    const results = await read;
    const {from, benchmark: namePoint} = source.points;
    if ('problem' in results) {
      messages.error(from.line, from.column, `published \`${key}\`: cannot use ${source.file}: ${results.problem}`, 'published-file');
      continue;
    }
    const found = findBenchmark(results, source.benchmark, source.file);
    if ('problem' in found) {
      messages.error(namePoint.line, namePoint.column, `published \`${key}\`: ${found.problem}`, 'unknown-benchmark');
      continue;
    }
    const {benchmark} = found;
    if (benchmark.problem !== undefined) {
      messages.error(namePoint.line, namePoint.column, `published \`${key}\`: benchmark \`${source.benchmark}\` of ${source.file} cannot be used: ${benchmark.problem}`, 'published-file');
      continue;
    }
    const per = source.per ?? 1;
    published[key] = {
      ...figure,
      median: benchmark.medianNs / per,
      ...(benchmark.samples > 1 ? {min: benchmark.minNs / per, max: benchmark.maxNs / per} : {}),
      note: figure.note ?? noteOf(results, source, benchmark),
      from: {...source, tool: results.tool, samples: benchmark.samples}
    };
  }
  return {notebook: {...notebook, published}, messages: sortMessages(messages.messages)};
}

async function readResults(file: string, folder: string, effects: PublishedFileEffects): Promise<ToolResults | {problem: string}> {
  let content: Uint8Array | string;
  try {
    content = await effects.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const near = effects.nearest?.(file);
      // Suggested as the front matter writes it: relative to the notebook's folder.
      const suggestion = near === undefined ? '' : `: did you mean ${path.relative(folder, near)}?`;
      return {problem: `there is no such file beside the notebook${suggestion}`};
    }
    return {problem: `it cannot be read (${code ?? (error as Error).message})`};
  }
  return readToolResults(content);
}

function findBenchmark(results: ToolResults, name: string, file: string): {benchmark: ToolBenchmark} | {problem: string} {
  const exact = results.benchmarks.filter((candidate) => candidate.name === name);
  const matches = exact.length > 0 ? exact : results.benchmarks.filter((candidate) => candidate.aliases.includes(name));
  if (matches.length === 1) return {benchmark: matches[0]!};
  const names = results.benchmarks.map((candidate) => candidate.name);
  if (matches.length > 1) return {problem: `\`${name}\` names ${matches.length} benchmarks of ${file} (${results.kind}): ${matches.map((match) => match.name).join(', ')}; write one of them`};
  const near = closest(name, [...names, ...results.benchmarks.flatMap((candidate) => candidate.aliases)]);
  const listed = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
  return {problem: `no benchmark \`${name}\` in ${file} (${results.kind})${near === undefined ? '' : `: did you mean \`${near}\`?`} (benchmarks in it: ${listed || 'none'})`};
}

/** Where the figure comes from, when the front matter says nothing: `pytest-benchmark results.json, test_sum: median of 120 rounds`. */
function noteOf(results: ToolResults, source: PublishedSource, benchmark: ToolBenchmark): string {
  const what = {'pytest-benchmark': 'rounds', pyperf: 'values', hyperfine: 'runs', 'go test': 'results'}[results.tool];
  const per = source.per === undefined ? '' : `, divided by ${source.per}`;
  return `${results.tool} ${source.file}, ${source.benchmark}: median of ${benchmark.samples} ${benchmark.samples === 1 ? what.replace(/s$/, '') : what}${per}`;
}
