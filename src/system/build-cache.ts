import {createHash} from 'node:crypto';
import {mkdir, mkdtemp, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {runProcess, type ProcessResult} from './run-process.js';

/** What to compile and how; everything here except the limits goes into the cache key. */
export interface BuildOptions {
  /** Root of the build cache; builds live in `<cacheDir>/build/<runtime>-<hash>/`. */
  cacheDir: string;
  /** The compiler's runtime: its name, version and executable are part of the key. */
  runtime: RuntimeInfo;
  /** Source files to write into the build directory, by relative name. */
  files: Record<string, string>;
  /** Compiler arguments, run with the build directory as working directory. */
  args: string[];
  /** Extra environment for the compiler (part of the key). */
  env?: Record<string, string>;
  /** Name of the artefact the compiler writes into the build directory. */
  output: string;
  /** Time left for compiling. */
  timeoutMs?: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
  /** Called just before the compiler starts: not when the build is cached (progress displays say `building`). */
  onBuild?: () => void;
}

/** The outcome of {@link buildCached}: a ready artefact, or the failed compiler run. */
export type BuildResult =
  | {ok: true; binary: string; cached: boolean; buildMs: number}
  | {ok: false; compiler: ProcessResult; buildMs: number};

/** The cache key of a build: sha256 of sources, compiler arguments, environment and compiler version. */
export function buildHash(options: Pick<BuildOptions, 'runtime' | 'files' | 'args' | 'env' | 'output'>): string {
  const {runtime, files, args, env, output} = options;
  const sortedFiles = Object.keys(files)
    .sort()
    .map((name) => [name, files[name]]);
  const sortedEnv = Object.entries(env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(
      JSON.stringify({
        runtime: runtime.name,
        executable: runtime.executable,
        version: runtime.version,
        flags: runtime.flags ?? [],
        args,
        env: sortedEnv,
        output,
        files: sortedFiles
      })
    )
    .digest('hex');
}

/**
 * Compiles `files` unless an identical build is cached, and returns the artefact's path.
 * A build happens in a private temp directory that is renamed into place only when complete, so
 * concurrent runs never see a half-written binary; when two runs race, the first rename wins.
 */
export async function buildCached(options: BuildOptions): Promise<BuildResult> {
  const {cacheDir, runtime, files, args, env, output} = options;
  const root = path.join(cacheDir, 'build');
  const finalDir = path.join(root, `${runtime.name}-${buildHash(options).slice(0, 16)}`);
  const binary = path.join(finalDir, output);
  if (await exists(binary)) return {ok: true, binary, cached: true, buildMs: 0};

  options.onBuild?.();
  await mkdir(root, {recursive: true});
  const tempDir = await mkdtemp(path.join(root, `.tmp-${path.basename(finalDir)}-`));
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(tempDir, name)), {recursive: true});
      await writeFile(path.join(tempDir, name), content);
    }
    const started = performance.now();
    const compiler = await runProcess(runtime.executable, args, {
      cwd: tempDir,
      ...(env ? {env} : {}),
      ...(options.timeoutMs === undefined ? {} : {timeoutMs: options.timeoutMs}),
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes})
    });
    const buildMs = performance.now() - started;
    const succeeded = compiler.exitCode === 0 && (await exists(path.join(tempDir, output)));
    if (!succeeded) return {ok: false, compiler, buildMs};
    try {
      await rename(tempDir, finalDir);
    } catch (error) {
      // Another run finished the same build first; its directory is just as good.
      if (!(await exists(binary))) throw error;
    }
    return {ok: true, binary, cached: false, buildMs};
  } finally {
    await rm(tempDir, {recursive: true, force: true});
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
