import {common, createLowlight} from 'lowlight';
import {escapeHtml} from './escape.js';
import {hastToHtml} from './hast.js';

/** Languages highlighted at build time; any other fence language is shown as plain (escaped) text. */
export const HIGHLIGHTED_LANGUAGES: readonly string[] = ['python', 'go', 'c', 'rust', 'javascript', 'typescript', 'bash', 'json', 'yaml'];

const lowlight = createLowlight(Object.fromEntries(HIGHLIGHTED_LANGUAGES.map((name) => [name, common[name]!])));
// The fence words notebooks use that the grammars do not already alias (`py`, `js`, `ts`, `sh` are aliased).
lowlight.registerAlias({bash: ['shell', 'console'], go: ['golang'], c: ['h']});

/**
 * Highlights `code` in `lang` as HTML: `<span class="hljs-…">` around tokens, every character of the
 * code escaped. Unknown languages (and the empty one) give the escaped code unchanged.
 */
export function highlightCode(code: string, lang: string): string {
  const language = lang.toLowerCase();
  if (language === '' || !lowlight.registered(language)) return escapeHtml(code);
  return hastToHtml(lowlight.highlight(language, code));
}
