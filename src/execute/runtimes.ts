import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {RuntimeInfo} from './types.js';
import {findOnPath, firstLine, isExecutable, lines, probe, probeFailure} from './probe.js';
import {pythonResolvers} from './python-runtimes.js';

/** Runtimes found on this machine, and why the others are missing. */
export interface ResolvedRuntimes {
  found: Record<string, RuntimeInfo>;
  /** One line per missing runtime, ending in what to do about it. */
  missing: Record<string, string>;
}

/** Compiler flags for C blocks, shown in reports and part of the build hash. */
export const cFlags = ['-O2', '-std=gnu11'];

type Resolver = () => Promise<RuntimeInfo | string>;

const resolvers: Record<string, Resolver> = {
  // python, python3.12, python3.13, pypy, numba, nuitka, python-ft
  ...pythonResolvers,
  go: resolveGo,
  c: resolveC,
  js: async () => ({name: 'js', executable: process.execPath, version: `node ${process.version}`}),
  ts: resolveTypeScript,
  rust: resolveRust
};

/**
 * Finds the runtimes named in `names` (`python`, `pypy`, `go`, ...: see `runtimeNames()`) in parallel: the real
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

/**
 * Rust as the toolchain's own cargo (`<sysroot>/bin/cargo`, not the rustup proxy), so builds do not
 * depend on PATH or a rust-toolchain file; the version names both rustc and cargo.
 */
async function resolveRust(): Promise<RuntimeInfo | string> {
  const fix = 'install Rust with rustup (cargo and rustc) or run npm run setup';
  const sysroot = await probe('rustc', ['--print', 'sysroot']);
  const failure = probeFailure('rustc', sysroot, fix);
  if (failure) return failure;
  const [root] = lines(sysroot.stdout);
  if (!root || !path.isAbsolute(root)) return `rustc --print sysroot did not print a directory — ${fix}`;
  const rustc = path.join(root, 'bin', 'rustc');
  const executable = path.join(root, 'bin', 'cargo');
  if (!(await isExecutable(executable))) return `${executable} is not executable (is cargo installed with this toolchain?) — ${fix}`;
  const [rustcVersion, cargoVersion] = await Promise.all([probe(rustc, ['--version']), probe(executable, ['--version'])]);
  const broken = probeFailure(rustc, rustcVersion, fix) ?? probeFailure(executable, cargoVersion, fix);
  if (broken) return broken;
  const [rustcLine] = lines(rustcVersion.stdout);
  const [cargoLine] = lines(cargoVersion.stdout);
  if (!rustcLine || !cargoLine) return `rustc or cargo printed no version — ${fix}`;
  return {name: 'rust', executable, version: `${rustcLine} + ${cargoLine}`, flags: ['--release']};
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
