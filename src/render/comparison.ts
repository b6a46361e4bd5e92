import type {Machine, RuntimeInfo, StoredResult} from '../model/index.js';
import type {Notebook, ParamValue} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatCount} from './format.js';
import {describeMachine} from './meta.js';
import {articleParams, formatParam, PARAMETERS_ID, profileParams} from './parameters.js';
import type {BlockOutcome} from './types.js';

/** The id of the "this run and the article" panel (reserved: no heading takes it). */
export const COMPARISON_ID = 'this-run-and-the-article';

/** One side of the comparison: the article's, as its text gives it, or this run's, as measured. */
export interface ComparisonSide {
  machine?: string;
  /** Interpreters and compilers: the article's words, or this run's runtimes with their versions. */
  versions?: string;
  /** How the figures were taken. */
  method?: string;
}

/** This run beside the article: what the page's panel shows and the page's JSON export carries. */
export interface Comparison {
  article: ComparisonSide & {
    /** The article's sizes: the `full` profile's parameters, with `article: sizes` where they differ. */
    sizes: Record<string, ParamValue>;
    /** Why the `full` profile uses another value than the article's, by parameter. */
    sizeNotes: Record<string, string>;
  };
  thisRun: ComparisonSide & {
    profile: string;
    /** The sizes this run used. */
    sizes: Record<string, ParamValue>;
    /** The 1-minute load average when the results were measured, lowest and highest. */
    loadavg?: [number, number];
    /** The parameters whose value differs from the article's. */
    differingSizes: string[];
  };
  /** In the notebook's words, how its measurement differs from the article's (`article: differences`). */
  differences?: string;
}

/** What the comparison is made from: the page's notebook, profile, sizes, outcomes and machine. */
export interface ComparisonInput {
  notebook: Notebook;
  profile: string;
  params?: Record<string, ParamValue>;
  outcomes: Record<string, BlockOutcome[]>;
  machine?: Machine;
  /** The build's runtimes: name the compilers of the libraries the blocks load. */
  runtimes?: Record<string, RuntimeInfo>;
}

/**
 * This run beside the article: the article's machine, versions and method from its front matter
 * (`article: machine, versions, method, differences`) and its sizes; this run's machine, runtimes,
 * sizes and method, read from the results themselves (how many blocks time calls inside a process,
 * how many time whole programs, within which budget). Pure.
 */
export function comparisonOf(input: ComparisonInput): Comparison {
  const {notebook} = input;
  const article = notebook.article;
  const stored = storedResults(input.outcomes);
  const machine = newest(stored)?.machine ?? input.machine;
  const sizes = input.params ?? profileParams(notebook, input.profile);
  const theirs = articleParams(notebook);
  const names = [...new Set([...Object.keys(sizes), ...Object.keys(theirs)])];
  const loads = stored.map((result) => result.machine.loadavg).filter((value) => Number.isFinite(value));
  const sizeNotes = Object.fromEntries(Object.entries(article?.sizes ?? {}).flatMap(([name, size]) => (size.note === undefined ? [] : [[name, size.note]])));
  return {
    article: {
      ...(article?.machine === undefined ? {} : {machine: article.machine}),
      ...(article?.versions === undefined ? {} : {versions: article.versions}),
      ...(article?.method === undefined ? {} : {method: article.method}),
      sizes: theirs,
      sizeNotes
    },
    thisRun: {
      profile: input.profile,
      ...(machine === undefined ? {} : {machine: describeMachine(machine)}),
      ...(versionsOf(stored, notebook, input.runtimes) === '' ? {} : {versions: versionsOf(stored, notebook, input.runtimes)}),
      ...(methodOf(stored) === '' ? {} : {method: methodOf(stored)}),
      sizes,
      ...(loads.length === 0 ? {} : {loadavg: [Math.min(...loads), Math.max(...loads)] as [number, number]}),
      differingSizes: names.filter((name) => formatParam(sizes[name]) !== formatParam(theirs[name]))
    },
    ...(article?.differences === undefined ? {} : {differences: article.differences})
  };
}

/**
 * The "this run and the article" panel: machine, versions, sizes and method side by side, then how
 * the measurement differs. The sizes row links to the parameters panel, which lists them.
 */
