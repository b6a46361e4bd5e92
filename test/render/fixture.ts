import type {Code, Root} from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import {unified} from 'unified';
import {visit} from 'unist-util-visit';
import type {Block, BlockKind, BlockOptions, Notebook} from '../../src/parse/types.js';
import type {BlockOutcome} from '../../src/render/types.js';
import type {Machine, StoredResult} from '../../src/model/index.js';

/** How a test describes a block; the code node supplies `lang` and `code`. */
export interface BlockSpec {
  kind: BlockKind;
  id: string;
  runtime?: string;
  options?: BlockOptions;
}

/**
 * Builds a notebook the way the parse stage does, by hand: every fenced code node, in document order,
 * becomes the next of `specs` and gets `data.blockIndex`.
 */
export function makeNotebook(markdown: string, specs: BlockSpec[], extra: Partial<Notebook> = {}): Notebook {
  const tree = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm).parse(markdown) as Root;
  const blocks: Block[] = [];
  visit(tree, 'code', (node: Code) => {
    const spec = specs[blocks.length];
    if (spec === undefined) throw new Error(`no block spec for code node ${blocks.length}`);
    const start = {line: node.position!.start.line, column: node.position!.start.column};
    node.data = {...node.data, blockIndex: blocks.length} as Code['data'];
    blocks.push({
      kind: spec.kind,
      id: spec.id,
      lang: node.lang ?? '',
      ...(spec.runtime === undefined ? {} : {runtime: spec.runtime}),
      options: spec.options ?? {},
      optionPoints: {},
      code: node.value,
      start,
      end: {line: node.position!.end.line, column: node.position!.end.column},
      codeStart: {line: start.line + 1, column: 1}
    });
  });
  return {
    path: 'notebooks/demo.md',
    name: 'demo',
    title: 'Demo',
    params: {},
    profiles: {},
    measure: {},
    blocks,
    tree,
    ...extra
  } as Notebook;
}

/** A fixed machine, so pages do not depend on where the tests run. */
export const machine: Machine = {
  fingerprint: 'abc123',
  hostname: 'bench-host',
  cpu: 'Test CPU 3000',
  cores: 8,
  memoryGiB: 16,
  os: 'Linux 6.1',
  kernel: '6.1.0',
  arch: 'x64',
  loadavg: 0.1
};

/** A measured bench result with a median of `median` ns and a spread around it. */
export function benchResult(blockId: string, median: number, extra: Partial<StoredResult> = {}): StoredResult {
  const key = extra.sweep === undefined ? blockId : `${blockId}@${extra.sweep.name}=${String(extra.sweep.value)}`;
  return {
    format: 1,
    notebook: 'demo',
    key,
    blockId,
    kind: 'bench',
    hash: `hash-${key}`,
    profile: 'quick',
    runtime: {name: 'python', executable: '/usr/bin/python3', version: '3.11.7'},
    machine,
    date: '2024-05-01T12:00:00.000Z',
    result: {status: 'ok', timedOut: false, durationMs: 1200, stdout: '', stderr: '', samples: [median], loops: [1000, 1000]},
    stats: {
      n: 30,
      min: median * 0.9,
      max: median * 1.3,
      mean: median * 1.05,
      median,
      stddev: median * 0.1,
      mad: median * 0.05,
      ci: [median * 0.98, median * 1.02],
      outliers: [],
      warnings: []
    },
    ...extra
  };
}

/** A failed run with captured output. */
export function failedResult(blockId: string, kind: 'bench' | 'run', stderr: string, extra: Partial<StoredResult> = {}): StoredResult {
  return {
    ...benchResult(blockId, 0),
    kind,
    result: {status: 'failed', reason: 'exited with code 1', exitCode: 1, timedOut: false, durationMs: 40, stdout: '', stderr},
    stats: undefined,
    ...extra
  } as StoredResult;
}

/** Outcomes from stored results, keyed by their block ids. */
export function outcomesOf(...results: StoredResult[]): Record<string, BlockOutcome[]> {
  const outcomes: Record<string, BlockOutcome[]> = {};
  for (const stored of results) (outcomes[stored.blockId] ??= []).push({key: stored.key, stored});
  return outcomes;
}
