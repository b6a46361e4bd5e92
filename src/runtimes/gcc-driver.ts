import type {RuntimeInfo} from '../model/index.js';
import {fileFacts, findOnPath, lines, probe, probeFailure} from '../system/probe.js';
import {buildCachedLibrary} from './library-build.js';
import type {LibraryBuild, LibraryBuildOptions, LibrarySource} from './types.js';

/** A compiler driver of the GCC family (`gcc`, `g++`) and the flags every block is built with. */
export interface GccDriver {
  /** The runtime's name (`c`, `cpp`). */
  runtime: string;
  /** The driver on PATH (`gcc`, `g++`). */
  command: string;
  flags: string[];
  /** Debian's package for it. */
  apt: string;
  /** Link flags after the source (`-lm`). */
  libs: string[];
  /** The source file's name (`block.c`, `block.cpp`). */
  source: string;
}

/** The driver by absolute path, with the flags every block is compiled with. */
export async function resolveGccDriver(driver: GccDriver): Promise<RuntimeInfo | string> {
  const fix = `install ${driver.command} (e.g. apt-get install ${driver.apt}) or run npm run setup`;
  const executable = await findOnPath(driver.command);
  if (!executable) return `${driver.command} not found on PATH — ${fix}`;
  const result = await probe(executable, ['-dumpfullversion']);
  const failure = probeFailure(driver.command, result, fix);
  if (failure) return failure;
  const [version] = lines(result.stdout);
  if (!version) return `${driver.command} -dumpfullversion printed nothing — ${fix}`;
  return {name: driver.runtime, executable, version: `${driver.command} ${version}`, flags: [...driver.flags]};
}

/** The probe key of a driver: its file on PATH. */
export async function gccDriverKey(driver: GccDriver): Promise<string> {
  return fileFacts((await findOnPath(driver.command)) ?? driver.command);
}

/** A `lib` block as a shared library, `-shared -fPIC`, into `lib<id>.so`. */
export async function buildSharedLibrary(driver: GccDriver, library: LibrarySource, options: LibraryBuildOptions): Promise<LibraryBuild> {
  const output = `lib${library.id}.so`;
  return buildCachedLibrary(library, options, {
    files: {[driver.source]: library.code},
    args: [...(options.compiler.flags ?? driver.flags), '-shared', '-fPIC', '-o', output, driver.source, ...driver.libs],
    output
  });
}
