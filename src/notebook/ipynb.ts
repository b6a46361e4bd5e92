import type {NotebookMessage} from '../parse/types.js';
import {joinFenced, joinSegments, segmentNotebook} from './segments.js';
import {decodeTemplate, encodeTemplate, findTaggedTemplate, isTemplateProblem} from './template.js';

/** Version of the `benchbook` metadata written into notebooks; import reads this version. */
export const ipynbFormat = 1;

/** Options of {@link exportIpynb}. */
export interface ExportOptions {
  /**
   * Module the setup cell imports `openNotebook` from (string, default `benchbook`): the CLI writes the
   * path from the notebook's folder to the built library, e.g. `../dist/src/index.js`.
   */
  importFrom?: string;
}

/** What {@link importIpynb} returns: the Markdown (absent when a message is fatal) and every message. */
export interface ImportResult {
  markdown?: string;
  messages: NotebookMessage[];
}

/** Where a cell's text goes back in the Markdown, kept in the cell's `metadata.benchbook`. */
interface CellMetadata {
  /** Whitespace between the previous cell's text and this cell's. */
  before?: string;
  /** The setup cell: it opens the notebook and holds the front matter. */
  setup?: boolean;
  /** A block cell's opening fence (`` ``` ``, `~~~~`). */
  open?: string;
  /** A block cell's closing fence line as written, or null when the block is not closed. */
  close?: string | null;
}

/** The notebook-level `metadata.benchbook`. */
interface NotebookMetadata {
  format: number;
  /** The Markdown file the notebook was exported from. */
  notebook: string;
  /** Whitespace after the last cell's text. */
  trailing: string;
  /** Line breaks of the Markdown, when CRLF. */
  eol?: '\r\n';
  /** Whether the Markdown starts with a byte order mark. */
  bom?: boolean;
}

interface Cell {
  cell_type: 'markdown' | 'code' | 'raw';
  execution_count?: number | null;
  id?: string;
  metadata: {benchbook?: CellMetadata; [key: string]: unknown};
  outputs?: unknown[];
  source: string | string[];
}

/**
 * Turns a Markdown notebook into a Jupyter notebook (nbformat 4.5, tslab's TypeScript kernel): the
 * first code cell opens the notebook and holds the front matter, prose becomes markdown cells, and each
 * bench, run, lib, plot, table and claim block becomes a code cell ``await nb.block`<info>\n<code>` ``
 * that runs it through benchbook. Whitespace and fences are kept in cell metadata, so that
 * {@link importIpynb} gives back the same bytes.
 *
 * @param markdown the notebook's text
 * @param file its path (its base name is what the setup cell opens)
 */
