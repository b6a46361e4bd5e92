/** Characters that change meaning in HTML text or in a quoted attribute value. */
const SPECIAL = /[&<>"']/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (character) => ENTITIES[character]!);
}

/**
 * Returns `url` when it is safe to put in an `href` (http, https, mailto, or relative), else `undefined`.
 * Article links come from front matter, so `javascript:` must not reach the page.
 */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (scheme === null) return trimmed;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase()) ? trimmed : undefined;
}
