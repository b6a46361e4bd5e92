/**
 * The languages a `bench` or `run` block may be written in, with the fence words that select them
 * and the runtimes that run them. Kept free of imports so the parser can validate fences and
 * `runtime=` options without loading executors.
 */
export interface Language {
  /** Fence words that select the language (`python`, `py`...). */
  aliases: string[];
  /** Name shown to people. */
  label: string;
  /** Names of the runtimes that run the language, the default first; left out, the one runtime named after the language. */
  runtimes?: string[];
}

/** Every language of `bench` and `run` blocks, by name. Adding a runtime is one name in `runtimes` here. */
export const languages: Record<string, Language> = {
  python: {
    aliases: ['python', 'py', 'python3'],
    label: 'Python',
    runtimes: ['python', 'python3.12', 'python3.13', 'pypy', 'numba', 'nuitka', 'python-ft']
  },
  go: {aliases: ['go', 'golang'], label: 'Go'},
  c: {aliases: ['c'], label: 'C'},
  js: {aliases: ['js', 'javascript', 'mjs'], label: 'JavaScript'},
  ts: {aliases: ['ts', 'typescript'], label: 'TypeScript'},
  rust: {aliases: ['rust', 'rs'], label: 'Rust'}
};

/** The language a fence's language word selects (`py` -> `python`), or `undefined` when no runtime runs it. */
export function languageForFence(lang: string): string | undefined {
  const word = lang.toLowerCase();
  for (const [name, {aliases}] of Object.entries(languages)) {
    if (aliases.includes(word)) return name;
  }
  return undefined;
}

/** The runtimes of a language (e.g. `python`), the default first; none for an unknown language. */
export function runtimesOf(language: string): string[] {
  const entry = Object.hasOwn(languages, language) ? languages[language] : undefined;
  return entry ? (entry.runtimes ?? [language]) : [];
}

/** The default runtime for a fence's language word, or `undefined` when no runtime runs it. */
export function runtimeForLanguage(lang: string): string | undefined {
  const language = languageForFence(lang);
  return language === undefined ? undefined : runtimesOf(language)[0];
}

/** The language a runtime runs (`pypy` -> `python`), or `undefined` for an unknown runtime. */
export function languageOfRuntime(runtime: string): string | undefined {
  return Object.keys(languages).find((language) => runtimesOf(language).includes(runtime));
}

/** Every runtime name, languages in table order, each language's default first. */
export function runtimeNames(): string[] {
  return Object.keys(languages).flatMap(runtimesOf);
}

/**
 * Why `runtime` cannot run a block of `language`, as a message listing the valid names, or
 * `undefined` when it can. Used for the `runtime=` option of a block.
 */
export function runtimeProblem(language: string, runtime: string): string | undefined {
  const valid = runtimesOf(language);
  if (valid.includes(runtime)) return undefined;
  const expected = `expected one of ${valid.join(', ')}`;
  const owner = languageOfRuntime(runtime);
  if (owner !== undefined) return `runtime \`${runtime}\` runs ${owner} blocks, not ${language} blocks: ${expected}`;
  return `unknown runtime \`${runtime}\` for a ${language} block: ${expected}`;
}
