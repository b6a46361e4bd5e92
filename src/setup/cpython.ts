import {constants, existsSync} from 'node:fs';
import {access, copyFile, mkdir, open, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {availableParallelism} from 'node:os';
import path from 'node:path';
import {findOnPath} from '../system/probe.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';
import {buildFailureFile, buildStampName, interpreterName, pyenvRoot, type CPythonWanted} from '../runtimes/python-discovery.js';
import {resolveRuntimes} from '../runtimes/index.js';
import {defaultCacheDir} from '../paths.js';
import {fetchDebianSource, sha256File, type DebianSource} from './debian-source.js';

/** A CPython runtime of the notebooks that setup provides when it is missing. */
export interface CPythonTarget extends CPythonWanted {
  /** The runtime it is: `python3.12`, `python3.13`, `python-ft`. */
  runtime: string;
}

/** The CPython runtimes setup can provide, by runtime name. */
export const cpythonTargets: Record<string, CPythonTarget> = {
  'python3.12': {runtime: 'python3.12', minor: '3.12', freeThreaded: false},
  'python3.13': {runtime: 'python3.13', minor: '3.13', freeThreaded: false},
  'python-ft': {runtime: 'python-ft', minor: '3.13', freeThreaded: true}
};

/**
 * Where Debian keeps the source of each CPython minor version. Its `.orig.tar.xz` is the python.org
 * release byte for byte (the same sha256 as pyenv's definition). No suite carries 3.12: bookworm has
 * 3.11, trixie 3.13, forky and sid 3.14 and later.
 */
export const debianCPythonSources: Record<string, {suite: string; package: string}> = {
  '3.13': {suite: 'trixie', package: 'python3.13'}
};

/** Options of {@link provideCPythons}. */
export interface CPythonOptions {
  /** The runtimes to provide (see {@link cpythonTargets}); those already present are left alone. */
  targets: CPythonTarget[];
  /** Build what is missing (default true); false only says what is missing and what setup would do. */
  build?: boolean;
  /** The project cache: apt's state and the sources go to `<cacheDir>/apt`, builds to `<cacheDir>/cpython` (default the project's). */
  cacheDir?: string;
  /** pyenv's root, used when it is writable (default: as `pyenvRoot()` finds it; `null`: never use pyenv). */
  pyenvRoot?: string | null;
  /** `make -j` jobs (default: the processors available). */
  jobs?: number;
  /** Limit of one build (default 45 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What {@link provideCPythons} found or did for one target. */
export interface CPythonOutcome {
  target: CPythonTarget;
  /** `present`: found already; `built`: built now; `missing`: not to be had here (see `reason`); `failed`: the build failed (see `reason`). */
  status: 'present' | 'built' | 'missing' | 'failed';
  /** The interpreter, when present or built. */
  executable?: string;
  /** How it was built: `pyenv install 3.13.5t`, `./configure --disable-gil --prefix=...`. */
  how?: string;
  /** Why it is missing or failed, in one line, with what to do. */
  reason?: string;
  /** The build log, kept when a build failed. */
  log?: string;
  durationMs: number;
}

/**
 * Provides the CPython versions the notebooks pin that this machine lacks, without root: from Debian's
 * source package (downloaded as any user, see `fetchDebianSource`), handed to pyenv as its
 * `Python-X.Y.Z.tar.xz` (checked against the sha256 of pyenv's definition) when pyenv's root is
 * writable, otherwise built with `./configure --prefix=<cacheDir>/cpython/<version>` (`--disable-gil`
 * for the free-threaded one). Builds are kept: a second run finds them and builds nothing. A failed
 * build is recorded beside the builds, so that the runtime's blocks are skipped with its reason.
 * Never throws.
 */
export async function provideCPythons(options: CPythonOptions): Promise<CPythonOutcome[]> {
  const log = options.log ?? (() => {});
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  const buildsDir = path.join(cacheDir, 'cpython');
  const sources = new Map<string, Promise<DebianSource | string>>();
  const outcomes: CPythonOutcome[] = [];
  for (const target of options.targets) {
    const started = performance.now();
    const done = (outcome: Omit<CPythonOutcome, 'target' | 'durationMs'>): CPythonOutcome => {
      const finished: CPythonOutcome = {target, ...outcome, durationMs: performance.now() - started};
      log(outcomeLine(finished));
      return finished;
    };
    const {found, missing} = await resolveRuntimes([target.runtime]);
    const present = found[target.runtime];
    if (present) {
      await rm(buildFailureFile(target.runtime, buildsDir), {force: true});
      outcomes.push(done({status: 'present', executable: present.executable}));
      continue;
    }
    const debian = debianCPythonSources[target.minor];
    if (!debian) {
      outcomes.push(done({status: 'missing', reason: `${withoutAdvice(missing[target.runtime])}; no Debian suite carries a python${target.minor} source for setup to build it from`}));
      continue;
    }
    if (options.build === false) {
      outcomes.push(done({status: 'missing', reason: `${withoutAdvice(missing[target.runtime])}; not built (checking only): npm run setup builds it from Debian ${debian.suite}'s ${debian.package} source`}));
      continue;
    }

    // One download for the builds of a minor version (3.13 and 3.13t build from the same tarball).
    let fetching = sources.get(target.minor);
    if (!fetching) {
      fetching = fetchDebianSource({package: debian.package, suite: debian.suite, dir: path.join(cacheDir, 'apt'), log});
      sources.set(target.minor, fetching);
      const fetched = await fetching;
      if (typeof fetched !== 'string' && fetched.downloaded) log(`source   ${path.basename(fetched.orig)} (Debian ${fetched.version}) sha256 ${fetched.sha256}`);
    }
    const source = await fetching;
    if (typeof source === 'string') {
      outcomes.push(await recordFailure(done({status: 'failed', reason: source}), buildsDir));
      continue;
    }

    const name = `${source.upstreamVersion}${target.freeThreaded ? 't' : ''}`;
    const root = options.pyenvRoot === null ? undefined : (options.pyenvRoot ?? (await pyenvRoot()));
    const pyenv = root ? await usablePyenv(root, name) : undefined;
    const built = pyenv
      ? await buildWithPyenv({...pyenv, name, source, cacheDir, timeoutMs: options.timeoutMs, log})
      : await buildFromSource({name, source, target, buildsDir, jobs: options.jobs, timeoutMs: options.timeoutMs, log});
    if (built.status === 'failed') {
      outcomes.push(await recordFailure(done(built), buildsDir, name));
      continue;
    }
    // Found the way the report will find it, and checked the same way (a free-threaded one runs without the GIL).
    const after = await resolveRuntimes([target.runtime]);
    const info = after.found[target.runtime];
    if (!info) {
      outcomes.push(await recordFailure(done({...built, status: 'failed', reason: `built ${name}, but ${after.missing[target.runtime]}`}), buildsDir, name));
      continue;
    }
    await rm(buildFailureFile(target.runtime, buildsDir), {force: true});
    outcomes.push(done({...built, status: 'built', executable: info.executable}));
  }
  return outcomes;
}

/** The line setup prints about an outcome. */
export function outcomeLine(outcome: CPythonOutcome): string {
  const name = outcome.target.runtime;
  switch (outcome.status) {
    case 'present':
      return `cpython  ${name} present: ${outcome.executable}`;
    case 'built':
      return `cpython  ${name} built in ${(outcome.durationMs / 1000).toFixed(2)} s (${outcome.how}): ${outcome.executable}`;
    case 'missing':
      return `cpython  ${name} missing: ${outcome.reason}`;
    default:
      return `cpython  ${name} not built: ${outcome.reason}`;
  }
}

/** The sha256 of `Python-<version>.tar.xz` in pyenv's definition of `version` (`3.13.5t` reads `3.13.5`'s), or `undefined`. */
export async function pyenvDefinitionSha256(root: string, version: string): Promise<string | undefined> {
  const upstream = version.replace(/t$/, '');
  const text = await readFile(path.join(definitionsDir(root), upstream), 'utf8').catch(() => '');
  const escaped = upstream.replace(/\./g, '\\.');
  return new RegExp(`Python-${escaped}\\.tar\\.xz#([0-9a-f]{64})`).exec(text)?.[1];
}

/** pyenv's `bin/pyenv` and its root, when the root is writable and pyenv knows how to build `name`. */
async function usablePyenv(root: string, name: string): Promise<{pyenv: string; root: string} | undefined> {
  const pyenv = existsSync(path.join(root, 'bin', 'pyenv')) ? path.join(root, 'bin', 'pyenv') : await findOnPath('pyenv');
  if (!pyenv || !existsSync(path.join(definitionsDir(root), name))) return undefined;
  try {
    await access(path.join(root, 'versions'), constants.W_OK);
  } catch {
    return undefined;
  }
  return {pyenv, root};
}

function definitionsDir(root: string): string {
  return path.join(root, 'plugins', 'python-build', 'share', 'python-build');
}

/**
 * `pyenv install <name>` with Debian's tarball in `PYTHON_BUILD_CACHE_PATH` as `Python-X.Y.Z.tar.xz`, so
 * that nothing is downloaded; pyenv checks it against its definition's sha256, and so do we first, to
 * say which file differs.
 */
async function buildWithPyenv(options: {pyenv: string; root: string; name: string; source: DebianSource; cacheDir: string; timeoutMs?: number | undefined; log: (line: string) => void}): Promise<BuildOutcome> {
  const {name, source, log} = options;
  const how = `pyenv install ${name}`;
  const expected = await pyenvDefinitionSha256(options.root, name);
  if (!expected) return {status: 'failed', how, reason: `pyenv's definition of ${name} names no Python-${source.upstreamVersion}.tar.xz sha256`};
  if (expected !== source.sha256) {
    return {status: 'failed', how, reason: `${path.basename(source.orig)} (sha256 ${source.sha256}) is not the python.org release pyenv expects (sha256 ${expected})`};
  }
  const cache = path.join(options.cacheDir, 'pyenv-cache');
  await mkdir(cache, {recursive: true});
  const tarball = path.join(cache, `Python-${source.upstreamVersion}.tar.xz`);
  if (!existsSync(tarball) || (await sha256File(tarball)) !== expected) await copyFile(source.orig, tarball);
  log(`cpython  ${how} (from ${path.basename(source.orig)}, sha256 as pyenv's definition; a few minutes)`);
  const result = await runProcess(options.pyenv, ['install', '--skip-existing', name], {
    env: {PYENV_ROOT: options.root, PYTHON_BUILD_CACHE_PATH: cache},
    timeoutMs: options.timeoutMs ?? 45 * 60_000,
    maxOutputBytes: 4 * 1024 * 1024
  });
  if (result.exitCode !== 0) return {status: 'failed', how, reason: `${how} ${failureOf(result)}`};
  return {status: 'built', how};
}

/** Options of {@link buildFromSource}. */
export interface BuildFromSourceOptions {
  /** The install's name: `3.13.5`, or `3.13.5t` for a free-threaded one. */
  name: string;
  /** The downloaded source (its `orig` tarball is built). */
  source: Pick<DebianSource, 'orig' | 'version' | 'sha256'>;
  target: CPythonWanted;
  /** Where installs go: `<buildsDir>/<name>`, its log `<buildsDir>/<name>.log`. */
  buildsDir: string;
  /** `make -j` jobs (default: the processors available). */
  jobs?: number | undefined;
  /** Limit of the whole build (default 45 minutes). */
  timeoutMs?: number | undefined;
  log: (line: string) => void;
}

/** What {@link buildFromSource} did: `built`, or `failed` with the step, the line that says why and the log. */
export type BuildOutcome = Omit<CPythonOutcome, 'target' | 'durationMs' | 'status'> & {status: 'built' | 'failed'};

/**
 * `./configure --prefix=<buildsDir>/<name> [--disable-gil] --without-ensurepip --disable-test-modules &&
 * make && make install` from the tarball, in a scratch folder removed afterwards. The install is stamped
 * last ({@link buildStampName}); a half-made one is removed. Never throws.
 */
export async function buildFromSource(options: BuildFromSourceOptions): Promise<BuildOutcome> {
  const {name, source, target, buildsDir, log} = options;
  const prefix = path.join(buildsDir, name);
  const scratch = path.join(buildsDir, '.build', name);
  const logFile = path.join(buildsDir, `${name}.log`);
  const configure = ['--prefix=' + prefix, ...(target.freeThreaded ? ['--disable-gil'] : []), '--without-ensurepip', '--disable-test-modules'];
  const how = `./configure ${configure.join(' ')} && make && make install`;
  const jobs = options.jobs ?? availableParallelism();
  const deadline = Date.now() + (options.timeoutMs ?? 45 * 60_000);
  await rm(prefix, {recursive: true, force: true});
  await rm(scratch, {recursive: true, force: true});
  await mkdir(scratch, {recursive: true});
  const logHandle = await open(logFile, 'w');
  log(`cpython  building ${name} from ${path.basename(source.orig)} into ${path.relative(process.cwd(), prefix) || prefix} (a few minutes; log: ${path.relative(process.cwd(), logFile) || logFile})`);
  try {
    const steps: [string, string, string[], string][] = [
      ['tar', 'tar', ['-xf', source.orig, '-C', scratch, '--strip-components=1'], scratch],
      ['configure', './configure', configure, scratch],
      ['make', 'make', [`-j${jobs}`], scratch],
      ['make install', 'make', ['install'], scratch]
    ];
    for (const [step, file, args, cwd] of steps) {
      const result = await runProcess(file, args, {cwd, timeoutMs: deadline - Date.now(), maxOutputBytes: 8 * 1024 * 1024});
      await logHandle.write(`$ ${file} ${args.join(' ')}\n${result.stdout}${result.stderr}\n`);
      if (result.exitCode !== 0) {
        await rm(prefix, {recursive: true, force: true});
        return {status: 'failed', how, log: logFile, reason: `${step} ${failureOf(result)} (log: ${logFile})`};
      }
    }
    const executable = path.join(prefix, 'bin', interpreterName(target));
    const stamp = {name, source: path.basename(source.orig), debianVersion: source.version, sha256: source.sha256, configure, builtAt: new Date().toISOString()};
    await writeFile(path.join(prefix, `${buildStampName}.tmp`), `${JSON.stringify(stamp, null, 2)}\n`);
    await rename(path.join(prefix, `${buildStampName}.tmp`), path.join(prefix, buildStampName));
    return {status: 'built', how, executable};
  } finally {
    await logHandle.close();
    await rm(scratch, {recursive: true, force: true});
  }
}

/** Writes the failure where the runtime's resolver reads it (see `buildFailures`), and returns the outcome. */
async function recordFailure(outcome: CPythonOutcome, buildsDir: string, name?: string): Promise<CPythonOutcome> {
  await mkdir(buildsDir, {recursive: true});
  const record = {...(name ? {name} : {}), reason: outcome.reason, how: outcome.how, log: outcome.log};
  await writeFile(buildFailureFile(outcome.target.runtime, buildsDir), `${JSON.stringify(record, null, 2)}\n`);
  return outcome;
}

/** A resolver's reason without the advice after its " — ". */
function withoutAdvice(reason: string | undefined): string {
  return (reason ?? 'not found').split(' — ')[0]!;
}

/** How a build step failed, with the last line that says why. */
function failureOf(result: ProcessResult): string {
  if (result.timedOut) return 'timed out';
  if (result.spawnError) return `could not start (${result.spawnError})`;
  const said = `${result.stdout}\n${result.stderr}`.trim().split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const why = said.findLast((line) => /error|not found|cannot|missing/i.test(line)) ?? said.at(-1);
  return `${result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`}${why ? `: ${why}` : ''}`;
}
