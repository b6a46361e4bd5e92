import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';

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