export function renderComparison(comparison: Comparison, cores?: number): string {
  const {article, thisRun} = comparison;
  const cell = (text: string | undefined, label = 'The article') => (text === undefined ? `<td class="unknown" data-label="${label}">not given</td>` : `<td data-label="${label}">${escapeHtml(text)}</td>`);
  const load =
    thisRun.loadavg === undefined
      ? ''
      : ` · load average ${formatLoad(thisRun.loadavg)} while measuring${cores !== undefined && thisRun.loadavg[1] > cores ? ' (above the core count: other work shared the CPUs)' : ''}`;
  const differing = thisRun.differingSizes.length;
  const sizes =
    differing === 0
      ? `the <b>${escapeHtml(thisRun.profile)}</b> profile, with the article's sizes (see <a href="#${PARAMETERS_ID}">Parameters</a>)`
      : `the <b>${escapeHtml(thisRun.profile)}</b> profile: ${formatCount(differing)} ${differing === 1 ? 'size differs' : 'sizes differ'} from the article's (see <a href="#${PARAMETERS_ID}">Parameters</a>)`;
  const rows = [
    `<tr><th scope="row">Machine</th>${cell(article.machine)}<td data-label="This run">${escapeHtml(thisRun.machine ?? 'not measured yet')}${escapeHtml(load)}</td></tr>`,
    `<tr><th scope="row">Versions</th>${cell(article.versions)}${cell(thisRun.versions, 'This run')}</tr>`,
    `<tr><th scope="row">Sizes</th><td data-label="The article">its own (see <a href="#${PARAMETERS_ID}">Parameters</a>)</td><td data-label="This run">${sizes}</td></tr>`,
    `<tr><th scope="row">Method</th>${cell(article.method)}${cell(thisRun.method, 'This run')}</tr>`
  ];
  const lines = [
    `<section class="comparison" id="${COMPARISON_ID}" aria-label="This run and the article">`,
    '<p class="panel-title">This run and the article</p>',
    '<div class="params-scroll"><table class="params comparison-table">',
    '<thead><tr><th scope="col"></th><th scope="col">The article</th><th scope="col">This run</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table></div>'
  ];
  if (comparison.differences !== undefined) lines.push(`<p><b>How the measurement differs.</b> ${escapeHtml(comparison.differences)}</p>`);
  lines.push('</section>');
  return lines.join('\n');
}

function formatLoad([low, high]: [number, number]): string {
  const text = (value: number) => value.toFixed(1);
  return low.toFixed(1) === high.toFixed(1) ? text(low) : `${text(low)} to ${text(high)}`;
}

/** Each runtime once, with its version (`CPython 3.13.0; go1.26.8`), then the compilers of the libraries. */
function versionsOf(stored: StoredResult[], notebook: Notebook, runtimes: Record<string, RuntimeInfo> | undefined): string {
  const names = stored.map(({runtime}) => (runtime.version.startsWith(runtime.name) || /\s/.test(runtime.version) ? runtime.version : `${runtime.name} ${runtime.version}`));
  const libraries = notebook.blocks.flatMap((block) => {
    const compiler = block.kind === 'lib' && block.runtime !== undefined ? runtimes?.[block.runtime] : undefined;
    return compiler === undefined ? [] : [`${block.id} built with ${compiler.version}`];
  });
  return [...new Set([...names, ...libraries])].join('; ');
}

/**
 * How this run timed, from its results: how many bench results time calls inside a process (and
 * within which budget, or with how many processes as written), how many time whole programs.
 */
function methodOf(stored: StoredResult[]): string {
  const bench = stored.filter((result) => result.kind === 'bench' && result.result.status === 'ok');
  if (bench.length === 0) return '';
  const inline = bench.filter((result) => result.result.process === undefined);
  const whole = bench.filter((result) => result.result.process !== undefined);
  const parts: string[] = [];
  if (inline.length > 0) {
    const budgets = [...new Set(inline.flatMap((result) => (result.result.design?.mode === 'auto' && result.result.design.budgetMs !== undefined ? [result.result.design.budgetMs] : [])))].sort((a, b) => a - b);
    const fixed = inline.filter((result) => result.result.design?.mode === 'fixed').length;
    const settings = [
      budgets.length === 0 ? '' : `processes and samples chosen within a budget of ${budgets.map(formatSeconds).join(' to ')} per result`,
      fixed === 0 ? '' : `${formatCount(fixed)} with the processes and samples as written`
    ].filter((part) => part !== '');
    parts.push(
      `${formatCount(inline.length)} ${inline.length === 1 ? 'result times' : 'results time'} calls of a function inside a running process, in fresh processes, until the samples settle: interpreter start-up, imports and the block's setup are left out${settings.length === 0 ? '' : ` (${settings.join('; ')})`}`
    );
  }
  if (whole.length > 0) {
    parts.push(`${formatCount(whole.length)} ${whole.length === 1 ? 'result times' : 'results time'} whole programs from start to exit, start-up included, as hyperfine does`);
  }
  return `${parts.join('; ')}.`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function newest(stored: StoredResult[]): StoredResult | undefined {
  return stored.reduce<StoredResult | undefined>((latest, result) => (latest === undefined || result.date > latest.date ? result : latest), undefined);
}

function storedResults(outcomes: Record<string, BlockOutcome[]>): StoredResult[] {
  return Object.values(outcomes).flatMap((list) => list.flatMap((outcome) => (outcome.stored === undefined ? [] : [outcome.stored])));
}
