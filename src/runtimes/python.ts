import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {defaultCacheDir, packageRoot} from '../paths.js';
import {fileFacts, findOnPath, isExecutable, lines, probe, probeFailure} from '../system/probe.js';
import {cpythonBuildPackages, findCPython, projectBuildsDir, pyenvRoot, readBuildFailure} from './python-discovery.js';
import type {Language, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/** The Python harness that times `bench` blocks. */
export const pythonHarness = path.join(packageRoot, 'src/runtimes/harness/harness.py');

// Fixed hash seed so dict/set ordering (and so timings) repeat across runs; no .pyc litter.
/** Environment of every Python block's processes, whatever the interpreter. */
export const pythonEnv = {PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1'};

/** Python blocks: ` ```python bench `, run by CPython unless `runtime=` picks another interpreter. */
export const python: Language = {name: 'python', label: 'Python', aliases: ['python', 'py', 'python3']};

/**
 * A Python block as a program for `runtime.executable`: a `run` block as a script, a `bench` block
 * through the harness, which execs the block as `__main__` and times its function.
 */
export async function preparePython(source: ProgramSource, runtime: RuntimeInfo, {workDir}: PrepareContext): Promise<PreparedBlock> {
  const file = path.join(workDir, scriptName(source.blockId));
  await writeFile(file, source.code);
  const args = source.kind === 'run' ? [file] : [pythonHarness, file, source.blockId];
  return {command: {file: runtime.executable, args, env: pythonEnv}, buildMs: 0};
}

/**
 * The script's file name: named after the block for tracebacks, and with a hyphen so that it can
 * never be imported: a block `json` must still get the standard library's `json` module.
 */
function scriptName(blockId: string): string {
  return `block-${blockId.replace(/[^\w.-]+/g, '_')}.py`;
}

/** The project's virtual environment, made by `npm run setup` from requirements.txt: Numba and Nuitka live here. */
export const venvDir = path.join(defaultCacheDir, 'venv');

/** The interpreter of a virtual environment (run by this path, so that the venv's packages are used). */
export function venvPython(dir: string = venvDir): string {
  return path.join(dir, 'bin', 'python');
}

/** What a Python interpreter says about itself (see `factsScript`). */
export interface PythonFacts {
  /** `sys.executable`: the real interpreter behind a pyenv shim, or the venv's own `bin/python`. */
  executable: string;
  /** `CPython`, `PyPy`... */
  implementation: string;
  /** The language version, e.g. `3.11.7`. */
  version: string;
  /** PyPy's own version, e.g. `7.3.11`. */
  pypy?: string;
  /** `sys._is_gil_enabled()` where it exists (3.13+), else null. */
  gil: boolean | null;
  /** Whether the interpreter was built with `--disable-gil`. */
  freeThreaded: boolean;
  /** Installed versions of the distributions asked about, null when absent. */
  packages: Record<string, string | null>;
}

// Python 3.6+ and PyPy alike; asks importlib.metadata rather than importing numba (~0.5 s).
const factsScript = `
import json, platform, sys, sysconfig
facts = {"executable": sys.executable, "implementation": platform.python_implementation(),
         "version": platform.python_version(),
         "gil": sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else None,
         "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "packages": {}}
if hasattr(sys, "pypy_version_info"):
    v = sys.pypy_version_info
    facts["pypy"] = "%d.%d.%d" % tuple(v[:3]) + ("" if v.releaselevel == "final" else v.releaselevel)
for name in sys.argv[1:]:
    try:
        from importlib.metadata import version
        facts["packages"][name] = version(name)
    except Exception:
        facts["packages"][name] = None
print(json.dumps(facts))
`;

/**
 * Asks `command` (a name on PATH or a path) what it is. Returns its facts, or a one-line reason
 * ending in `fix` when it cannot be started or does not answer.
 */
export async function probePython(command: string, fix: string, packages: string[] = []): Promise<PythonFacts | string> {
  const result = await probe(command, ['-c', factsScript, ...packages]);
  const failure = probeFailure(command, result, fix);
  if (failure) return failure;
  try {
    const facts = JSON.parse(lines(result.stdout).at(-1) ?? '') as PythonFacts;
    if (typeof facts.executable === 'string' && path.isAbsolute(facts.executable) && typeof facts.version === 'string') return facts;
  } catch {
    // Reported below, with what it printed.
  }
  return `${command} did not report its executable (saw ${JSON.stringify(lines(result.stdout)[0] ?? '')}) — ${fix}`;
}

/** `CPython 3.12.1`, `PyPy 7.3.11 (Python 3.9.16)`. */
export function describePython(facts: PythonFacts): string {
  if (facts.pypy !== undefined) return `${facts.implementation} ${facts.pypy} (Python ${facts.version})`;
  return `${facts.implementation} ${facts.version}`;
}

const pythonInstall = {apt: ['python3', 'python3-venv'], how: 'install Python 3 (apt-get install python3), set BENCHBOOK_PYTHON, or run npm run setup'};

/** A Python-family entry: every interpreter runs blocks with the same harness. */
function pythonEntry(fields: Pick<RuntimeEntry, 'name' | 'description' | 'resolve' | 'probeKey' | 'install'>): RuntimeEntry {
  return {...fields, language: python, prepare: preparePython, emptyProgram: 'pass\n'};
}

/** CPython as `python3` (or `BENCHBOOK_PYTHON`) resolves: the language's default. */
export const cpython = pythonEntry({
  name: 'python',
  description: 'CPython as `python3` (or `BENCHBOOK_PYTHON`) finds it, pyenv shims resolved to the real interpreter',
  resolve: resolvePython,
  probeKey: async () => keyOf([process.env['BENCHBOOK_PYTHON'] ?? '', await commandFacts(process.env['BENCHBOOK_PYTHON'] || 'python3'), await pyenvSelection()]),
  install: pythonInstall
});

/** A CPython minor version: pyenv's newest install of it, else a build of `npm run setup`, else `python3.X` on PATH. */
function cpythonVersion(minor: string): RuntimeEntry {
  return pythonEntry({
    name: `python${minor}`,
    description: `CPython ${minor}: the newest ${minor}.x pyenv has installed, else the one \`npm run setup\` built in the project cache, else \`python${minor}\` on PATH`,
    resolve: () => resolvePythonVersion(minor),
    probeKey: async () => keyOf([await fileFacts((await findCPython({minor, freeThreaded: false}))[0] ?? `python${minor}`)]),
    install: minor === '3.12'
      ? // No Debian suite carries python3.12 (bookworm has 3.11, trixie 3.13, forky and sid 3.14 and later).
        {otherwise: 'Debian has no python3.12 in any suite: pyenv install 3.12 (it downloads the source from python.org)', how: 'pyenv install 3.12 (no Debian suite has python3.12)'}
      : {apt: cpythonBuildPackages, then: 'npm run setup', otherwise: `or pyenv install ${minor}`, how: `run npm run setup (it builds CPython ${minor} from Debian's source), or pyenv install ${minor}`}
  });
}

export const cpython312 = cpythonVersion('3.12');
export const cpython313 = cpythonVersion('3.13');

/** PyPy 3, as Debian installs it. */
export const pypy = pythonEntry({
  name: 'pypy',
  description: 'PyPy 3 (`pypy3` on PATH): the same harness, timed after its JIT has warmed up',
  resolve: resolvePyPy,
  probeKey: async () => keyOf([await commandFacts('pypy3'), await commandFacts('pypy')]),
  install: {apt: ['pypy3'], how: 'run npm run setup as root (it runs apt-get install -y pypy3) or install PyPy 3 on PATH'}
});

/** Numba from the project's venv, on the venv's CPython. */
export const numba = pythonEntry({
  name: 'numba',
  description: "CPython of the project's venv with Numba installed: blocks decorate their functions with `@njit`",
  resolve: () => resolveVenvPackage('numba', 'Numba'),
  probeKey: venvKey,
  install: {apt: ['python3-venv'], then: 'npm run setup', how: "run npm run setup (it installs requirements.txt into the project venv, node_modules/.cache/benchbook/venv)"}
});

/** A free-threaded CPython (3.13+ built with --disable-gil), checked to run without the GIL. */
export const pythonFreeThreaded = pythonEntry({
  name: 'python-ft',
  description: "a free-threaded CPython 3.13 (built with `--disable-gil`): `BENCHBOOK_PYTHON_FT` when set, else pyenv's newest `3.13.xt`, else the one `npm run setup` built in the project cache, else `python3.13t` on PATH; checked to run with the GIL disabled",
  resolve: resolveFreeThreaded,
  probeKey: async () => {
    const override = process.env['BENCHBOOK_PYTHON_FT'];
    return keyOf([override ?? '', await fileFacts(override || ((await findCPython({minor: '3.13', freeThreaded: true}))[0] ?? ''))]);
  },
  install: {apt: cpythonBuildPackages, then: 'npm run setup', otherwise: 'or pyenv install 3.13t, or set BENCHBOOK_PYTHON_FT to a python3.13t', how: "run npm run setup (it builds one from Debian's python3.13 source), or pyenv install 3.13t, or set BENCHBOOK_PYTHON_FT to a python3.13t"}
});

/** The project venv's interpreter and its installed packages (site-packages changes when pip installs). */
export async function venvKey(): Promise<string> {
  const lib = path.join(venvDir, 'lib');
  const versions = await readdir(lib).catch(() => [] as string[]);
  return keyOf([await fileFacts(venvPython()), ...(await Promise.all(versions.map((version) => fileFacts(path.join(lib, version, 'site-packages')))))]);
}

/** The parts of a probe key, joined. */
export function keyOf(parts: string[]): string {
  return parts.join('\n');
}

/** `command` as PATH finds it, with its size and modification time. */
async function commandFacts(command: string): Promise<string> {
  const found = command.includes(path.sep) ? command : await findOnPath(command);
  return found ? fileFacts(found) : `${command}: not found`;
}

/**
 * Which Python a pyenv shim runs: `PYENV_VERSION`, the nearest `.python-version` from here up, and
 * pyenv's global version file. A shim's own file never changes when the selection does.
 */
async function pyenvSelection(): Promise<string> {
  const parts = [`PYENV_VERSION=${process.env['PYENV_VERSION'] ?? ''}`];
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const local = await readFile(path.join(dir, '.python-version'), 'utf8').catch(() => undefined);
    if (local !== undefined) {
      parts.push(`${dir}: ${local.trim()}`);
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  const root = pyenvRoot();
  if (root) parts.push(`global: ${(await readFile(path.join(root, 'version'), 'utf8').catch(() => '')).trim()}`);
  return keyOf(parts);
}

/** Python through whatever `python3` (or `BENCHBOOK_PYTHON`) is, recording the interpreter behind it. */
async function resolvePython(): Promise<RuntimeInfo | string> {
  const command = process.env['BENCHBOOK_PYTHON'] || 'python3';
  const fix = process.env['BENCHBOOK_PYTHON']
    ? 'fix BENCHBOOK_PYTHON or unset it'
    : 'install Python 3, set BENCHBOOK_PYTHON, or run npm run setup';
  // Record sys.executable: python3 may be a pyenv shim (a bash script that doubles start-up time),
  // and timings must come from the interpreter itself.
  const facts = await probePython(command, fix);
  if (typeof facts === 'string') return facts;
  return {name: 'python', executable: facts.executable, version: describePython(facts)};
}

/**
 * CPython `minor` (e.g. `3.12`): the first that `findCPython` finds (pyenv's newest `3.12.x`, a build
 * of `npm run setup` in the project cache, `python3.12` on PATH).
 */
async function resolvePythonVersion(minor: string): Promise<RuntimeInfo | string> {
  const name = `python${minor}`;
  const fix = `run npm run setup (it provides the versions the notebooks pin where it can, and says how otherwise), or pyenv install ${minor}`;
  const [command] = await findCPython({minor, freeThreaded: false});
  if (!command) {
    const root = pyenvRoot();
    const where = root ? `no ${minor}.x under ${path.join(root, 'versions')}, none built in ${projectBuildsDir}, none on PATH` : `no pyenv, none built in ${projectBuildsDir}, none on PATH`;
    return `${name} not found (${where}) — ${fix}`;
  }
  const facts = await probePython(command, fix);
  if (typeof facts === 'string') return facts;
  if (facts.implementation !== 'CPython') return `${command} is ${describePython(facts)}, not CPython — ${fix}`;
  return {name, executable: facts.executable, version: describePython(facts)};
}

/** PyPy 3 as Debian installs it (`pypy3` on PATH). */
async function resolvePyPy(): Promise<RuntimeInfo | string> {
  const fix = 'run npm run setup as root (it runs apt-get install -y pypy3) or install PyPy 3 on PATH';
  const command = (await findOnPath('pypy3')) ?? (await findOnPath('pypy'));
  if (!command) return `pypy3 not found on PATH — ${fix}`;
  const facts = await probePython(command, fix);
  if (typeof facts === 'string') return facts;
  if (facts.pypy === undefined) return `${command} is ${describePython(facts)}, not PyPy — ${fix}`;
  return {name: 'pypy', executable: facts.executable, version: describePython(facts)};
}

/** A package of the project's venv (`numba`, `nuitka`) on the venv's CPython. */
export async function resolveVenvPackage(distribution: string, label: string): Promise<RuntimeInfo | string> {
  const fix = `run npm run setup (it installs requirements.txt into ${venvDir})`;
  const python = venvPython();
  if (!(await isExecutable(python))) return `${distribution} not installed: there is no project venv (${python} is missing) — ${fix}`;
  const facts = await probePython(python, fix, [distribution]);
  if (typeof facts === 'string') return facts;
  const version = facts.packages[distribution];
  if (!version) return `${distribution} is not installed in ${venvDir} — ${fix}`;
  return {name: distribution, executable: python, version: `${label} ${version} on ${describePython(facts)}`};
}

/**
 * A free-threaded CPython 3.13: `BENCHBOOK_PYTHON_FT` when set, else the first `findCPython` finds
 * (pyenv's `3.13.*t`, the project cache's build, `python3.13t` on PATH); checked to really run without the GIL.
 */
async function resolveFreeThreaded(): Promise<RuntimeInfo | string> {
  const override = process.env['BENCHBOOK_PYTHON_FT'];
  const fix = "run npm run setup (it builds one from Debian's python3.13 source), or set BENCHBOOK_PYTHON_FT to a free-threaded CPython 3.13+ such as $(pyenv prefix 3.13t)/bin/python3.13t";
  const command = override || (await findCPython({minor: '3.13', freeThreaded: true}))[0];
  if (!command) {
    const failed = await readBuildFailure('python-ft');
    if (failed) return `python-ft not found: npm run setup could not provide one: ${failed.reason}`;
    return `python-ft not found: no pyenv 3.13.*t, no build in ${projectBuildsDir}, no python3.13t on PATH, BENCHBOOK_PYTHON_FT not set — ${fix}`;
  }
  const facts = await probePython(command, override ? `fix BENCHBOOK_PYTHON_FT (${command})` : fix);
  if (typeof facts === 'string') return facts;
  const what = describePython(facts);
  if (facts.gil === null) return `${command} is ${what}, which has no sys._is_gil_enabled(): not a free-threaded build — ${fix}`;
  if (facts.gil) {
    const why = facts.freeThreaded ? 'a free-threaded build whose GIL is on (PYTHON_GIL=1 or -X gil=1?)' : 'not a free-threaded build';
    return `${command} is ${what} with the GIL enabled: ${why} — ${fix}`;
  }
  return {name: 'python-ft', executable: facts.executable, version: `${what} free-threaded (GIL disabled)`};
}
