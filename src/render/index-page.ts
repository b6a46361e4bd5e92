import {escapeHtml, safeHref} from './escape.js';
import {formatDay} from './format.js';
import {describeMachine, renderArticle} from './meta.js';
import {fillTemplate, inlineCss} from './template.js';
import type {IndexEntry} from './types.js';

/** Options of `renderIndex`. */
export interface RenderIndexOptions {
  /** Text of `templates/index.html`: `{{title}}`, `{{css}}`, `{{content}}`, `{{lang}}`. */
  template: string;
  /** Text of `templates/style.css`, inlined in the page. */
  css: string;
  /** Heading and `<title>` of the index, default `Benchmark notebooks`. */
  title?: string;
  /** Language of the page (`lang` attribute), default `en`. */
  lang?: string;
}

/** Renders `index.html`: one entry per notebook with its article, block and failure counts, date and machine. */
export function renderIndex(entries: IndexEntry[], options: RenderIndexOptions): string {
  const title = options.title ?? 'Benchmark notebooks';
  const items = entries.map(renderEntry);
  const list = items.length === 0 ? '<p class="notice">No notebooks yet.</p>' : ['<ul class="notebooks">', ...items, '</ul>'].join('\n');
  return fillTemplate(
    options.template,
    {
      title: escapeHtml(title),
      css: inlineCss(options.css),
      content: `<h1>${escapeHtml(title)}</h1>\n${list}`,
      lang: escapeHtml(options.lang ?? 'en')
    },
    'template'
  );
}

function renderEntry(entry: IndexEntry): string {
  const href = safeHref(entry.href);
  const title = escapeHtml(entry.title);
  const lines = [`<li>`, `<p class="title">${href === undefined ? title : `<a href="${escapeHtml(href)}">${title}</a>`}</p>`];
  if (entry.article !== undefined) lines.push(`<p class="article">Reproduces ${renderArticle(entry.article)}</p>`);
  const facts = [
    `${entry.blocks} ${entry.blocks === 1 ? 'block' : 'blocks'}`,
    entry.failed === 0 ? 'none failed' : `<strong class="failed">${entry.failed} failed</strong>`,
    entry.measuredAt === undefined
      ? 'not measured yet'
      : `measured <time datetime="${escapeHtml(entry.measuredAt)}">${escapeHtml(formatDay(entry.measuredAt))}</time>`,
    entry.machine === undefined ? '' : `on ${escapeHtml(describeMachine(entry.machine))}`
  ].filter((fact) => fact !== '');
  lines.push(`<p class="facts">${facts.join(' · ')}</p>`, '</li>');
  return lines.join('');
}
