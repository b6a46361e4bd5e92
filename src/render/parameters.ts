import type {Notebook, ParamValue} from '../parse/types.js';
import {escapeHtml} from './escape.js';
import {formatCount} from './format.js';

/** The id of the parameters panel, which provenance lines link to (reserved: no heading takes it). */
export const PARAMETERS_ID = 'parameters';

/** The profile whose sizes are the article's: `full` when the notebook declares it. */
export const ARTICLE_PROFILE = 'full';

/**
 * The sizes of the article: the notebook's parameters with the `full` profile's overrides (or the
 * notebook's own parameters when it has no `full` profile), and the article's own value where the
 * `full` profile cannot use it (`article: sizes`).
 */
export function articleParams(notebook: Notebook): Record<string, ParamValue> {
  const full = Object.hasOwn(notebook.profiles, ARTICLE_PROFILE) ? notebook.profiles[ARTICLE_PROFILE]!.params : {};
  const own = Object.fromEntries(Object.entries(notebook.article?.sizes ?? {}).map(([name, size]) => [name, size.value]));
  return {...notebook.params, ...full, ...own};
}

/** The sizes a profile runs with: the notebook's parameters with the profile's overrides. */
export function profileParams(notebook: Notebook, profile: string): Record<string, ParamValue> {
  const overrides = Object.hasOwn(notebook.profiles, profile) ? notebook.profiles[profile]!.params : {};
  return {...notebook.params, ...overrides};
}

/**
 * The parameters panel: each parameter with the value this run used beside the article's (the `full`
 * profile's), so a reader sees what was scaled down. Always rendered, since provenance lines link
 * to it; a notebook without parameters says so.
 */
export function renderParameters(notebook: Notebook, profile: string, params: Record<string, ParamValue> = profileParams(notebook, profile)): string {
  const article = articleParams(notebook);
  const names = [...new Set([...Object.keys(params), ...Object.keys(article)])];
  const lines = [`<section class="parameters" id="${PARAMETERS_ID}" aria-label="Parameters">`];
  const sizes = notebook.article?.sizes ?? {};
  // The full profile is the article's sizes, but where it says it cannot be (`article: sizes`).
  const isArticle = (profile === ARTICLE_PROFILE || !Object.hasOwn(notebook.profiles, ARTICLE_PROFILE)) && names.every((name) => formatParam(params[name]) === formatParam(article[name]));
  if (names.length === 0) {
    lines.push(`<p class="panel-title">Parameters</p>`, `<p>This notebook has no parameters: every block runs as written (the <b>${escapeHtml(profile)}</b> profile).</p>`, '</section>');
    return lines.join('\n');
  }
  const differs = names.filter((name) => formatParam(params[name]) !== formatParam(article[name]));
  const summary = isArticle
    ? `This run used the <b>${escapeHtml(profile)}</b> profile${profile === ARTICLE_PROFILE ? ", the article's sizes" : ''}.`
    : differs.length === 0
      ? `This run used the <b>${escapeHtml(profile)}</b> profile, with the article's sizes.`
      : `This run used the <b>${escapeHtml(profile)}</b> profile: ${differs.length === names.length ? 'every size differs' : `${differs.length} of ${names.length} sizes differ`} from the article's (marked).`;
  lines.push('<p class="panel-title">Parameters</p>', `<p>${summary}</p>`);
  lines.push('<div class="params-scroll"><table class="params">');
  lines.push(
    isArticle
      ? '<thead><tr><th scope="col">Parameter</th><th scope="col" class="num">This run</th></tr></thead>'
      : `<thead><tr><th scope="col">Parameter</th><th scope="col" class="num">This run</th><th scope="col" class="num">The article's</th></tr></thead>`
  );
  lines.push('<tbody>');
  for (const name of names) {
    const mine = `<td class="num">${escapeHtml(formatParam(params[name]))}</td>`;
    const theirs = isArticle ? '' : `<td class="num">${escapeHtml(formatParam(article[name]))}</td>`;
    const marked = !isArticle && differs.includes(name) ? ' class="differs"' : '';
    lines.push(`<tr${marked}><th scope="row"><code>${escapeHtml(name)}</code></th>${mine}${theirs}</tr>`);
  }
  lines.push('</tbody></table></div>');
  const notes = Object.entries(sizes).filter(([, size]) => size.note !== undefined);
  if (notes.length > 0) {
    const full = Object.hasOwn(notebook.profiles, ARTICLE_PROFILE) ? notebook.profiles[ARTICLE_PROFILE]!.params : {};
    lines.push('<ul class="size-notes">');
    for (const [name, size] of notes) {
      const instead = full[name] === undefined ? '' : ` The ${ARTICLE_PROFILE} profile uses ${escapeHtml(formatParam(full[name]))} instead of the article's ${escapeHtml(formatParam(size.value))}.`;
      lines.push(`<li><code>${escapeHtml(name)}</code>:${instead} ${escapeHtml(size.note!)}</li>`);
    }
    lines.push('</ul>');
  }
  lines.push('</section>');
  return lines.join('\n');
}

/** A parameter value for people: `400,000`, `1 to 4` (a range), `1, 2, 4` (a list), `0.02`. */
export function formatParam(value: ParamValue | undefined): string {
  if (value === undefined) return '–';
  if (Array.isArray(value)) return value.map((item) => formatParam(item)).join(', ');
  if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value) : String(value);
  if (typeof value === 'string') {
    const range = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(value);
    if (range) return `${formatCount(Number(range[1]))} to ${formatCount(Number(range[2]))}`;
  }
  return String(value);
}
