/**
 * The languages a `bench` or `run` block may be written in, by runtime name, with the fence words
 * that select them. Kept free of imports so the parser can validate fences without loading executors.
 */
export const languages: Record<string, {aliases: string[]; label: string}> = {
  python: {aliases: ['python', 'py', 'python3'], label: 'Python'},
  go: {aliases: ['go', 'golang'], label: 'Go'},
  c: {aliases: ['c'], label: 'C'},
  js: {aliases: ['js', 'javascript', 'mjs'], label: 'JavaScript'},
  ts: {aliases: ['ts', 'typescript'], label: 'TypeScript'}
};

/** The runtime name for a fence's language word, or `undefined` when no runtime runs it. */
export function runtimeForLanguage(lang: string): string | undefined {
  const word = lang.toLowerCase();
  for (const [name, {aliases}] of Object.entries(languages)) {
    if (aliases.includes(word)) return name;
  }
  return undefined;
}
