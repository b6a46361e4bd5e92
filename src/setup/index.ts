import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {runtimeNames} from '../runtimes/index.js';
import {venvDir as defaultVenvDir} from '../runtimes/python.js';
import {resolveRuntimes, type ResolvedRuntimes} from '../runtimes/index.js';
import type {RunResult, RuntimeInfo} from '../model/index.js';
import {parseNotebook} from '../parse/index.js';
import {packageRoot} from '../paths.js';
import {ensureAptPackages, installedPackages, type AptOptions, type AptOutcome} from './apt.js';
import {cpythonTargets, debianCPythonSources, provideCPythons, type CPythonOutcome} from './cpython.js';
import {warmGoCache} from './go-cache.js';
import {cpythonBuildPackages, installHints} from './install-hints.js';
import {setupJupyter} from './jupyter.js';
import {ensureVenv, type VenvOutcome} from './python-venv.js';
import {coreRuntimes, formatRuntimeTable, runtimeRows, type RuntimeRow} from './runtime-table.js';
import {chooseVenvPython, readLockInfo, venvCandidates} from './venv-python.js';

export {aptPackages, ensureAptPackages, installedPackages, type AptOptions, type AptOutcome, type AptPackage} from './apt.js';
export {cpythonTargets, debianCPythonSources, provideCPythons, pyenvDefinitionSha256, type CPythonOptions, type CPythonOutcome, type CPythonTarget} from './cpython.js';
export {aptOptions, debianKeyring, debianMirror, fetchDebianSource, sha256File, sourceList, upstreamOf, writeAptConfig, type AptConfig, type DebianSource, type DebianSourceOptions} from './debian-source.js';
export {warmGoCache} from './go-cache.js';
export {cpythonBuildPackages, installCommand, installHints, type InstallCommandOptions, type InstallHint} from './install-hints.js';
export {ensureVenv, readStamp, stampFile, type VenvOptions, type VenvOutcome, type VenvStamp} from './python-venv.js';
export {coreRuntimes, formatRuntimeTable, runtimeRows, type RuntimeRow, type RuntimeRowsOptions} from './runtime-table.js';
export {chooseVenvPython, parseLockInfo, readLockInfo, venvCandidates, type LockInfo, type VenvCandidate, type VenvChoice} from './venv-python.js';

/** Options of {@link runSetup}; every step is on by default. */
export interface SetupOptions {
  /** Install missing system packages (pypy3, hyperfine, valgrind, ccache; CPython's build packages when a build is due) when root, else say how. Default true. */
  apt?: boolean | Omit<AptOptions, 'log' | 'packages'>;
  /**
   * Provide the CPython versions the notebooks use and the machine lacks (python3.12, python3.13,
   * python-ft), building them from Debian's source (`build: false`: only say what is missing). Default true.
   */
  cpython?: boolean | {build?: boolean};
  /** Make the project venv from requirements.txt when its stamp is stale (`install: false`: only check). Default true. */
  venv?: boolean | {install?: boolean};
  /** Warm Go's build cache. Default true. */
  go?: boolean;
  /** Pinned Python packages (default `<project>/requirements.txt`). */
  requirementsFile?: string;
  /** Where the venv goes (default `node_modules/.cache/benchbook/venv`, where the numba and nuitka runtimes look). */
  venvDir?: string;
  /** The notebooks whose runtimes are provided and marked in the table (default `<project>/notebooks`). */
  notebooksDir?: string;
  /** Runtimes to report at the end (default: every runtime benchbook knows). */
  runtimes?: string[];
}

/** Side effects of {@link runSetup}, passed in so that tests run it silently. */
export interface SetupEffects {
  /** One line of progress or result. */
  log(line: string): void;
}

