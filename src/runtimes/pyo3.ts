import {mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {cargoEnv} from './cargo.js';
import {defaultCacheDir, packageRoot} from '../paths.js';
import {buildHash} from '../system/build-cache.js';
import {runProcess} from '../system/run-process.js';
import {libraryBuildFailure} from './library-build.js';
import type {LibraryBuild, LibraryBuildOptions, LibrarySource} from './types.js';

/**
 * PyO3 modules: `rust lib` blocks built by maturin into extension modules that Python blocks import.
 */

/** The PyO3 release every `rust lib` block is built against (from crates.io, pinned with its lockfile). */
export const pyo3Version = '0.30.1';

/** The lockfile of a PyO3 module's crate: PyO3 and its dependencies at exact versions. */
export const pyo3Lockfile = path.join(packageRoot, 'src/runtimes/harness/pyo3.Cargo.lock');

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
export async function buildPyo3Module(library: LibrarySource, options: LibraryBuildOptions): Promise<LibraryBuild> {
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
    if (build.exitCode !== 0) return libraryBuildFailure(library, build, performance.now() - started);
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
    if (unpack.exitCode !== 0) return libraryBuildFailure(library, unpack, buildMs);
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
