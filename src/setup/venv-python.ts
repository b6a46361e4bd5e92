import {readFile} from 'node:fs/promises';
import {findOnPath} from '../system/probe.js';
import {findCPython} from '../runtimes/python-discovery.js';
import {describePython, probePython} from '../runtimes/python.js';
import {resolveRuntimes} from '../runtimes/index.js';
import type {RuntimeInfo} from '../model/index.js';

/** What requirements.txt says about the interpreters it is for, in its `# lock-python:` and `# supported-python:` lines. */
export interface LockInfo {
  /** The minor version the lock was made on, e.g. `3.11`: the venv's first choice. */
  lockPython: string;
  /** Every minor version it installs on, e.g. `['3.11', '3.12', '3.13']`. */
  supported: string[];
}

/** Reads the lock's header; a lock without one is a located error (`file: missing # lock-python: line`). */
export async function readLockInfo(file: string): Promise<LockInfo | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`;
  }
  return parseLockInfo(text, file);
}

/** {@link readLockInfo} on the lock's text. */
export function parseLockInfo(text: string, file = 'requirements.txt'): LockInfo | string {
  const lockPython = /^# lock-python:\s*(\d+\.\d+)\s*$/m.exec(text)?.[1];
  const supported = /^# supported-python:\s*(.+)$/m.exec(text)?.[1]?.split(/[\s,]+/).filter((word) => word !== '');
  if (!lockPython) return `${file}: missing a "# lock-python: 3.X" line naming the version the lock was made on`;
  if (!supported || supported.some((minor) => !/^\d+\.\d+$/.test(minor))) {
    return `${file}: missing or malformed "# supported-python: 3.X 3.Y" line listing the versions it installs on`;
  }
  if (!supported.includes(lockPython)) return `${file}: lock-python ${lockPython} is not among supported-python ${supported.join(' ')}`;
  return {lockPython, supported};
}

/** An interpreter the venv could be made from. */
export interface VenvCandidate {
  python: RuntimeInfo;
  /** `3.11`. */
  minor: string;
  /** Whether it is the `python` runtime (python3 on PATH, or BENCHBOOK_PYTHON), which the report runs plain CPython blocks on. */
  isDefault: boolean;
}

/** What {@link chooseVenvPython} chose, and why; or why nothing fits. */
export interface VenvChoice {
  chosen?: VenvCandidate;
  /** One line: why this one, or why none, with what to do. */
  reason: string;
  /** Every interpreter considered, for the log. */
  considered: VenvCandidate[];
}

/**
 * Picks the interpreter for the project venv among `candidates`: a supported CPython (not free-threaded:
 * Numba has no wheels for it), preferring the lock's own minor version, then the `python` runtime (so that
 * Numba and Nuitka run on the interpreter plain Python blocks run on), then the newest. Pure.
 */
export function chooseVenvPython(candidates: VenvCandidate[], lock: LockInfo): VenvChoice {
  const fitting = candidates.filter((candidate) => lock.supported.includes(candidate.minor));
  const score = (candidate: VenvCandidate): number[] => [
    candidate.minor === lock.lockPython ? 0 : 1,
    candidate.isDefault ? 0 : 1,
    -versionKey(candidate.python.version)
  ];
  const ranked = [...fitting].sort((a, b) => compare(score(a), score(b)));
  const chosen = ranked[0];
  if (!chosen) {
    const seen = candidates.map((candidate) => `${candidate.python.version} at ${candidate.python.executable}`).join(', ') || 'no CPython at all';
    return {reason: `no CPython ${lock.supported.join(', ')} here (saw ${seen}): install one (e.g. sudo apt-get install -y python3 python3-venv, or pyenv install ${lock.lockPython})`, considered: candidates};
  }
  const why = chosen.minor === lock.lockPython ? `the lock's own version ${lock.lockPython}` : `a supported version (the lock's own ${lock.lockPython} is not here)`;
  return {chosen, reason: `${why}${chosen.isDefault ? ', and the python runtime' : ''}`, considered: candidates};
}

/**
 * Every CPython here that could make the venv: the `python` runtime, `python3.X` on PATH and pyenv's and
 * the project cache's installs of each supported minor version, each asked its real executable and version.
 */
export async function venvCandidates(lock: LockInfo): Promise<VenvCandidate[]> {
  const {found} = await resolveRuntimes(['python']);
  const commands = new Set<string>();
  for (const minor of lock.supported) {
    for (const command of await findCPython({minor, freeThreaded: false})) commands.add(command);
    const onPath = await findOnPath(`python${minor}`);
    if (onPath) commands.add(onPath);
  }
  const defaultExecutable = found['python']?.executable;
  const candidates: VenvCandidate[] = [];
  for (const command of [...(defaultExecutable ? [defaultExecutable] : []), ...commands]) {
    const facts = await probePython(command, 'skipped');
    // Numba and the lock's compiled packages have no wheels for a free-threaded build.
    if (typeof facts === 'string' || facts.freeThreaded || facts.implementation !== 'CPython') continue;
    const minor = /^(\d+\.\d+)\./.exec(facts.version)?.[1];
    if (!minor || candidates.some((candidate) => candidate.python.executable === facts.executable)) continue;
    candidates.push({python: {name: 'python', executable: facts.executable, version: describePython(facts)}, minor, isDefault: facts.executable === defaultExecutable});
  }
  return candidates;
}

/** `CPython 3.11.7` -> 3011007, for ordering. */
function versionKey(version: string): number {
  const [major = 0, minor = 0, micro = 0] = (/(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return major * 1_000_000 + minor * 1000 + micro;
}

function compare(a: number[], b: number[]): number {
  for (let index = 0; index < a.length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}