/** What {@link runSetup} did and found. */
export interface SetupResult extends ResolvedRuntimes {
  apt?: AptOutcome;
  cpython?: CPythonOutcome[];
  venv?: VenvOutcome;
  /** The interpreter the venv is made from. */
  venvPython?: RuntimeInfo;
  go?: RunResult;
  /** The table's rows, one per runtime. */
  rows: RuntimeRow[];
  /** Steps that should have worked and did not (pip, a CPython build, Go's cache), one line each. */
  problems: string[];
  /** Whether every runtime in {@link coreRuntimes} is ready: `npm run setup` exits 1 otherwise. */
  ready: boolean;
  durationMs: number;
}

/**
 * `npm run setup`: provisions what the runtimes need and this machine lacks (system packages when root,
 * the CPython versions the notebooks use, the project venv with Numba and Nuitka on the best interpreter
 * for the lock, Go's build cache), then prints a table of every runtime: ready with its version and
 * executable, or missing with why and the command that brings it. It reports rather than gives up: a
 * failed step is a line in `problems`, and only a missing core runtime makes `ready` false.
 * Idempotent: with everything in place it installs and builds nothing and takes a few seconds.
 */
export async function runSetup(options: SetupOptions, effects: SetupEffects): Promise<SetupResult> {
  const started = performance.now();
  const {log} = effects;
  const result: SetupResult = {found: {}, missing: {}, rows: [], problems: [], ready: false, durationMs: 0};
  const aptOptions = typeof options.apt === 'object' ? options.apt : {};
  const used = await notebookRuntimes(options.notebooksDir ?? path.join(packageRoot, 'notebooks'));

  if (options.apt !== false) {
    const apt = await ensureAptPackages({...aptOptions, log});
    result.apt = apt;
    logApt(apt, log);
  }

  if (options.cpython !== false) {
    const build = typeof options.cpython === 'object' ? options.cpython.build !== false : true;
    const targets = Object.values(cpythonTargets).filter((target) => used.has(target.runtime));
    const {missing} = await resolveRuntimes(targets.map((target) => target.runtime));
    const buildable = targets.filter((target) => missing[target.runtime] !== undefined && debianCPythonSources[target.minor] !== undefined);
    // The build packages first, where a build is due: without zlib or OpenSSL headers CPython still builds, but lacks those modules.
    if (build && options.apt !== false && buildable.length > 0) {
      const apt = await ensureAptPackages({...aptOptions, packages: cpythonBuildPackages.map((name) => ({name, purpose: 'building CPython'})), log});
      if (apt.missing.length > 0) log(`apt      CPython's build packages missing: ${apt.missing.join(', ')} — ${apt.advice} (the build goes on; modules that need them are left out)`);
      else if (apt.installed.length > 0) log(`apt      installed ${apt.installed.join(', ')} for building CPython`);
    }
    const outcomes = await provideCPythons({targets, build, log});
    result.cpython = outcomes;
    for (const outcome of outcomes) {
      if (outcome.status === 'failed') result.problems.push(`${outcome.target.runtime}: ${outcome.reason}`);
    }
  }

  const requirementsFile = options.requirementsFile ?? path.join(packageRoot, 'requirements.txt');
  const venvDir = options.venvDir ?? defaultVenvDir;
  if (options.venv !== false) {
    const install = typeof options.venv === 'object' ? options.venv.install !== false : true;
    const venv = await setupVenv({requirementsFile, venvDir, install}, log);
    if (venv.python) result.venvPython = venv.python;
    if (venv.outcome) result.venv = venv.outcome;
    if (venv.problem) result.problems.push(venv.problem);
    // tslab's kernel in the venv's Jupyter, for notebooks opened in JupyterLab (docs/jupyter.md).
    if (install) log(await setupJupyter({venvDir}));
  }

  if (options.go !== false) {
    const {found} = await resolveRuntimes(['go']);
    const go = found['go'];
    if (go) {
      const warmed = await warmGoCache(go);
      result.go = warmed;
      if (warmed.status === 'ok') {
        log(`go       build cache warm (${seconds(warmed.durationMs)})`);
      } else {
        result.problems.push(`go: warming the build cache failed: ${warmed.reason ?? warmed.status}`);
        log(`go       warming the build cache failed: ${warmed.reason ?? warmed.status}`);
        if (warmed.stderr) log(warmed.stderr.trimEnd());
      }
    }
  }

  const names = options.runtimes ?? runtimeNames();
  const resolved = await resolveRuntimes(names);
  result.found = resolved.found;
  result.missing = resolved.missing;
  // Where setup tried and could not, its own reason says more than "not found".
  const reasons: Record<string, string> = {};
  for (const outcome of result.cpython ?? []) {
    if ((outcome.status === 'failed' || outcome.status === 'missing') && outcome.reason) reasons[outcome.target.runtime] = outcome.reason;
  }
  const hinted = Object.keys(resolved.missing).flatMap((name) => installHints[name]?.apt ?? []);
  result.rows = runtimeRows(names, resolved, {used, reasons, installed: await installedPackages(hinted)});
  for (const line of formatRuntimeTable(result.rows)) log(line);
  result.ready = coreRuntimes.every((name) => !names.includes(name) || resolved.found[name] !== undefined);
  result.durationMs = performance.now() - started;
  return result;
}

