import path from 'node:path';
import {libraryPlaceholderPattern} from '../parse/syntax.js';
import type {PlannedRun} from '../plan/types.js';
import {resolveRuntimes, runtimeEntry, type BuiltLibrary, type ExecuteOptions} from '../runtimes/index.js';
import {failedOutcome, skippedOutcome, type RunOutcome, type RunResult, type RuntimeInfo} from '../model/index.js';

/** A run with its libraries built: `{{lib:id}}` filled into its code, their paths in `env`. */
export interface RunWithLibraries {
  run: PlannedRun;
  env: Record<string, string>;
  /** Time spent building them; 0 when every one was cached. */
  libraryBuildMs: number;
}

/**
 * Builds the `lib` blocks a run uses (`uses=`), each with its own runtime's compiler (from
 * `options.runtimes`, else resolved once per process), and gives back the run with each
 * `{{lib:id}}` in its code replaced by the library's path and `BENCHBOOK_LIB_<ID>` (and PYTHONPATH
 * for PyO3 modules) in its environment. A library that cannot be built makes the run's result:
 * skipped when its compiler is missing, failed or timed out when it does not build.
 */
export async function buildRunLibraries(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunWithLibraries | {result: RunResult}> {
  const started = performance.now();
  const built: BuiltLibrary[] = [];
  let libraryBuildMs = 0;
  const stop = (result: RunOutcome) => ({result: {...result, durationMs: performance.now() - started, libraryBuildMs}});
  for (const library of run.libraries ?? []) {
    const entry = runtimeEntry(library.runtime);
    if (!entry?.buildLibrary) {
      return stop(skippedOutcome(`library \`${library.id}\`: no way to build ${library.runtime} libraries`));
    }
    const compiler = options.runtimes?.[library.runtime] ?? options.missing?.[library.runtime] ?? (await resolveCompiler(library.runtime));
    if (typeof compiler === 'string') {
      return stop(skippedOutcome(`library \`${library.id}\` needs ${library.runtime}: ${compiler}`));
    }
    const build = await entry.buildLibrary(library, {
      compiler,
      python: runtime,
      cacheDir: options.cacheDir,
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
      ...(options.onPhase ? {onBuild: () => options.onPhase!({phase: 'building'})} : {})
    });
    libraryBuildMs += build.ok ? build.library.buildMs : build.buildMs;
    if (!build.ok) return stop({...failedOutcome(build.reason, {stderr: build.output}), status: build.status, timedOut: build.status === 'timed-out'});
    built.push(build.library);
  }
  return {run: {...run, code: fillLibraryPaths(run.code, built)}, env: libraryEnv(built), libraryBuildMs};
}

/** A library's compiler when the caller did not pass the resolved runtimes: resolved once per process. */
function resolveCompiler(name: string): Promise<RuntimeInfo | string> {
  let probe = compilerProbes.get(name);
  if (!probe) {
    probe = resolveRuntimes([name]).then(({found, missing}) => found[name] ?? missing[name] ?? `${name} not found — run npm run setup`);
    compilerProbes.set(name, probe);
  }
  return probe;
}

const compilerProbes = new Map<string, Promise<RuntimeInfo | string>>();

/** `code` with every `{{lib:id}}` replaced by that library's absolute path; others are left as written. */
export function fillLibraryPaths(code: string, libraries: BuiltLibrary[]): string {
  return code.replace(libraryPlaceholderPattern, (match, id: string) => libraries.find((library) => library.id === id)?.path ?? match);
}

/** `BENCHBOOK_LIB_<ID>` for each library (id upper-cased, other characters as `_`), and PYTHONPATH for PyO3 modules. */
export function libraryEnv(libraries: BuiltLibrary[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const library of libraries) env[libraryEnvName(library.id)] = library.path;
  const pythonPaths = libraries.flatMap((library) => (library.pythonPath ? [library.pythonPath] : []));
  if (pythonPaths.length > 0) {
    env['PYTHONPATH'] = [...pythonPaths, process.env['PYTHONPATH']].filter((entry) => entry).join(path.delimiter);
  }
  return env;
}

/** The environment variable holding a library's path: `gosum` -> `BENCHBOOK_LIB_GOSUM`, `mult-rs` -> `BENCHBOOK_LIB_MULT_RS`. */
export function libraryEnvName(id: string): string {
  return `BENCHBOOK_LIB_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
