import type {ProcessResult} from '../system/run-process.js';
import type {LibraryBuild, LibrarySource} from './types.js';

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