/** Every runtime a block of the notebooks in `dir` runs on (its `runtime=`, else its language's default). */
export async function notebookRuntimes(dir: string): Promise<Set<string>> {
  const used = new Set<string>();
  const files = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.md'));
  for (const file of files) {
    const source = await readFile(path.join(dir, file), 'utf8').catch(() => undefined);
    if (source === undefined) continue;
    for (const block of parseNotebook(source, path.join(dir, file)).notebook?.blocks ?? []) {
      if (block.runtime) used.add(block.runtime);
    }
  }
  return used;
}

/** Chooses the venv's interpreter for the lock and makes the venv; a failure is a problem line, never a throw. */
async function setupVenv(
  options: {requirementsFile: string; venvDir: string; install: boolean},
  log: (line: string) => void
): Promise<{python?: RuntimeInfo; outcome?: VenvOutcome; problem?: string}> {
  const lock = await readLockInfo(options.requirementsFile);
  if (typeof lock === 'string') {
    log(`venv     not made: ${lock}`);
    return {problem: `venv: ${lock}`};
  }
  const choice = chooseVenvPython(await venvCandidates(lock), lock);
  if (!choice.chosen) {
    log(`venv     not made: ${choice.reason}`);
    return {problem: `venv: ${choice.reason}`};
  }
  const python = choice.chosen.python;
  log(`venv     python: ${python.version} at ${python.executable} (${choice.reason}; the lock installs on ${lock.supported.join(', ')})`);
  const venv = await ensureVenv({python, venvDir: options.venvDir, requirementsFile: options.requirementsFile, install: options.install, log});
  const where = path.relative(process.cwd(), options.venvDir) || options.venvDir;
  const file = path.basename(options.requirementsFile);
  if (venv.status === 'failed') {
    log(`venv     failed: ${venv.reason}`);
    if (venv.output) log(venv.output.trimEnd());
    return {python, outcome: venv, problem: `venv: ${venv.reason}`};
  }
  if (venv.status === 'created') log(`venv     made ${where} from ${file} in ${seconds(venv.durationMs)} (${venv.reason})`);
  else if (venv.status === 'stale') log(`venv     not made (checking only): ${where} needs making (${venv.reason})`);
  else log(`venv     up to date: ${where} (${file} unchanged)`);
  return {python, outcome: venv};
}

function logApt(apt: AptOutcome, log: (line: string) => void): void {
  if (apt.installed.length > 0) log(`apt      installed ${apt.installed.join(', ')} in ${seconds(apt.durationMs)}`);
  if (apt.present.length > 0) log(`apt      present: ${apt.present.join(', ')}`);
  if (apt.missing.length > 0) log(`apt      missing: ${apt.missing.join(', ')} — ${apt.advice}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
