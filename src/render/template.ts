/**
 * Fills `{{name}}` placeholders in one pass, so text that contains `{{...}}` is never expanded again.
 * Unknown placeholders are left as they are, where a reviewer will see them.
 */
export function fillTemplate(template: string, values: Record<string, string>, name = 'template'): string {
  if (!template.includes('{{content}}')) {
    throw new TypeError(`options.${name} must contain {{content}}: it is where the page goes`);
  }
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) =>
    Object.hasOwn(values, key) ? values[key]! : placeholder
  );
}

/** CSS made safe to inline in `<style>`: a `</style` inside it would end the element early. */
export function inlineCss(css: string): string {
  return css.replace(/<\/style/gi, '<\\/style');
}
