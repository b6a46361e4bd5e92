import type {ResolvedRuntimes, RuntimeInfo} from '../model/index.js';
import {firstLine} from '../system/probe.js';
import {c} from './c.js';
import {cpp} from './cpp.js';
import {go} from './go.js';
import {js, ts} from './js.js';
import {nuitka} from './nuitka.js';
import {readProbeCache, writeProbeCache, type ProbeCacheOptions} from './probe-cache.js';
import {pyo3Version} from './pyo3.js';
import {cpython, cpython312, cpython313, numba, pypy, pythonFreeThreaded} from './python.js';
import {rust} from './rust.js';
import type {Language, RuntimeEntry} from './types.js';

export type * from './types.js';
export type {ResolvedRuntimes} from '../model/index.js';

/**
 * What the build of a library depends on besides its code and compiler; part of the hash of every
 * run that uses one. Bump `version` when the way libraries are built changes.
 */
export const libraryRecipe = {version: 1, pyo3: pyo3Version} as const;

/**
 * Every runtime, one entry each: languages in the order pages list them, each language's default
 * runtime first. Adding a runtime is one entry here, one harness and one fixture.
 */
export const runtimeTable: readonly RuntimeEntry[] = [cpython, cpython312, cpython313, pypy, numba, nuitka, pythonFreeThreaded, go, c, cpp, js, ts, rust];

/** The entry of a runtime name, or `undefined` for an unknown one. */
export function runtimeEntry(name: string): RuntimeEntry | undefined {
  return runtimeTable.find((entry) => entry.name === name);
}

/** Every language, in table order. */
export function languages(): Language[] {
  return [...new Map(runtimeTable.map((entry) => [entry.language.name, entry.language])).values()];
}

/** The language a fence's language word selects (`py` -> `python`), or `undefined` when no runtime runs it. */
export function languageForFence(lang: string): string | undefined {
  const word = lang.toLowerCase();
  return languages().find((language) => language.aliases.includes(word))?.name;
}

/** The runtimes of a language (e.g. `python`), the default first; none for an unknown language. */
export function runtimesOf(language: string): string[] {
  return runtimeTable.filter((entry) => entry.language.name === language).map((entry) => entry.name);
}

/** The default runtime for a fence's language word, or `undefined` when no runtime runs it. */
export function runtimeForLanguage(lang: string): string | undefined {
  const language = languageForFence(lang);
  return language === undefined ? undefined : runtimesOf(language)[0];
}

/** The language a runtime runs (`pypy` -> `python`), or `undefined` for an unknown runtime. */
export function languageOfRuntime(runtime: string): string | undefined {
  return runtimeEntry(runtime)?.language.name;
}

/** Every runtime name, in table order. */
export function runtimeNames(): string[] {
  return runtimeTable.map((entry) => entry.name);
}

/** The runtimes that build `lib` blocks (`go`, `c`, `rust`...). */
export function libraryRuntimes(): string[] {
  return runtimeTable.filter((entry) => entry.buildLibrary !== undefined).map((entry) => entry.name);
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

/** Options of {@link resolveRuntimes}. */
export interface ResolveOptions extends ProbeCacheOptions {}

/**
 * Finds the runtimes named in `names` (see {@link runtimeNames}) in parallel: the real executable of
 * each (pyenv shims resolved) and its version. An answer is reused from the probe cache when
 * nothing it depends on changed (see `probe-cache.ts`), so an unchanged toolchain is not re-probed
 * and a changed one is never missed. Never throws; a runtime that is absent or broken goes to
 * `missing` with a one-line reason.
 */
export async function resolveRuntimes(names: string[], options: ResolveOptions = {}): Promise<ResolvedRuntimes> {
  const unique = [...new Set(names)];
  const cache = await readProbeCache(options);
  const outcomes = await Promise.all(
    unique.map(async (name): Promise<RuntimeInfo | string> => {
      const entry = runtimeEntry(name);
      if (!entry) return 'unknown runtime';
      try {
        return await cache.resolve(entry);
      } catch (error) {
        return `${name} could not be resolved: ${firstLine(error instanceof Error ? error.message : String(error))}`;
      }
    })
  );
  await writeProbeCache(cache, options);
  const found: Record<string, RuntimeInfo> = {};
  const missing: Record<string, string> = {};
  unique.forEach((name, index) => {
    const outcome = outcomes[index]!;
    if (typeof outcome === 'string') missing[name] = outcome;
    else found[name] = outcome;
  });
  return {found, missing};
}

/**
 * The runtime table as Markdown, for docs/notebook-format.md (a test keeps the docs equal to it):
 * every language with its fence words, then every runtime with what runs a block and how to get it.
 */
export function runtimeTableMarkdown(): string {
  const lines = ['| language | fence words | runtimes (default first) |', '|---|---|---|'];
  for (const language of languages()) {
    lines.push(`| ${language.label} | ${language.aliases.map((alias) => `\`${alias}\``).join(', ')} | ${runtimesOf(language.name).map((name) => `\`${name}\``).join(', ')} |`);
  }
  lines.push('', '| runtime | what runs the block | when it is missing |', '|---|---|---|');
  for (const entry of runtimeTable) lines.push(`| \`${entry.name}\` | ${entry.description.replace(/\|/g, '\\|')} | ${entry.install.how.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}
