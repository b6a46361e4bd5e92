import type {Element, ElementContent, Root as HastRoot, RootContent} from 'hast';
import type {Code, Root} from 'mdast';
import {defaultHandlers, toHast, type State} from 'mdast-util-to-hast';
import {escapeHtml, safeHref} from './escape.js';
import {hastToHtml} from './hast.js';

/** The index into `notebook.blocks` that the parse stage put on a `code` node, if any. */
export function blockIndexOf(node: Code): number | undefined {
  const index = (node.data as {blockIndex?: unknown} | undefined)?.blockIndex;
  return typeof index === 'number' ? index : undefined;
}

/** A heading of the page, for the table of contents. */
export interface TocEntry {
  depth: number;
  id: string;
  text: string;
}

/** Options of `renderProse`. */
export interface RenderProseOptions {
  /** Ids already used on the page (block ids): no heading slug takes one. */
  reservedIds?: Iterable<string>;
  /** Put a table of contents of the `h2` and `h3` headings after the first `h1` (default false). */
  toc?: boolean;
  /** HTML put right after the first `h1`, before the table of contents (a byline, a summary). */
  afterTitle?: string;
  /** HTML put after the table of contents (a panel of parameters). */
  afterToc?: string;
}

/**
 * Renders a notebook's Markdown tree to HTML: raw HTML in the prose is dropped, headings get
 * deduplicated slug ids and a `#` anchor, remote images become links (a page loads nothing from the
 * network), and each code node that is a block is replaced by `blockHtml(index)`.
 */
export function renderProse(
  tree: Root,
  blockHtml: (index: number) => string | undefined,
  options: RenderProseOptions = {}
): {html: string; headings: TocEntry[]} {
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
  const slugs = new Set(options.reservedIds ?? []);
  const headings: TocEntry[] = [];
  visitElements(hast, (element) => {
    // Footnote labels come with an id that footnote references point at: keep it.
    if (/^h[1-6]$/.test(element.tagName) && element.properties.id === undefined) {
      const text = textOf(element).trim();
      const id = uniqueSlug(text, slugs);
      headings.push({depth: Number(element.tagName[1]), id, text});
      addAnchor(element, id);
    }
    if (element.tagName === 'a') keepSafe(element, 'href');
  });
  replaceImages(hast);
  const afterTitle = [options.afterTitle ?? '', options.toc ? renderToc(headings) : '', options.afterToc ?? ''].filter((part) => part !== '');
  if (afterTitle.length > 0) {
    const title = hast.children.findIndex((node) => node.type === 'element' && node.tagName === 'h1');
    hast.children.splice(title + 1, 0, {type: 'raw', value: `\n${afterTitle.join('\n')}`} as RootContent);
  }
  // `raw` nodes come only from the handler above: with `allowDangerousHtml: false` toHast drops HTML.
  return {html: hastToHtml(hast), headings};
}

/** A `<nav>` listing `h2` headings with their `h3` headings nested, or `''` with fewer than two. */
export function renderToc(headings: TocEntry[]): string {
  const entries = headings.filter((heading) => heading.depth === 2 || heading.depth === 3);
  if (entries.length < 2) return '';
  // Headings that number themselves ("1. Profile first") are listed without a second number.
  const numbered = entries.filter((entry) => entry.depth === 2).every((entry) => /^\d+[.)]\s/.test(entry.text));
  const lines = ['<nav class="toc" aria-label="Contents">', '<p class="toc-title">Contents</p>', numbered ? '<ol class="numbered">' : '<ol>'];
  let open = false;
  for (const [index, entry] of entries.entries()) {
    const link = `<a href="#${escapeHtml(entry.id)}">${escapeHtml(entry.text)}</a>`;
    const nextIsChild = entries[index + 1]?.depth === 3;
    if (entry.depth === 3 && open) {
      lines.push(`<li>${link}</li>`);
    } else {
      if (open) lines.push('</ol></li>');
      open = false;
      // An h3 before any h2 is listed at the top level.
      if (nextIsChild) {
        lines.push(`<li>${link}<ol>`);
        open = true;
      } else {
        lines.push(`<li>${link}</li>`);
      }
    }
  }
  if (open) lines.push('</ol></li>');
  lines.push('</ol>', '</nav>');
  return lines.join('\n');
}

/**
 * Images whose source is not a relative path would be fetched from the network when the page is
 * opened: they become links to the image instead (and unsafe sources become their alt text).
 */
function replaceImages(node: HastRoot | Element): void {
  node.children = node.children.map((child) => {
    if (child.type !== 'element') return child;
    if (child.tagName !== 'img') {
      replaceImages(child);
      return child;
    }
    const src = typeof child.properties.src === 'string' ? child.properties.src : '';
    if (isLocalPath(src) || /^data:image\/(png|jpeg|gif|webp|avif)[;,]/i.test(src.trim())) return child;
    const alt = typeof child.properties.alt === 'string' && child.properties.alt !== '' ? child.properties.alt : 'image';
    const href = safeHref(src);
    const text: ElementContent = {type: 'text', value: `[${alt}]`};
    if (href === undefined || href === '') return {type: 'element', tagName: 'span', properties: {className: ['remote-image']}, children: [text]};
    return {type: 'element', tagName: 'a', properties: {className: ['remote-image'], href, title: 'image, not loaded: open it'}, children: [text]};
  }) as typeof node.children;
}

/** A path relative to the page: no scheme, not protocol-relative (`//host/x.png` is remote). */
function isLocalPath(src: string): boolean {
  // Browsers read a backslash as `/` in URLs, so `\\host\x.png` is as remote as `//host/x.png`.
  const trimmed = src.trim().replace(/\\/g, '/');
  return trimmed !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith('//');
}

/**
 * A GitHub-style slug of heading text: lowercase, punctuation dropped, spaces to hyphens. A slug
 * that would not start with a letter (`1. Profile first`) is prefixed with `section-`, as HTML ids
 * must (`section-1-profile-first`).
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_ -]/gu, '')
    .trim()
    .replace(/ /g, '-');
  if (slug === '') return 'section';
  return /^\p{L}/u.test(slug) ? slug : `section-${slug}`;
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

function keepSafe(element: Element, property: 'href'): void {
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
