import type {RuntimeInfo} from '../model/index.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';
import {python, pythonEnv, pythonHarness, resolveVenvPackage, venvKey} from './python.js';
import type {PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/**
 * Nuitka options of every build: no chatter, no build folder left behind, and only the block
 * compiled: what it imports (numpy...) is loaded at run time from the interpreter's site-packages.
 */
export const nuitkaFlags = ['--quiet', '--no-progressbar', '--remove-output', '--nofollow-imports'];

/**
 * Compiles a Python block with Nuitka (`python -m nuitka`, cached by content, `buildMs` reported):
 * a `bench` block becomes an extension module (`--module`) that the Python harness imports and times
 * like any block; a `run` block becomes a program (`block.bin`) run on its own. A bench block's code
 * runs as the module `benchbook_block_<id>`, so an `if __name__ == "__main__":` part of it does not run.
 */
async function prepareNuitka(source: ProgramSource, runtime: RuntimeInfo, {build}: PrepareContext): Promise<PreparedBlock> {
  // A module name must be an identifier; the prefix keeps it from shadowing a real module.
  const moduleName = `benchbook_block_${source.blockId.replace(/\W+/g, '_')}`;
  const file = `${moduleName}.py`;
  let args: string[];
  let output: string;
  if (source.kind === 'bench') {
    const suffix = await extensionSuffix(runtime.executable);
    if (typeof suffix !== 'string') return {buildFailure: suffix, buildMs: 0};
    args = ['-m', 'nuitka', '--module', ...nuitkaFlags, file];
    output = `${moduleName}${suffix}`;
  } else {
    args = ['-m', 'nuitka', ...nuitkaFlags, '--output-filename=block.bin', file];
    output = 'block.bin';
  }
  return build({runtime, files: {[file]: source.code}, args, output}, (binary) =>
    source.kind === 'bench'
      ? {file: runtime.executable, args: [pythonHarness, binary, source.blockId], env: pythonEnv}
      : {file: binary, args: [], env: pythonEnv}
  );
}

/** Nuitka from the project's venv: Python blocks compiled to C first, then timed by the same harness. */
export const nuitka: RuntimeEntry = {
  name: 'nuitka',
  language: python,
  description: "Nuitka from the project's venv: the block is compiled to an extension module (bench) or a program (run), then timed by the Python harness",
  resolve: () => resolveVenvPackage('nuitka', 'Nuitka'),
  probeKey: venvKey,
  prepare: prepareNuitka,
  emptyProgram: 'pass\n',
  install: {apt: ['python3-venv', 'build-essential'], then: 'npm run setup', how: "run npm run setup (it installs requirements.txt into the project venv, node_modules/.cache/benchbook/venv)"}
};

const suffixes = new Map<string, Promise<string | ProcessResult>>();

/** The file name ending of the interpreter's extension modules (`.cpython-311-x86_64-linux-gnu.so`), asked once. */
function extensionSuffix(python: string): Promise<string | ProcessResult> {
  let suffix = suffixes.get(python);
  if (!suffix) {
    suffix = runProcess(python, ['-c', 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))'], {timeoutMs: 10_000}).then(
      (result) => (result.exitCode === 0 && result.stdout.trim() ? result.stdout.trim() : result)
    );
    suffixes.set(python, suffix);
    // A failure is not remembered: the next block asks again.
    void suffix.then((value) => typeof value !== 'string' && suffixes.delete(python));
  }
  return suffix;
}