export function exportIpynb(markdown: string, file: string, options: ExportOptions = {}): string {
  const importFrom = options.importFrom ?? 'benchbook';
  if (typeof importFrom !== 'string' || importFrom === '' || /["\\\r\n]/.test(importFrom)) {
    throw new TypeError(`options.importFrom must be a module specifier such as "benchbook" or "../dist/src/index.js", got ${JSON.stringify(importFrom)}`);
  }
  const name = baseName(file);
  const segmented = segmentNotebook(markdown, file);
  const cells: Cell[] = [];
  const ids = new Set<string>();
  const cellId = (wanted: string): string => {
    const base = wanted.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 56) || 'cell';
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  };

  const frontMatter = segmented.segments[0]?.kind === 'front-matter' ? segmented.segments[0] : undefined;
  cells.push(codeCell(cellId('setup'), setupSource(name, importFrom, frontMatter?.text), {setup: true, ...(frontMatter ? {before: frontMatter.before} : {})}));
  let prose = 0;
  for (const segment of segmented.segments) {
    if (segment.kind === 'front-matter') continue;
    if (segment.kind === 'prose') {
      cells.push({cell_type: 'markdown', id: cellId(`md-${++prose}`), metadata: {benchbook: {before: segment.before}}, source: lines(segment.text)});
    } else {
      const source = `await nb.block\`${encodeTemplate(segment.info + segment.body)}\`;`;
      cells.push(codeCell(cellId(`block-${segment.block.id}`), source, {before: segment.before, open: segment.open, close: segment.close}));
    }
  }

  const metadata: NotebookMetadata = {
    format: ipynbFormat,
    notebook: name,
    trailing: segmented.trailing,
    ...(segmented.eol ? {eol: segmented.eol} : {}),
    ...(segmented.bom ? {bom: true} : {})
  };
  const notebook = {
    cells,
    metadata: {
      benchbook: metadata,
      kernelspec: {display_name: 'TypeScript', language: 'typescript', name: 'tslab'},
      language_info: {codemirror_mode: {mode: 'typescript'}, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript'}
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  // Jupyter's own layout (keys sorted, one-space indent), so that saving from JupyterLab changes nothing.
  return `${JSON.stringify(notebook, sortKeys, 1)}\n`;
}

/**
 * Turns a Jupyter notebook written by {@link exportIpynb} (and edited in Jupyter) back into Markdown.
 * Outputs are never copied: results live in the results folder. Code cells that are not blocks are
 * left out with a warning; a cell whose block cannot be read is an error.
 *
 * @param json the `.ipynb` file's text
 * @param file its path, for messages (`file#cell-N:line:column`)
 */
export function importIpynb(json: string, file: string): ImportResult {
  const messages: NotebookMessage[] = [];
  const fail = (message: string): ImportResult => ({messages: [{file, line: 1, column: 1, message, rule: 'invalid-ipynb', fatal: true}]});
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return fail(`not a Jupyter notebook: ${error instanceof Error ? error.message : String(error)}`);
  }
  const notebook = parsed as {nbformat?: unknown; cells?: unknown; metadata?: {benchbook?: Partial<NotebookMetadata>}};
  if (typeof notebook !== 'object' || notebook === null || notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    return fail('not a Jupyter notebook of nbformat 4: expected {"nbformat": 4, "cells": [...]}');
  }
  const meta = notebook.metadata?.benchbook ?? {};
  if (meta.format !== undefined && meta.format !== ipynbFormat) {
    return fail(`written by another version of benchbook (format ${String(meta.format)}, this one reads ${ipynbFormat}): export it again from the Markdown`);
  }

  const segments: Array<{before: string; text: string}> = [];
  (notebook.cells as Cell[]).forEach((cell, index) => {
    const where = `${file}#cell-${index + 1}`;
    const source = Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
    const cellMeta: CellMetadata = (typeof cell.metadata === 'object' && cell.metadata?.benchbook) || {};
    const before = typeof cellMeta.before === 'string' ? cellMeta.before : segments.length === 0 ? '' : '\n\n';
    const at = (offset: number): {line: number; column: number} => {
      const head = source.slice(0, offset).split(/\r\n|\n|\r/);
      return {line: head.length, column: head.at(-1)!.length + 1};
    };
    const warn = (offset: number, message: string, rule: string, fatal = false): void => {
      messages.push({file: where, ...at(offset), message, rule, fatal});
    };

    if (cell.cell_type !== 'code') {
      // A cell added in Jupyter and left empty has nothing to keep.
      if (source.trim() === '' && cellMeta.before === undefined) return;
      segments.push({before, text: source});
      return;
    }

    const setup = cellMeta.setup === true || /\bopenNotebook\s*\(/.test(source);
    const found = findTaggedTemplate(source, setup ? 'frontMatter' : 'block');
    if (found === undefined) {
      if (setup || source.trim() === '') return;
      warn(0, 'this code cell is not a block (`await nb.block`...``): it is left out of the Markdown — move what it holds into a block or a markdown cell to keep it', 'not-a-block-cell');
      return;
    }
    if (isTemplateProblem(found)) {
      warn(found.offset, found.problem, 'invalid-block-cell', true);
      return;
    }
    if (setup) {
      segments.push({before: typeof cellMeta.before === 'string' ? cellMeta.before : '', text: decodeTemplate(found.raw)});
      return;
    }
    if (!/^\s*(?:await\s+)?[A-Za-z_$][\w$]*\s*\.\s*block\s*$/.test(found.before) || !/^\s*;?\s*$/.test(found.after)) {
      warn(0, 'code around `await nb.block`...`` is not kept in the Markdown: only the block in the template is', 'extra-cell-code');
    }
    const template = decodeTemplate(found.raw);
    const lineBreak = /\r\n|\n|\r/.exec(template);
    const info = lineBreak ? template.slice(0, lineBreak.index + lineBreak[0].length) : template;
    const body = lineBreak ? template.slice(lineBreak.index + lineBreak[0].length) : '';
    const open = typeof cellMeta.open === 'string' && /^[`~]{3,}$/.test(cellMeta.open) ? cellMeta.open : '```';
    const close = cellMeta.close === null ? null : typeof cellMeta.close === 'string' ? cellMeta.close : open;
    segments.push({before, text: joinFenced({open, info, body, close})});
  });

  if (messages.some((message) => message.fatal)) return {messages};
  const markdown = joinSegments({
    segments,
    trailing: typeof meta.trailing === 'string' ? meta.trailing : '\n',
    ...(meta.eol === '\r\n' ? {eol: '\r\n' as const} : {}),
    ...(meta.bom === true ? {bom: true} : {})
  });
  return {markdown, messages};
}

/** The setup cell: opens the notebook by its file name and gives the front matter. */
function setupSource(name: string, importFrom: string, frontMatter: string | undefined): string {
  const lines = [
    '// benchbook: run this cell first. Each code cell below runs one block and shows',
    '// its results (stored in data/, reused while the code is unchanged). Edit the',
    '// front matter here and run this cell again to start over. See docs/jupyter.md.',
    `import {openNotebook} from "${importFrom}";`,
    `const nb = openNotebook(${JSON.stringify(name)});`
  ];
  if (frontMatter !== undefined) lines.push(`nb.frontMatter\`${encodeTemplate(frontMatter)}\`;`);
  return lines.join('\n');
}

function codeCell(id: string, source: string, benchbook: CellMetadata): Cell {
  return {cell_type: 'code', execution_count: null, id, metadata: {benchbook}, outputs: [], source: lines(source)};
}

/** nbformat's multiline string: a list of lines, each but the last with its line break. */
function lines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

function sortKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function baseName(file: string): string {
  return file.split(/[\\/]/).at(-1)!;
}

