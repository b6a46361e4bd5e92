import {readFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {fileFacts, findOnPath, isExecutable, lines, probe, probeFailure} from '../system/probe.js';
import {cargoEnv} from './cargo.js';
import {invalidName} from './go.js';
import {buildPyo3Module} from './pyo3.js';
import type {Language, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

/** The Rust harness compiled as a module of `bench` blocks' crates. */
export const rustHarness = path.join(packageRoot, 'src/runtimes/harness/harness.rs');

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
 * Builds a Rust block as a binary crate with no dependencies (`cargo build --release --offline`,
 * cached by content) and runs it: a `run` block is a whole program with `fn main`; a `bench` block
 * defines `fn bench() -> T` and gets the harness as a module of the same crate, whose `main` calls
 * `bb_harness::run(<fn>, <describe>)`. The crate's target directory lives in its build directory, inside the
 * build cache: a block without dependencies has nothing another build could reuse.
 */
async function prepareRust(source: ProgramSource, runtime: RuntimeInfo, {build}: PrepareContext): Promise<PreparedBlock> {
  const files: Record<string, string> = {'Cargo.toml': cargoToml, 'block.rs': source.code};
  if (source.kind === 'bench') {
    const fn = source.fn;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fn)) return {buildFailure: invalidName(`benchbook: cannot time ${JSON.stringify(fn)}: not a Rust identifier`), buildMs: 0};
    // Appended, so compiler messages keep the block's own line numbers.
    // The closure is checked here, where the function's return type is known: autoref
    // specialisation on it picks whether the harness can describe the value (see BbProbe).
    files['block.rs'] = [
      source.code,
      '',
      '#[path = "harness.rs"]',
      'mod bb_harness;',
      '',
      'fn main() {',
      `    bb_harness::run(${fn}, |value| {`,
      '        #[allow(unused_imports)]',
      '        use bb_harness::{BbDescribed as _, BbUndescribed as _};',
      '        (&&bb_harness::BbProbe(value)).bb_describe()',
      '    });',
      '}',
      ''
    ].join('\n');
    files['harness.rs'] = await readFile(rustHarness, 'utf8');
  }
  return build({
    runtime,
    files,
    args: ['build', ...(runtime.flags ?? ['--release']), '--offline', '--quiet'],
    env: {...cargoEnv(runtime), CARGO_TARGET_DIR: 'target'},
    output: 'target/release/block'
  });
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

/**
 * What picks the toolchain behind rustup's `rustc` proxy: `RUSTUP_TOOLCHAIN`, a rust-toolchain file
 * from here up, rustup's settings (the default toolchain).
 */
async function rustKey(): Promise<string> {
  const parts = [await fileFacts((await findOnPath('rustc')) ?? 'rustc'), `RUSTUP_TOOLCHAIN=${process.env['RUSTUP_TOOLCHAIN'] ?? ''}`];
  const rustupHome = process.env['RUSTUP_HOME'] || path.join(homedir(), '.rustup');
  parts.push(await fileFacts(path.join(rustupHome, 'settings.toml')));
  for (let dir = process.cwd(); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    for (const name of ['rust-toolchain', 'rust-toolchain.toml']) {
      const facts = await fileFacts(path.join(dir, name));
      if (!facts.endsWith('absent')) parts.push(facts);
    }
  }
  return parts.join('\n');
}

/** Rust blocks. */
export const rustLanguage: Language = {name: 'rust', label: 'Rust', aliases: ['rust', 'rs']};

/**
 * Rust: a `bench` block is a binary crate with no dependencies (`cargo build --release --offline`,
 * cached by content) that defines `fn bench() -> T` and gets the harness as a module of the same
 * crate; a `run` block is a whole program. `lib` blocks are PyO3 modules built by maturin.
 */
export const rust: RuntimeEntry = {
  name: 'rust',
  language: rustLanguage,
  description: '`cargo build --release --offline` of the block as a binary crate (the harness as a module of it); lib blocks as PyO3 modules built by maturin',
  resolve: resolveRust,
  probeKey: rustKey,
  prepare: prepareRust,
  emptyProgram: 'fn main() {}\n',
  buildLibrary: buildPyo3Module,
  install: {apt: ['rustc', 'cargo'], otherwise: 'or rustup', how: 'install Rust with rustup (https://rustup.rs: cargo and rustc)'}
};
