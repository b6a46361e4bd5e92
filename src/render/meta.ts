import type {ArticleRef} from '../parse/types.js';
import type {Machine, StoredResult} from '../model/index.js';
import {escapeHtml, safeHref} from './escape.js';
import {capitalized, formatDay} from './format.js';
import {ARTICLE_PROFILE, PARAMETERS_ID} from './parameters.js';
import type {BlockOutcome, PageInput} from './types.js';

/** The id of the "How to reproduce" box (reserved: no heading takes it). */
export const REPRODUCE_ID = 'how-to-reproduce';

/**
 * Renders the page's `{{meta}}`: article credit, profile, machine, runtimes, date of the newest
 * result and the exports beside it, then the "How to reproduce" box: the command, the options a
 * reader may want, and `notes` (advice collected from the blocks, each once).
 */
export function renderMeta(input: PageInput, notes: Iterable<string> = []): string {
  const stored = storedResults(input.outcomes);
  const newest = stored.reduce<StoredResult | undefined>(
    (latest, result) => (latest === undefined || result.date > latest.date ? result : latest),
    undefined
  );
  const machine = input.machine ?? newest?.machine;
  const items: Array<[string, string]> = [];
  if (input.notebook.article !== undefined) items.push(['Reproduces', renderArticle(input.notebook.article)]);
  items.push(['Profile', `${escapeHtml(input.profile)} (<a href="#${PARAMETERS_ID}">its sizes beside the article's</a>)`]);
  if (machine !== undefined) items.push(['Machine', escapeHtml(describeMachine(machine))]);
  const runtimes = describeRuntimes(stored);
  if (runtimes.length > 0) items.push(['Runtimes', runtimes.map(escapeHtml).join('<br>')]);
  if (newest !== undefined) {
    items.push(['Measured', `<time datetime="${escapeHtml(newest.date)}">${escapeHtml(formatDay(newest.date))}</time>`]);
  }
  if (input.downloads !== undefined && input.downloads.length > 0) {
    const links = input.downloads.map((file) => `<a href="${escapeHtml(file.href)}" download>${escapeHtml(file.href)}</a> (${escapeHtml(file.label)})`);
    items.push(['Download', links.join('<br>')]);
  }
  const rows = items.map(([term, description]) => `<dt>${term}</dt><dd>${description}</dd>`);
  return ['<dl class="meta">', ...rows, '</dl>', renderReproduce(input, notes)].join('\n');
}

/** The prefix of the notes that carry a statistics warning's advice; they are merged into one. */
const NOISY_NOTE = 'Results marked ⚠ noisy: ';

/** Notes once each, those about noisy results merged into one line of advice. */
function mergeNotes(notes: Iterable<string>): string[] {
  const unique = [...new Set(notes)];
  const advice = unique.filter((note) => note.startsWith(NOISY_NOTE)).map((note) => note.slice(NOISY_NOTE.length).replace(/\.$/, ''));
  const others = unique.filter((note) => !note.startsWith(NOISY_NOTE));
  return advice.length === 0 ? others : [...others, `${NOISY_NOTE}${advice.join('; ')}.`];
}

/**
 * The "How to reproduce" box: where commands and options are explained, so that the reader's text
 * does not need them.
 */
export function renderReproduce(input: PageInput, notes: Iterable<string> = []): string {
  const {notebook} = input;
  const items: string[] = [];
  if (Object.hasOwn(notebook.profiles, ARTICLE_PROFILE) && input.profile !== ARTICLE_PROFILE) {
    const full = notebook.profiles[ARTICLE_PROFILE]!;
    const sizes = Object.entries(full.params).some(([name, value]) => JSON.stringify(value) !== JSON.stringify((input.params ?? notebook.params)[name]));
    const partly = Object.keys(notebook.article?.sizes ?? {}).length > 0;
    if (sizes) items.push(`Add <code>--profile ${ARTICLE_PROFILE}</code> to run with the article's sizes${partly ? ' where they can finish' : ''} (see <a href="#${PARAMETERS_ID}">Parameters</a>); it takes longer: <code>--dry-run</code> says how long before anything runs.`);
    else if (Object.keys(full.measure).length > 0) items.push(`Add <code>--profile ${ARTICLE_PROFILE}</code> to take more samples; the sizes are the same.`);
  }
  items.push('Add <code>--filter id,id --rerun</code> to measure only some blocks again: each chart and table names its own command under “Measure these again”.');
  items.push(...mergeNotes(notes).map(escapeHtml));
  return [
    `<section class="reproduce" aria-labelledby="${REPRODUCE_ID}">`,
    `<h2 class="meta-heading" id="${REPRODUCE_ID}">How to reproduce</h2>`,
    '<p>In a copy of benchbook, this command installs what the notebook needs, runs every block on your machine and writes this page again, with your figures:</p>',
    `<pre><code>${escapeHtml(input.command)}</code></pre>`,
    '<ul>',
    ...items.map((item) => `<li>${item}</li>`),
    '</ul>',
    '</section>'
  ].join('\n');
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
  return `<p class="byline">${capitalized(text)}</p>`;
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
    `${runtime.name}: ${[runtime.version, ...(runtime.flags === undefined || runtime.flags.length === 0 ? [] : [runtime.flags.join(' ')])].join(' ')}`
  );
  return [...new Set(lines)];
}

function storedResults(outcomes: Record<string, BlockOutcome[]>): StoredResult[] {
  return Object.values(outcomes).flatMap((list) =>
    list.flatMap((outcome) => (outcome.stored === undefined ? [] : [outcome.stored]))
  );
}
