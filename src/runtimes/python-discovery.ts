import {existsSync} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import path from 'node:path';
import {defaultCacheDir} from '../paths.js';
import {findOnPath, isExecutable} from '../system/probe.js';

/** Packages CPython's `./configure && make` needs for the modules the harness and the notebooks use (ssl, zlib, ctypes...). */
export const cpythonBuildPackages = [
  'build-essential',
  'pkg-config',
  'libssl-dev',
  'zlib1g-dev',
  'libffi-dev',
  'libbz2-dev',
  'liblzma-dev',
  'libsqlite3-dev',
  'libreadline-dev',
  'libncurses-dev',
  'uuid-dev'
];

/** Where `npm run setup` installs the CPython builds it makes without pyenv: `<cache>/cpython/<name>`. */
export const projectBuildsDir = path.join(defaultCacheDir, 'cpython');

/** The file a finished project build holds, written last: a folder without it is an unfinished build. */
export const buildStampName = '.benchbook-build.json';

/** A CPython installed on this machine, found by its folder rather than by running it. */
export interface CPythonInstall {
  /** The install's name as its folder says: `3.13.5`, `3.13.5t`. */
  name: string;
  /** `3.13`. */
  minor: string;
  /** The micro version, `5` in `3.13.5`, for picking the newest. */
  micro: number;
  /** Built with `--disable-gil` (pyenv's and our `*t` names). */
  freeThreaded: boolean;
  /** The interpreter: `<prefix>/bin/python3.13` or `<prefix>/bin/python3.13t`. */
  executable: string;
  /** Who installed it. */
  source: 'pyenv' | 'project';
}

/** What to look for: a CPython minor version (`3.13`), free-threaded or with the GIL. */
export interface CPythonWanted {
  minor: string;
  freeThreaded: boolean;
}

/** Where to look (defaults: pyenv's root as {@link pyenvRoot} finds it, {@link projectBuildsDir}, PATH). */
export interface DiscoveryOptions {
  pyenvRoot?: string | undefined;
  projectDir?: string;
  /** Also look on PATH for `python3.13` / `python3.13t` (default true). */
  path?: boolean;
}

/**
 * pyenv's root: `PYENV_ROOT`, else `~/.pyenv` when it has versions (what `pyenv root` says too,
 * without starting a process: a report that runs nothing resolves runtimes on every build).
 */
export function pyenvRoot(): string | undefined {
  const fromEnv = process.env['PYENV_ROOT'];
  if (fromEnv) return fromEnv;
  const fallback = path.join(homedir(), '.pyenv');
  return existsSync(path.join(fallback, 'versions')) ? fallback : undefined;
}

/**
 * Parses an install's folder name: `3.13.5` and `3.13.5t` are final releases (GIL and free-threaded);
 * `3.13-dev`, `3.13.0rc1` and anything else are not, and give `undefined`.
 */
export function parseInstallName(name: string): {minor: string; micro: number; freeThreaded: boolean} | undefined {
  const match = /^(\d+\.\d+)\.(\d+)(t?)$/.exec(name);
  if (!match) return undefined;
  return {minor: match[1]!, micro: Number(match[2]), freeThreaded: match[3] === 't'};
}

/** The interpreter's file name in an install's `bin/`: `python3.13`, or `python3.13t` for a free-threaded one. */
export function interpreterName(wanted: CPythonWanted): string {
  return `python${wanted.minor}${wanted.freeThreaded ? 't' : ''}`;
}

/** The final-release CPythons under `<root>/versions` whose interpreter is executable. */
export async function pyenvInstalls(root: string): Promise<CPythonInstall[]> {
  return installsIn(path.join(root, 'versions'), 'pyenv', async () => true);
}

/** The finished builds of `npm run setup` under `dir` (each with its {@link buildStampName}). */
export async function projectBuilds(dir: string = projectBuildsDir): Promise<CPythonInstall[]> {
  return installsIn(dir, 'project', async (prefix) => (await readFile(path.join(prefix, buildStampName), 'utf8').catch(() => undefined)) !== undefined);
}

/** The newest install of `wanted` among `installs`, or `undefined`. */
export function newestInstall(installs: CPythonInstall[], wanted: CPythonWanted): CPythonInstall | undefined {
  let best: CPythonInstall | undefined;
  for (const install of installs) {
    if (install.minor !== wanted.minor || install.freeThreaded !== wanted.freeThreaded) continue;
    if (!best || install.micro > best.micro) best = install;
  }
  return best;
}

/**
 * Where a CPython `wanted` is, in order of preference: pyenv's newest matching install, the newest
 * build `npm run setup` made in the project cache, then `python3.13` (`python3.13t`) on PATH.
 * pyenv's own `python3.13` shim fails unless that version is active, so its installs are read directly.
 * Returns the candidates found (the first is the one to use), each checked only to be executable.
 */
export async function findCPython(wanted: CPythonWanted, options: DiscoveryOptions = {}): Promise<string[]> {
  const root = 'pyenvRoot' in options ? options.pyenvRoot : pyenvRoot();
  const candidates: string[] = [];
  const pyenv = root ? newestInstall(await pyenvInstalls(root), wanted) : undefined;
  if (pyenv) candidates.push(pyenv.executable);
  const project = newestInstall(await projectBuilds(options.projectDir ?? projectBuildsDir), wanted);
  if (project) candidates.push(project.executable);
  if (options.path !== false) {
    const onPath = await findOnPath(interpreterName(wanted));
    if (onPath && !candidates.includes(onPath)) candidates.push(onPath);
  }
  return candidates;
}

/** Why `npm run setup` could not provide a CPython runtime, as it recorded it beside its builds. */
export interface BuildFailure {
  /** The build it tried, `3.13.5t`, when it got that far. */
  name?: string;
  /** One line: what failed and what to do. */
  reason: string;
}

/** The file where `npm run setup` records why it could not provide `runtime` (removed once it can). */
export function buildFailureFile(runtime: string, dir: string = projectBuildsDir): string {
  return path.join(dir, `${runtime}.failed.json`);
}

/** What `npm run setup` recorded about its failure to provide `runtime` under `dir`, or `undefined`. */
export async function readBuildFailure(runtime: string, dir: string = projectBuildsDir): Promise<BuildFailure | undefined> {
  try {
    const {name, reason} = JSON.parse(await readFile(buildFailureFile(runtime, dir), 'utf8')) as {name?: unknown; reason?: unknown};
    if (typeof reason === 'string') return {...(typeof name === 'string' ? {name} : {}), reason};
  } catch {
    // None recorded, or unreadable: as if none were.
  }
  return undefined;
}

async function installsIn(dir: string, source: CPythonInstall['source'], accept: (prefix: string) => Promise<boolean>): Promise<CPythonInstall[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const installs: CPythonInstall[] = [];
  for (const name of names.sort()) {
    const parsed = parseInstallName(name);
    if (!parsed) continue;
    const prefix = path.join(dir, name);
    const executable = path.join(prefix, 'bin', interpreterName(parsed));
    if ((await isExecutable(executable)) && (await accept(prefix))) installs.push({name, ...parsed, executable, source});
  }
  return installs;
}
