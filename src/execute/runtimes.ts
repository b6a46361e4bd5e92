import {access, constants, readFile, stat} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {RuntimeInfo} from './types.js';
import {runProcess, type ProcessResult} from './process.js';

/** Runtimes found on this machine, and why the others are missing. */
export interface ResolvedRuntimes {
  found: Record<string, RuntimeInfo>;
  /** One line per missing runtime, ending in what to do about it. */
  missing: Record<string, string>;
}

/** Compiler flags for C blocks, shown in reports and part of the build hash. */
export const cFlags = ['-O2', '-std=gnu11'];

// A probe that hangs (a broken shim, a network filesystem) must not hang the whole report.
const probeTimeoutMs = 10_000;

type Resolver = () => Promise<RuntimeInfo | string>;

const resolvers: Record<string, Resolver> = {
  python: resolvePython,
  go: resolveGo,
  c: resolveC,
  js: async () => ({name: 'js', executable: process.execPath, version: `node ${process.version}`}),
  ts: resolveTypeScript
};

/**
 * Finds the runtimes named in `names` (`python`, `go`, `c`, `js`, `ts`) in parallel: the real
 * executable of each (pyenv shims resolved) and its version. Never throws; a runtime that is absent
 * or broken goes to `missing` with a one-line reason.
 */
export async function resolveRuntimes(names: string[]): Promise<ResolvedRuntimes> {
  const unique = [...new Set(names)];
  const outcomes = await Promise.all(
    unique.map(async (name): Promise<RuntimeInfo | string> => {
      const resolver = Object.hasOwn(resolvers, name) ? resolvers[name] : undefined;
      if (!resolver) return 'unknown runtime';
      try {
        return await resolver();
      } catch (error) {
        return `${name} could not be resolved: ${firstLine(error instanceof Error ? error.message : String(error))}`;
      }
    })
  );
  const found: Record<string, RuntimeInfo> = {};
  const missing: Record<string, string> = {};
  unique.forEach((name, index) => {
    const outcome = outcomes[index]!;
    if (typeof outcome === 'string') missing[name] = outcome;
    else found[name] = outcome;
  });
  return {found, missing};
}

/** Python through whatever `python3` (or `BENCHBOOK_PYTHON`) is, recording the interpreter behind it. */
async function resolvePython(): Promise<RuntimeInfo | string> {
  const command = process.env['BENCHBOOK_PYTHON'] || 'python3';
  const fix = process.env['BENCHBOOK_PYTHON']
    ? 'fix BENCHBOOK_PYTHON or unset it'
    : 'install Python 3, set BENCHBOOK_PYTHON, or run npm run setup';
  // Ask the interpreter for sys.executable: python3 may be a pyenv shim (a bash script that doubles
  // start-up time), and timings must come from the interpreter itself.
  const result = await probe(command, ['-c', 'import sys,platform;print(sys.executable);print(platform.python_version())']);
  const failure = probeFailure(command, result, fix);
  if (failure) return failure;
  const [executable, version] = lines(result.stdout);
  if (!executable || !path.isAbsolute(executable) || !version) {
    return `${command} did not report its executable (saw ${JSON.stringify(firstLine(result.stdout))}) — ${fix}`;
  }
  return {name: 'python', executable, version};
}

/** Go as `<GOROOT>/bin/go`, so builds do not depend on PATH wrappers. */
async function resolveGo(): Promise<RuntimeInfo | string> {
  const fix = 'install Go or run npm run setup';
  const result = await probe('go', ['env', 'GOROOT', 'GOVERSION']);
  const failure = probeFailure('go', result, fix);
  if (failure) return failure;
  const [goroot, version] = lines(result.stdout);
  if (!goroot || !version) return `go env did not report GOROOT and GOVERSION — ${fix}`;
  const executable = path.join(goroot, 'bin', 'go');
  if (!(await isExecutable(executable))) return `${executable} is not executable — ${fix}`;
  return {name: 'go', executable, version};
}

/** gcc by absolute path, with the flags every C block is compiled with. */
async function resolveC(): Promise<RuntimeInfo | string> {
  const fix = 'install gcc (e.g. apt-get install gcc) or run npm run setup';
  const executable = await findOnPath('gcc');
  if (!executable) return `gcc not found on PATH — ${fix}`;
  const result = await probe(executable, ['-dumpfullversion']);
  const failure = probeFailure('gcc', result, fix);
  if (failure) return failure;
  const [version] = lines(result.stdout);
  if (!version) return `gcc -dumpfullversion printed nothing — ${fix}`;
  return {name: 'c', executable, version: `gcc ${version}`, flags: [...cFlags]};
}

/** TypeScript runs on this Node with the typescript package installed next to benchbook. */
async function resolveTypeScript(): Promise<RuntimeInfo | string> {
  const require = createRequire(import.meta.url);
  let version: unknown;
  try {
    // Read the version without loading the compiler: importing typescript costs ~100 ms.
    const manifest = require.resolve('typescript/package.json');
    version = (JSON.parse(await readFile(manifest, 'utf8')) as {version?: unknown}).version;
  } catch {
    return 'typescript not installed — run npm install';
  }
  if (typeof version !== 'string') return 'typescript/package.json has no version — run npm install';
  return {name: 'ts', executable: process.execPath, version: `node ${process.version} + typescript ${version}`};
}

async function probe(file: string, args: string[]): Promise<ProcessResult> {
  return runProcess(file, args, {timeoutMs: probeTimeoutMs, maxOutputBytes: 64 * 1024});
}

/** Why a probe failed, as a one-line reason ending in `fix`, or `undefined` when it worked. */
function probeFailure(command: string, result: ProcessResult, fix: string): string | undefined {
  if (result.spawnErrorCode === 'ENOENT') {
    return `${command} not found${command.includes(path.sep) ? '' : ' on PATH'} — ${fix}`;
  }
  if (result.spawnError !== undefined) return `${command} could not be started (${firstLine(result.spawnError)}) — ${fix}`;
  if (result.timedOut) return `${command} did not answer within ${probeTimeoutMs / 1000} s — ${fix}`;
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    const said = firstLine(result.stderr);
    return `${command} ${how}${said ? ` (${said})` : ''} — ${fix}`;
  }
  return undefined;
}

/** The absolute path of `command` on PATH, like `command -v`, without starting a shell. */
async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function firstLine(text: string): string {
  return lines(text)[0] ?? '';
}
