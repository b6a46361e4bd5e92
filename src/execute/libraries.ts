import {mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {libraryPlaceholderPattern} from '../parse/index.js';
import {defaultCacheDir, packageRoot} from '../paths.js';
import type {PlannedLibrary, PlannedRun} from '../plan/types.js';
import {buildCached, buildHash} from './build-cache.js';
import {withPackageClause} from './go.js';
import {runProcess, type ProcessResult} from './process.js';
import {cargoEnv} from './rust.js';
import {cFlags, resolveRuntimes} from './runtimes.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

/** The PyO3 release every `rust lib` block is built against (from crates.io, pinned with its lockfile). */
export const pyo3Version = '0.30.1';

/** The lockfile of a PyO3 module's crate: PyO3 and its dependencies at exact versions. */
export const pyo3Lockfile = path.join(packageRoot, 'src/execute/harness/pyo3.Cargo.lock');

/**
 * What the build of a library depends on besides its code and compiler; part of the hash of every
 * run that uses one. Bump `version` when the way libraries are built changes.
 */
export const libraryRecipe = {version: 1, pyo3: pyo3Version} as const;

/** A library built and ready to load. */
export interface BuiltLibrary {
  id: string;
  /** Absolute path of the shared object: `lib<id>.so`, or the PyO3 module's extension file. */
  path: string;
  /** For a PyO3 module: the folder that goes on PYTHONPATH so that `import <module>` finds it. */
  pythonPath?: string;
  /** Build time; 0 when the build was cached. */
  buildMs: number;
}

/** The outcome of {@link buildLibrary}: the library, or why it could not be built. */
export type LibraryBuild =
  | {ok: true; library: BuiltLibrary}
  | {ok: false; status: 'failed' | 'timed-out' | 'skipped'; reason: string; output: string; buildMs: number};

/** What building one library needs besides the library itself. */
export interface LibraryBuildOptions {
  /** The library's compiler: the `go`, `c` or `rust` runtime. */
  compiler: RuntimeInfo;
  /** The interpreter of the block that loads it: a PyO3 module is built for that Python. */
  python: RuntimeInfo;
  /** Root of the build cache. */
  cacheDir: string;
  signal?: AbortSignal;
  maxOutputBytes?: number;
  /** Called just before compiling: not when the library is cached. */
  onBuild?: () => void;
}

// As for Go blocks: the resolved toolchain only, outside any workspace; cgo on, as c-shared needs it.
const goLibraryEnv = {GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '1'};
const goLibraryMod = 'module benchlib\n\ngo 1.21\n';

/**
 * Builds one `lib` block, cached by content: a Go block with `go build -buildmode=c-shared`, a C
 * block with `gcc -O2 -shared -fPIC`, both into `lib<id>.so`; a Rust block with maturin into a PyO3
 * extension module named after the id (`-` read as `_`). Never throws: a compile error, a timeout
 * or a missing tool comes back as `ok: false` with the tool's output.
 */
export async function buildLibrary(library: PlannedLibrary, options: LibraryBuildOptions): Promise<LibraryBuild> {
  try {
    if (library.runtime === 'rust') return await buildPyo3Module(library, options);
    const output = `lib${library.id}.so`;
    const {compiler} = options;
    const recipe: {files: Record<string, string>; args: string[]; env?: Record<string, string>} | undefined =
      library.runtime === 'go'
        ? {
            files: {'go.mod': goLibraryMod, 'block.go': withMainFunction(withPackageClause(library.code))},
            args: ['build', '-trimpath', ...(compiler.flags ?? []), '-buildmode=c-shared', '-o', output, '.'],
            env: goLibraryEnv
          }
        : library.runtime === 'c'
          ? {files: {'block.c': library.code}, args: [...(compiler.flags ?? cFlags), '-shared', '-fPIC', '-o', output, 'block.c', '-lm']}
          : undefined;
    if (!recipe) {
      return {ok: false, status: 'skipped', reason: `library \`${library.id}\`: no way to build ${library.runtime} libraries`, output: '', buildMs: 0};
    }
    const build = await buildCached({
      cacheDir: options.cacheDir,
      runtime: compiler,
      ...recipe,
      output,
      timeoutMs: library.timeoutMs,
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
      ...(options.onBuild ? {onBuild: options.onBuild} : {})
    });
    if (!build.ok) return buildFailure(library, build.compiler, build.buildMs);
    return {ok: true, library: {id: library.id, path: build.binary, buildMs: build.buildMs}};
  } catch (error) {
    // Only our own machinery (the cache folder, a temp dir) gets here; it is a failure like any other.
    const message = error instanceof Error ? error.message : String(error);
    return {ok: false, status: 'failed', reason: `library \`${library.id}\`: ${message.split('\n')[0]}`, output: message, buildMs: 0};
  }
}

/**
 * Builds the libraries a run uses, then runs it through `execute` with each `{{lib:id}}` in its
 * code replaced by the library's absolute path, `BENCHBOOK_LIB_<ID>` set to the same path, and
 * every PyO3 module's folder on PYTHONPATH. A library that cannot be built makes the run's result
 * (failed, timed out or skipped) with the compiler's output as its stderr; the run is not started.
 */
export async function executeWithLibraries(
  run: PlannedRun,
  runtime: RuntimeInfo,
  options: ExecuteOptions,
  execute: (run: PlannedRun, options: ExecuteOptions) => Promise<RunResult>
): Promise<RunResult> {
  const started = performance.now();
  const {onPhase} = options;
  const built: BuiltLibrary[] = [];
  let libraryBuildMs = 0;
  for (const library of run.libraries ?? []) {
    // A runtime the caller found missing stays missing; one it did not mention is resolved here.
    const compiler = options.runtimes?.[library.runtime] ?? options.missing?.[library.runtime] ?? (await resolveCompiler(library.runtime));
    if (typeof compiler === 'string') {
      const reason = `library \`${library.id}\` needs ${library.runtime}: ${compiler}`;
      return {status: 'skipped', reason, timedOut: false, durationMs: performance.now() - started, stdout: '', stderr: '', libraryBuildMs};
    }
    const build = await buildLibrary(library, {
      compiler,
      python: runtime,
      cacheDir: options.cacheDir,
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes}),
      ...(onPhase ? {onBuild: () => onPhase({phase: 'building'})} : {})
    });
    libraryBuildMs += build.ok ? build.library.buildMs : build.buildMs;
    if (!build.ok) {
      return {
        status: build.status,
        reason: build.reason,
        timedOut: build.status === 'timed-out',
        durationMs: performance.now() - started,
        stdout: '',
        stderr: build.output,
        libraryBuildMs
      };
    }
    built.push(build.library);
  }
  const result = await execute({...run, code: fillLibraryPaths(run.code, built)}, {...options, env: {...options.env, ...libraryEnv(built)}});
  return {...result, durationMs: performance.now() - started, libraryBuildMs};
}

