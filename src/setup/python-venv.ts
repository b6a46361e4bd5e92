import {createHash} from 'node:crypto';
import {mkdir, readdir, readFile, realpath, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {isExecutable} from '../system/probe.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';
import {venvPython} from '../runtimes/python.js';
import type {RuntimeInfo} from '../model/index.js';

/** Options of {@link ensureVenv}. */
export interface VenvOptions {
  /** The CPython the venv is made from (the `python` runtime). */
  python: RuntimeInfo;
  /** Where the venv lives (default for benchbook: `node_modules/.cache/benchbook/venv`). */
  venvDir: string;
  /** The pinned requirements installed into it. */
  requirementsFile: string;
  /** Limit for creating the venv and for pip, each (default 15 minutes: Nuitka builds from source). */
  timeoutMs?: number;
  /** Told what is being done, one line at a time. */
  log?: (line: string) => void;
  /** When false, only checks: a venv that needs making is reported `stale` and left alone. Default true. */
  install?: boolean;
}

/** What {@link ensureVenv} did. */
export interface VenvOutcome {
  /** `up-to-date`: nothing to do; `created`: made anew and installed; `stale`: needs making (`install: false`); `failed`: see `reason`. */
  status: 'up-to-date' | 'created' | 'stale' | 'failed';
  /** Why it was (re)made, or why it failed, in one line. */
  reason?: string;
  /** The output of the step that failed. */
  output?: string;
  durationMs: number;
}

/** What the venv was made from; when any of it changes, the venv is made anew. */
export interface VenvStamp {
  /** sha256 of requirements.txt. */
  requirements: string;
  /** The base interpreter and its version. */
  python: string;
  version: string;
}

/** The stamp file, written last: a venv without it is unfinished and is made anew. */
export function stampFile(venvDir: string): string {
  return path.join(venvDir, '.benchbook-stamp.json');
}

/**
 * Makes `venvDir` a venv of `python` with `requirementsFile` installed, unless its stamp says it
 * already is one (same requirements hash, same interpreter): then it does nothing, in milliseconds.
 * Any change makes the venv anew rather than patching it, so it holds exactly what the file pins.
 * Never throws for a failed step: the outcome says what failed.
 */
export async function ensureVenv(options: VenvOptions): Promise<VenvOutcome> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const done = (outcome: Omit<VenvOutcome, 'durationMs'>): VenvOutcome => ({...outcome, durationMs: performance.now() - started});
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;

  let requirements: string;
  try {
    requirements = await readFile(options.requirementsFile, 'utf8');
  } catch (error) {
    return done({status: 'failed', reason: `cannot read ${options.requirementsFile} (${(error as NodeJS.ErrnoException).code ?? error})`});
  }
  const wanted: VenvStamp = {
    requirements: createHash('sha256').update(requirements).digest('hex'),
    python: options.python.executable,
    version: options.python.version
  };
  const python = venvPython(options.venvDir);
  const current = await readStamp(options.venvDir);
  const reason = !current
    ? 'no finished venv'
    : current.requirements !== wanted.requirements
      ? `${path.basename(options.requirementsFile)} changed`
      : !(await sameFile(current.python, wanted.python)) || current.version !== wanted.version
        ? `the interpreter changed (${current.version} at ${current.python})`
        : !(await isExecutable(python))
          ? `${python} is missing`
          : undefined;
  if (!reason) return done({status: 'up-to-date'});
  if (options.install === false) return done({status: 'stale', reason});

  // Never delete a folder that is not a venv: a mistaken path must not cost anyone their files.
  const entries = await readdir(options.venvDir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes('pyvenv.cfg')) {
    return done({status: 'failed', reason: `${options.venvDir} exists and is not a venv (no pyvenv.cfg): move it away or choose another folder`});
  }
  log(`venv     making ${options.venvDir} (${reason}) with ${options.python.version}`);
  await rm(options.venvDir, {recursive: true, force: true});
  await mkdir(path.dirname(options.venvDir), {recursive: true});
  const created = await runProcess(options.python.executable, ['-m', 'venv', options.venvDir], {timeoutMs});
  if (created.exitCode !== 0) return done(failure(`${options.python.executable} -m venv`, created));

  log(`venv     pip install -r ${options.requirementsFile}`);
  const installed = await runProcess(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', path.resolve(options.requirementsFile)],
    {timeoutMs, env: {PIP_NO_INPUT: '1'}}
  );
  if (installed.exitCode !== 0) return done(failure('pip install', installed));

  const file = stampFile(options.venvDir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(wanted, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return done({status: 'created', reason});
}

/** The venv's stamp, or `undefined` when there is none or it is unreadable. */
export async function readStamp(venvDir: string): Promise<VenvStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(stampFile(venvDir), 'utf8')) as Partial<VenvStamp>;
    if (typeof stamp.requirements === 'string' && typeof stamp.python === 'string' && typeof stamp.version === 'string') {
      return stamp as VenvStamp;
    }
  } catch {
    // No stamp: the venv is made anew.
  }
  return undefined;
}

/** Whether two paths name the same file (`bin/python3` and `bin/python3.11` often do). */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [realA, realB] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return realA === realB;
}

function failure(step: string, result: ProcessResult): Omit<VenvOutcome, 'durationMs'> {
  const output = [result.stderr, result.stdout].filter((text) => text.trim() !== '').join('\n');
  const lastLine = output.trim().split('\n').at(-1)?.trim() ?? '';
  const how = result.timedOut
    ? 'timed out'
    : result.spawnError
      ? `could not start (${result.spawnError})`
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
  return {status: 'failed', reason: `${step} ${how}${lastLine ? `: ${lastLine}` : ''}`, output};
}
