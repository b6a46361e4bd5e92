import {buildCached} from '../system/build-cache.js';
import type {ProcessResult} from '../system/run-process.js';
import type {BuildRecipe, LibraryBuild, LibraryBuildOptions, LibrarySource} from './types.js';

/** Builds a library through the build cache within its own time limit: the artefact `recipe.output` is the shared object. */
export async function buildCachedLibrary(library: LibrarySource, options: LibraryBuildOptions, recipe: Omit<BuildRecipe, 'runtime'>): Promise<LibraryBuild> {
  const build = await buildCached({
    ...recipe,
    cacheDir: options.cacheDir,
    runtime: options.compiler,
    timeoutMs: library.timeoutMs,
    ...(options.signal ? {signal: options.signal} : {}),
    ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
    ...(options.onBuild ? {onBuild: options.onBuild} : {})
  });
  return build.ok ? libraryFromBuild(library, build) : libraryBuildFailure(library, build.compiler, build.buildMs);
}

/** A library built through the build cache: its artefact is the shared object. */
export function libraryFromBuild(library: LibrarySource, build: {binary: string; buildMs: number}): LibraryBuild {
  return {ok: true, library: {id: library.id, path: build.binary, buildMs: build.buildMs}};
}

/** A compiler that ran and said no is a compile error; one that was stopped or never started is not. */
export function libraryBuildFailure(library: LibrarySource, compiler: ProcessResult, buildMs: number): LibraryBuild {
  const output = [compiler.stderr, compiler.stdout].filter((text) => text !== '').join('\n');
  const name = `library \`${library.id}\``;
  if (compiler.aborted) return {ok: false, status: 'failed', reason: 'aborted', output, buildMs};
  if (compiler.timedOut) {
    return {ok: false, status: 'timed-out', reason: `${name} did not build within ${Number((library.timeoutMs / 1000).toFixed(3))} s`, output, buildMs};
  }
  if (compiler.spawnError !== undefined) return {ok: false, status: 'failed', reason: `${name}: could not start the build: ${compiler.spawnError}`, output, buildMs};
  return {ok: false, status: 'failed', reason: `${name} did not build: compile error`, output, buildMs};
}
