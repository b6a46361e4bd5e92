import type {Heading, Root} from 'mdast';
import {withBaselineNote, type PageBaseline} from './baseline.js';
import {renderBlock, type BlockContext} from './block.js';
import {countClaims, renderClaimSummary} from './claim.js';
import {escapeHtml} from './escape.js';
import {isMultiMachine, renderMachinesSection} from './machines.js';
import {renderByline, renderMeta} from './meta.js';
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
  const context: BlockContext = {
    notebook,
    outcomes: input.outcomes,
    chartCache: options.chartCache,
    reportCommand: reportStep(input.command),
    ...(input.claims ? {claims: input.claims} : {}),
    ...(isMultiMachine(input.machines) ? {machines: input.machines} : {})
  };
  const blockHtml = new Map<number, string>();
  // One block at a time, in reading order: charts render deterministically and jsdom loads once.
  for (const index of blockIndexes(tree)) {
    const block = notebook.blocks[index];
    if (block !== undefined && !blockHtml.has(index)) blockHtml.set(index, withBaselineNote(await renderBlock(block, context), block, options.baseline));
  }
  // The verdict count goes right under the page title (after the byline), where a reader looks first.
  const summary = input.claims ? renderClaimSummary(countClaims(Object.values(input.claims))) : '';
  const {html: content} = renderProse(tree, (index) => blockHtml.get(index), {
    reservedIds: notebook.blocks.map((block) => block.id),
    afterTitle: [renderByline(input), summary, isMultiMachine(input.machines) ? renderMachinesSection(input.machines, notebook) : ''].filter((part) => part !== '').join('\n'),
    toc: true
  });
  return fillTemplate(
    options.template,
    {
      title: escapeHtml(notebook.title),
      description: escapeHtml(notebook.description ?? ''),
      css: inlineCss(isMultiMachine(input.machines) && options.machinesCss ? `${options.css}\n${options.machinesCss}` : options.css),
      content,
      meta: renderMeta(input),
      lang: escapeHtml(options.lang ?? 'en')
    },
    'template'
  );
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
