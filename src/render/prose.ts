import type {Element, ElementContent, Root as HastRoot, RootContent} from 'hast';
import {toHtml} from 'hast-util-to-html';
import type {Code, Root} from 'mdast';
import {defaultHandlers, toHast, type State} from 'mdast-util-to-hast';
import {safeHref} from './escape.js';

/** The index into `notebook.blocks` that the parse stage put on a `code` node, if any. */
export function blockIndexOf(node: Code): number | undefined {
  const index = (node.data as {blockIndex?: unknown} | undefined)?.blockIndex;
  return typeof index === 'number' ? index : undefined;
}

/**
 * Renders a notebook's Markdown tree to HTML: raw HTML in the prose is dropped, headings get
 * deduplicated slug ids (never one in `reservedIds`), and each code node that is a block is replaced
 * by `blockHtml(index)`.
 */
export function renderProse(tree: Root, blockHtml: (index: number) => string | undefined, reservedIds: Iterable<string> = []): string {
  const hast = toHast(tree, {
    allowDangerousHtml: false,
    handlers: {
      code(state: State, node: Code) {
        const index = blockIndexOf(node);
        const html = index === undefined ? undefined : blockHtml(index);
        // Block HTML is built (and escaped) by this stage; raw is the only way to splice it in.
        return html === undefined ? defaultHandlers.code(state, node) : {type: 'raw', value: html};
      }
    }
  }) as HastRoot;
  const slugs = new Set(reservedIds);
  visitElements(hast, (element) => {
    // Footnote labels come with an id that footnote references point at: keep it.
    if (/^h[1-6]$/.test(element.tagName) && element.properties.id === undefined) addAnchor(element, uniqueSlug(textOf(element), slugs));
    if (element.tagName === 'a') keepSafe(element, 'href');
    if (element.tagName === 'img') keepSafe(element, 'src');
  });
  // `raw` nodes come only from the handler above: with `allowDangerousHtml: false` toHast drops HTML.
  return toHtml(hast, {allowDangerousHtml: true});
}

/** A GitHub-style slug of heading text: lowercase, punctuation dropped, spaces to hyphens. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .trim()
    .replace(/ /g, '-');
  return slug === '' ? 'section' : slug;
}

/** Returns the slug of `text`, suffixed `-1`, `-2`... when already in `taken`, and records it. */
export function uniqueSlug(text: string, taken: Set<string>): string {
  const base = slugify(text);
  let slug = base;
  for (let count = 1; taken.has(slug); count++) slug = `${base}-${count}`;
  taken.add(slug);
  return slug;
}

function addAnchor(heading: Element, id: string): void {
  heading.properties = {...heading.properties, id};
  heading.children.push({
    type: 'element',
    tagName: 'a',
    properties: {className: ['anchor'], href: `#${id}`, ariaHidden: 'true', tabIndex: -1},
    children: [{type: 'text', value: '#'}]
  });
}

function keepSafe(element: Element, property: 'href' | 'src'): void {
  const value = element.properties[property];
  if (typeof value === 'string' && safeHref(value) === undefined) delete element.properties[property];
}

function textOf(node: HastRoot | RootContent | ElementContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') return node.children.map(textOf).join('');
  return '';
}

function visitElements(node: HastRoot | RootContent, visit: (element: Element) => void): void {
  if (node.type === 'element') visit(node);
  if (node.type === 'element' || node.type === 'root') for (const child of node.children) visitElements(child, visit);
}
