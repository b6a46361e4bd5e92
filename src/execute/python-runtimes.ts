import path from 'node:path';
import {defaultCacheDir} from '../paths.js';
import {findCPython, projectBuildsDir, pyenvRoot, readBuildFailure} from './python-discovery.js';
import {findOnPath, isExecutable, lines, probe, probeFailure} from './probe.js';
import type {RuntimeInfo} from './types.js';

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

type Resolver = () => Promise<RuntimeInfo | string>;

/**
 * How each Python runtime is found. All of them run blocks with the same harness; they differ in
 * the interpreter (and, for `nuitka`, in compiling the block first).
 */
export const pythonResolvers: Record<string, Resolver> = {
  python: resolvePython,
  'python3.12': () => resolvePythonVersion('3.12'),
  'python3.13': () => resolvePythonVersion('3.13'),
  pypy: resolvePyPy,
  numba: () => resolveVenvPackage('numba', 'Numba'),
  nuitka: () => resolveVenvPackage('nuitka', 'Nuitka'),
  'python-ft': resolveFreeThreaded
};

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
    const root = await pyenvRoot();
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
async function resolveVenvPackage(distribution: string, label: string): Promise<RuntimeInfo | string> {
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
  const fix = 'run npm run setup (it builds one from Debian\'s python3.13 source), or set BENCHBOOK_PYTHON_FT to a free-threaded CPython 3.13+ such as $(pyenv prefix 3.13t)/bin/python3.13t';
  const wanted = {minor: '3.13', freeThreaded: true};
  const command = override || (await findCPython(wanted))[0];
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
