import type {ArticleRef} from '../parse/types.js';
import type {Machine, StoredResult} from '../model/index.js';
import {escapeHtml, safeHref} from './escape.js';
import {formatDay} from './format.js';
import type {BlockOutcome, PageInput} from './types.js';

/**
 * Renders the page's `{{meta}}`: article credit, profile, machine, runtimes, date of the newest
 * result, the command that reproduces the page and the exports beside it.
 */
export function renderMeta(input: PageInput): string {
  const stored = storedResults(input.outcomes);
  const newest = stored.reduce<StoredResult | undefined>(
    (latest, result) => (latest === undefined || result.date > latest.date ? result : latest),
    undefined
  );
  const machine = input.machine ?? newest?.machine;
  const items: Array<[string, string]> = [];
  if (input.notebook.article !== undefined) items.push(['Reproduces', renderArticle(input.notebook.article)]);
  items.push(['Profile', `<code>${escapeHtml(input.profile)}</code>`]);
  if (machine !== undefined) items.push(['Machine', escapeHtml(describeMachine(machine))]);
  const runtimes = describeRuntimes(stored);
  if (runtimes.length > 0) items.push(['Runtimes', runtimes.map(escapeHtml).join('<br>')]);
  if (newest !== undefined) {
    items.push(['Measured', `<time datetime="${escapeHtml(newest.date)}">${escapeHtml(formatDay(newest.date))}</time>`]);
  }
  items.push(['Reproduce', `<pre><code>${escapeHtml(input.command)}</code></pre>`]);
  if (input.downloads !== undefined && input.downloads.length > 0) {
    const links = input.downloads.map((file) => `<a href="${escapeHtml(file.href)}" download>${escapeHtml(file.href)}</a> (${escapeHtml(file.label)})`);
    items.push(['Download', links.join('<br>')]);
  }
  const rows = items.map(([term, description]) => `<dt>${term}</dt><dd>${description}</dd>`);
  return ['<dl class="meta">', ...rows, '</dl>'].join('\n');
}

/**
 * The line under a page's title: the article it reproduces, and when and where the newest result was
 * measured (`Reproduces <cite>…</cite> by A. Writer · measured 2024-05-02 on AMD EPYC 7B13 (8 cores)`).
 */
export function renderByline(input: PageInput): string {
  const stored = storedResults(input.outcomes);
  const newest = stored.reduce<StoredResult | undefined>((latest, result) => (latest === undefined || result.date > latest.date ? result : latest), undefined);
  const machine = newest?.machine ?? input.machine;
  const parts = [
    input.notebook.article === undefined ? '' : `Reproduces ${renderArticle(input.notebook.article)}`,
    newest === undefined ? 'Not measured yet' : `measured <time datetime="${escapeHtml(newest.date)}">${escapeHtml(formatDay(newest.date))}</time>`,
    newest === undefined || machine === undefined ? '' : `on ${escapeHtml(`${machine.cpu} (${machine.cores} ${machine.cores === 1 ? 'core' : 'cores'})`)}`
  ].filter((part) => part !== '');
  const text = parts.join(' · ').replace(' · on ', ' on ');
  return `<p class="byline">${text.charAt(0).toUpperCase()}${text.slice(1)}</p>`;
}

/** An article credit: the title (linked when its URL is safe), then author, site and date. */
export function renderArticle(article: ArticleRef): string {
  const href = safeHref(article.url);
  const title = escapeHtml(article.title);
  const credit = [
    href === undefined ? `<cite>${title}</cite>` : `<a href="${escapeHtml(href)}"><cite>${title}</cite></a>`,
    article.author === undefined ? '' : ` by ${escapeHtml(article.author)}`,
    article.site === undefined ? '' : `, ${escapeHtml(article.site)}`,
    article.date === undefined ? '' : ` (${escapeHtml(article.date)})`
  ];
  return credit.join('');
}

/** A machine in one line: `AMD EPYC 7B13 · 8 cores · 31 GiB · Debian 12 (x64)`. */
export function describeMachine(machine: Machine): string {
  const cores = `${machine.cores} ${machine.cores === 1 ? 'core' : 'cores'}`;
  return [machine.cpu, cores, `${machine.memoryGiB} GiB`, `${machine.os} (${machine.arch})`].join(' · ');
}

/** Each runtime used, once: name, version and compiler flags (executable paths stay private). */
function describeRuntimes(stored: StoredResult[]): string[] {
  const lines = stored.map(({runtime}) =>
    [runtime.name, runtime.version, ...(runtime.flags === undefined || runtime.flags.length === 0 ? [] : [runtime.flags.join(' ')])].join(' ')
  );
  return [...new Set(lines)];
}

function storedResults(outcomes: Record<string, BlockOutcome[]>): StoredResult[] {
  return Object.values(outcomes).flatMap((list) =>
    list.flatMap((outcome) => (outcome.stored === undefined ? [] : [outcome.stored]))
  );
}