/**
 * A library's compiler when the caller did not pass the resolved runtimes (`options.runtimes`):
 * resolved once per process, as `resolveRuntimes` would for the report.
 */
async function resolveCompiler(name: string): Promise<RuntimeInfo | string> {
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

/** The Python module name of a `rust lib` block: its id with `-` read as `_`. */
export function pythonModuleName(id: string): string {
  return id.replace(/-/g, '_');
}

/** The maturin that builds PyO3 modules: `BENCHBOOK_MATURIN`, else the setup venv's, else PATH's. */
export async function resolveMaturin(): Promise<RuntimeInfo | string> {
  const fix = 'run npm run setup (it installs maturin from requirements.txt into node_modules/.cache/benchbook/venv) or set BENCHBOOK_MATURIN';
  const candidates = process.env['BENCHBOOK_MATURIN']
    ? [process.env['BENCHBOOK_MATURIN']]
    : [path.join(defaultCacheDir, 'venv', 'bin', 'maturin'), 'maturin'];
  for (const candidate of candidates) {
    const cached = maturinProbes.get(candidate);
    if (cached) return cached;
    const probe = runProcess(candidate, ['--version'], {timeoutMs: 10_000, maxOutputBytes: 64 * 1024}).then(
      (result): RuntimeInfo | string => {
        const version = result.stdout.trim().split('\n')[0] ?? '';
        if (result.exitCode !== 0 || !/^maturin \d/.test(version)) return `maturin not found — ${fix}`;
        return {name: 'maturin', executable: candidate, version};
      }
    );
    maturinProbes.set(candidate, probe);
    const found = await probe;
    if (typeof found !== 'string') return found;
  }
  return `maturin not found — ${fix}`;
}

// One probe per executable and process: every run that uses a PyO3 module asks.
const maturinProbes = new Map<string, Promise<RuntimeInfo | string>>();

/**
 * A PyO3 module: a `cdylib` crate depending on the pinned PyO3, built by maturin for the Python of
 * the block that imports it, its wheel unpacked into `<build>/python/`. Cargo's target directory is
 * shared by every PyO3 build in the cache, so PyO3 itself compiles once and an edited library
 * recompiles only its own crate.
 */
async function buildPyo3Module(library: PlannedLibrary, options: LibraryBuildOptions): Promise<LibraryBuild> {
  const {compiler: cargo, python} = options;
  const maturin = await resolveMaturin();
  if (typeof maturin === 'string') return {ok: false, status: 'skipped', reason: `library \`${library.id}\`: ${maturin}`, output: '', buildMs: 0};
  const module = pythonModuleName(library.id);
  const files = {
    'Cargo.toml': pyo3CargoToml(module),
    'Cargo.lock': lockfileFor(module, await readFile(pyo3Lockfile, 'utf8')),
    'pyproject.toml': `[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n\n[project]\nname = "${module}"\nversion = "0.1.0"\n`,
    'block.rs': withPymodule(library.code, module)
  };
  const targetDir = path.join(options.cacheDir, 'build', 'pyo3-target');
  const env = {
    ...cargoEnv(cargo),
    CARGO: cargo.executable,
    // maturin runs `cargo` from PATH: put the resolved toolchain first.
    PATH: [path.dirname(cargo.executable), process.env['PATH']].filter((entry) => entry).join(path.delimiter),
    CARGO_TARGET_DIR: targetDir
  };
  const args = ['build', '--release', '--quiet', '--out', 'wheels', '--interpreter', python.executable, '--compatibility', 'linux', '--auditwheel', 'skip'];
  const hash = buildHash({
    runtime: cargo,
    files,
    // The key also covers the tools outside the compiler runtime: maturin and the target Python.
    args: [maturin.executable, maturin.version, python.executable, python.version, ...args],
    env: {},
    output: 'python'
  });
  const root = path.join(options.cacheDir, 'build');
  const finalDir = path.join(root, `pyo3-${hash.slice(0, 16)}`);
  const cached = await findExtension(path.join(finalDir, 'python'), module);
  if (cached) return {ok: true, library: {id: library.id, path: cached, pythonPath: path.join(finalDir, 'python'), buildMs: 0}};

  options.onBuild?.();
  await mkdir(root, {recursive: true});
  const tempDir = await mkdtemp(path.join(root, `.tmp-pyo3-${hash.slice(0, 16)}-`));
  const deadline = performance.now() + library.timeoutMs;
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(tempDir, name), content);
    const started = performance.now();
    const processOptions = {
      cwd: tempDir,
      env,
      timeoutMs: deadline - performance.now(),
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.maxOutputBytes === undefined ? {} : {maxOutputBytes: options.maxOutputBytes})
    };
    const build = await runProcess(maturin.executable, args, processOptions);
    if (build.exitCode !== 0) return buildFailure(library, build, performance.now() - started);
    const wheels = (await readdir(path.join(tempDir, 'wheels'))).filter((name) => name.endsWith('.whl'));
    if (wheels.length !== 1) {
      return {ok: false, status: 'failed', reason: `library \`${library.id}\`: maturin wrote ${wheels.length} wheels, expected 1`, output: build.stderr, buildMs: performance.now() - started};
    }
    // A wheel is a zip file; the target Python unpacks it, so no unzip tool is needed.
    const unpack = await runProcess(python.executable, ['-m', 'zipfile', '-e', path.join('wheels', wheels[0]!), 'python'], {
      ...processOptions,
      timeoutMs: deadline - performance.now()
    });
    const buildMs = performance.now() - started;
    if (unpack.exitCode !== 0) return buildFailure(library, unpack, buildMs);
    if (!(await findExtension(path.join(tempDir, 'python'), module))) {
      return {ok: false, status: 'failed', reason: `library \`${library.id}\`: the wheel holds no extension module \`${module}\``, output: build.stderr, buildMs};
    }
    try {
      await rename(tempDir, finalDir);
    } catch (error) {
      // Another run finished the same build first; its directory is just as good.
      if (!(await findExtension(path.join(finalDir, 'python'), module))) throw error;
    }
    const extension = (await findExtension(path.join(finalDir, 'python'), module))!;
    return {ok: true, library: {id: library.id, path: extension, pythonPath: path.join(finalDir, 'python'), buildMs}};
  } finally {
    await rm(tempDir, {recursive: true, force: true});
  }
}

