import type {Heading, Root} from 'mdast';
import {withBaselineNote, type PageBaseline} from './baseline.js';
import {renderBlock, type BlockContext} from './block.js';
import {countClaims, renderClaimSummary} from './claim.js';
import {escapeHtml} from './escape.js';
import {renderByline, renderMeta, REPRODUCE_ID} from './meta.js';
import {PARAMETERS_ID, renderParameters} from './parameters.js';
import {isMultiMachine, renderMachinesSection} from './machines.js';
import {COMPARISON_ID, comparisonOf, renderComparison} from './comparison.js';
import {blockIndexOf, renderProse} from './prose.js';
import {reportStep} from './provenance.js';
import {fillTemplate, inlineCss} from './template.js';
import type {ChartCache, PageInput} from './types.js';

/** Options of `renderPage`. */
export interface RenderPageOptions {
  /** Text of `templates/page.html`: `{{title}}`, `{{description}}`, `{{css}}`, `{{content}}`, `{{meta}}`, `{{lang}}`. */
  template: string;
  /** Text of `templates/style.css`, inlined in the page. */
  css: string;
  /** Rendered-chart cache (default: none, every chart is rendered). */
  chartCache?: ChartCache;
  /** Language of the page (`lang` attribute), default `en`. */
  lang?: string;
  /** `--baseline`: a "vs baseline" note under each bench block's results. */
  baseline?: PageBaseline;
  /** Styles added when the page shows several machines (`templates/machines.css`). */
  machinesCss?: string;
}

/**
 * Renders a notebook page: a table of contents, then prose and blocks in reading order, each block
 * with its results, errors or notices, charts and tables with their provenance, in the page template.
 * Everything from the notebook and from block output is escaped; the page loads nothing and runs no script.
 */
export async function renderPage(input: PageInput, options: RenderPageOptions): Promise<string> {
  const {notebook} = input;
  const tree = withTitle(notebook.tree, notebook.title);
  const notes = new Set<string>();
  const context: BlockContext = {
    notebook,
    outcomes: input.outcomes,
    chartCache: options.chartCache,
    reportCommand: reportStep(input.command),
    notes,
    ...(input.claims ? {claims: input.claims} : {}),
    ...(input.runtimes ? {runtimes: input.runtimes} : {}),
    ...(isMultiMachine(input.machines) ? {machines: input.machines} : {}),
    ...(input.params ? {params: input.params} : {})
  };
  const blockHtml = new Map<number, string>();
  // One block at a time, in reading order: charts render deterministically and jsdom loads once.
  for (const index of blockIndexes(tree)) {
    const block = notebook.blocks[index];
    if (block !== undefined && !blockHtml.has(index)) blockHtml.set(index, withBaselineNote(await renderBlock(block, context), block, options.baseline));
  }
  // The verdict count goes right under the page title (after the byline), where a reader looks first.
  const summary = input.claims ? renderClaimSummary(countClaims(Object.values(input.claims))) : '';
  const machine = input.machine;
  const comparison = renderComparison(comparisonOf({notebook, profile: input.profile, outcomes: input.outcomes, ...(input.params ? {params: input.params} : {}), ...(machine ? {machine} : {}), ...(input.runtimes ? {runtimes: input.runtimes} : {})}), machine?.cores);
  const parameters = `${comparison}\n${renderParameters(notebook, input.profile, input.params)}`;
  const {html: content} = renderProse(tree, (index) => blockHtml.get(index), {
    reservedIds: [...notebook.blocks.map((block) => block.id), PARAMETERS_ID, COMPARISON_ID, REPRODUCE_ID],
    afterTitle: [renderByline(input), summary, isMultiMachine(input.machines) ? renderMachinesSection(input.machines, notebook) : ''].filter((part) => part !== '').join('\n'),
    toc: true,
    afterToc: parameters
  });
  return fillTemplate(
    options.template,
    {
      title: escapeHtml(pageTitle(tree, notebook.title)),
      description: escapeHtml(notebook.description ?? ''),
      css: inlineCss(isMultiMachine(input.machines) && options.machinesCss ? `${options.css}\n${options.machinesCss}` : options.css),
      content,
      meta: renderMeta(input, notes),
      lang: escapeHtml(options.lang ?? 'en')
    },
    'template'
  );
}

/** Most characters of a `<title>` (html-validate's long-title): a tab and a search result show no more. */
export const TITLE_LENGTH = 70;

/**
 * The page's `<title>`: the notebook's title when it fits in {@link TITLE_LENGTH} characters, else
 * the page's first heading (a notebook's short name for itself), else the title cut at a word.
 */
export function pageTitle(tree: Root, title: string): string {
  if (title.length <= TITLE_LENGTH) return title;
  const heading = tree.children.find((node): node is Heading => node.type === 'heading' && node.depth === 1);
  const text = heading === undefined ? '' : headingText(heading).trim();
  if (text !== '' && text.length <= TITLE_LENGTH) return text;
  const cut = title.slice(0, TITLE_LENGTH - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[\s,;:—–-]+$/, '')}…`;
}

function headingText(node: {type: string; value?: string; children?: unknown[]}): string {
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map((child) => headingText(child as {type: string})).join('');
}

/** The tree with the notebook's title as a first heading, unless the prose already has a top heading. */
function withTitle(tree: Root, title: string): Root {
  if (tree.children.some((node) => node.type === 'heading' && node.depth === 1)) return tree;
  const heading: Heading = {type: 'heading', depth: 1, children: [{type: 'text', value: title}]};
  const isFrontMatter = (node: {type: string}) => node.type === 'yaml' || node.type === 'toml';
  const firstContent = tree.children.findIndex((node) => !isFrontMatter(node));
  const at = firstContent === -1 ? tree.children.length : firstContent;
  return {...tree, children: [...tree.children.slice(0, at), heading, ...tree.children.slice(at)]};
}

function blockIndexes(node: Root | Root['children'][number]): number[] {
  if (node.type === 'code') {
    const index = blockIndexOf(node);
    return index === undefined ? [] : [index];
  }
  return 'children' in node ? node.children.flatMap((child) => blockIndexes(child)) : [];
}
