import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {packageRoot} from '../paths.js';
import type {PlannedRun} from '../plan/types.js';
import {executeExternal} from './external.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from './types.js';

/** The Rust harness compiled as a module of `bench` blocks' crates. */
export const rustHarness = path.join(packageRoot, 'src/execute/harness/harness.rs');

// Edition 2021 rather than 2024: article code of any recent year compiles, on toolchains from 1.56.
// `[workspace]` makes the crate its own workspace, so a Cargo.toml above the cache changes nothing.
const cargoToml = `[package]
name = "benchblock"
version = "0.0.0"
edition = "2021"
publish = false

[[bin]]
name = "block"
path = "block.rs"

[workspace]
`;

/**
 * The environment of every cargo build: the toolchain's own rustc next to the resolved cargo, no
 * flags inherited from the shell, no colour codes in compiler messages.
 */
export function cargoEnv(runtime: RuntimeInfo): Record<string, string> {
  return {
    RUSTC: path.join(path.dirname(runtime.executable), 'rustc'),
    RUSTFLAGS: '',
    CARGO_ENCODED_RUSTFLAGS: '',
    CARGO_TERM_COLOR: 'never'
  };
}

/**
 * Builds a Rust block as a binary crate with no dependencies (`cargo build --release --offline`,
 * cached by content) and runs it: a `run` block is a whole program with `fn main`; a `bench` block
 * defines `fn bench() -> T` and gets the harness as a module of the same crate, whose `main` calls
 * `bb_harness::run(<fn>)`. The crate's target directory lives in its build directory, inside the
 * build cache: a block without dependencies has nothing another build could reuse.
 */
export async function executeRust(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  return executeExternal(run, options, async ({build}) => {
    const files: Record<string, string> = {'Cargo.toml': cargoToml, 'block.rs': run.code};
    if (run.kind === 'bench') {
      const fn = run.measure.fn;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fn)) {
        const stderr = `benchbook: cannot time ${JSON.stringify(fn)}: not a Rust identifier\n`;
        return {buildFailure: {exitCode: 2, timedOut: false, aborted: false, durationMs: 0, stdout: '', stderr}, buildMs: 0};
      }
      // Appended, so compiler messages keep the block's own line numbers.
      files['block.rs'] = `${run.code}\n\n#[path = "harness.rs"]\nmod bb_harness;\n\nfn main() {\n    bb_harness::run(${fn});\n}\n`;
      files['harness.rs'] = await readFile(rustHarness, 'utf8');
    }
    return build({
      runtime,
      files,
      args: ['build', ...(runtime.flags ?? ['--release']), '--offline', '--quiet'],
      env: {...cargoEnv(runtime), CARGO_TARGET_DIR: 'target'},
      output: 'target/release/block'
    });
  });
}