function pyo3CargoToml(module: string): string {
  // `[workspace]`: the crate is its own workspace, whatever Cargo.toml lies above the cache.
  return `[package]
name = "${module}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
name = "${module}"
crate-type = ["cdylib"]
path = "block.rs"

[dependencies]
pyo3 = { version = "=${pyo3Version}", features = ["extension-module"] }

[workspace]
`;
}

/**
 * The pinned lockfile with its root package renamed to the module, packages in cargo's order, so
 * that cargo finds it up to date: no registry look-up, the same PyO3 dependencies on every machine.
 */
export function lockfileFor(module: string, template: string): string {
  const [header, ...packages] = template.split('\n[[package]]\n');
  const renamed = packages.map((entry) => entry.replace(/^name = "benchbook_lib"$/m, `name = "${module}"`));
  const name = (entry: string) => /^name = "([^"]*)"/.exec(entry)?.[1] ?? '';
  const version = (entry: string) => /^version = "([^"]*)"/m.exec(entry)?.[1] ?? '';
  renamed.sort((a, b) => compare(name(a), name(b)) || compare(version(a), version(b)));
  const tidy = (text: string) => `${text.trimEnd()}\n`;
  return [tidy(header ?? ''), ...renamed.map(tidy)].join('\n[[package]]\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The block, plus a `#[pymodule]` that adds each of its `#[pyfunction]`s when it declares no module
 * itself (as rustimport does, so an article's functions work as written). Appended, so compiler
 * messages keep the block's own line numbers.
 */
export function withPymodule(code: string, module: string): string {
  if (/#\[\s*(?:pyo3::|::pyo3::)?pymodule\b/.test(code)) return code;
  const functions = [...code.matchAll(/#\[\s*(?:pyo3::|::pyo3::)?pyfunction\b[^\]]*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?fn\s+([A-Za-z_]\w*)/g)].map(
    (match) => match[1]!
  );
  const adds = functions.map((fn) => `    m.add_function(::pyo3::wrap_pyfunction!(${fn}, m)?)?;\n`).join('');
  return (
    `${code}\n\n// Added by benchbook: the module \`${module}\` with every #[pyfunction] above.\n` +
    `#[::pyo3::pymodule]\n#[pyo3(name = "${module}")]\n` +
    `fn bb_module(m: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {\n` +
    `    use ::pyo3::types::PyModuleMethods;\n${adds}    Ok(())\n}\n`
  );
}

/** A Go c-shared library needs a `main` function, even an empty one; add it when the block has none. */
export function withMainFunction(code: string): string {
  return /^\s*func\s+main\s*\(\s*\)/m.test(code) ? code : `${code}\n\nfunc main() {}\n`;
}

/** The extension file of `module` under an unpacked wheel (`<module>/<module>.cpython-*.so`), if any. */
async function findExtension(dir: string, module: string): Promise<string | undefined> {
  for (const folder of [path.join(dir, module), dir]) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    const file = names.find((name) => name.startsWith(`${module}.`) && /\.(so|pyd|dylib)$/.test(name));
    if (file && (await stat(path.join(folder, file))).isFile()) return path.join(folder, file);
  }
  return undefined;
}

/** A compiler that ran and said no is a compile error; one that was stopped or never started is not. */
function buildFailure(library: PlannedLibrary, compiler: ProcessResult, buildMs: number): LibraryBuild {
  const output = [compiler.stderr, compiler.stdout].filter((text) => text !== '').join('\n');
  const name = `library \`${library.id}\``;
  if (compiler.aborted) return {ok: false, status: 'failed', reason: 'aborted', output, buildMs};
  if (compiler.timedOut) {
    return {ok: false, status: 'timed-out', reason: `${name} did not build within ${Number((library.timeoutMs / 1000).toFixed(3))} s`, output, buildMs};
  }
  if (compiler.spawnError !== undefined) return {ok: false, status: 'failed', reason: `${name}: could not start the build: ${compiler.spawnError}`, output, buildMs};
  return {ok: false, status: 'failed', reason: `${name} did not build: compile error`, output, buildMs};
}
