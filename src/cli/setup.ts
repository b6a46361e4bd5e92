import {resolveRuntimes, languages} from '../execute/index.js';

/**
 * `benchbook setup`: checks every runtime the project knows and says how each was found.
 * Provisioning of the optional runtimes (PyPy, Numba, Nuitka, Rust/PyO3) builds on this.
 */
export async function setupCommand(): Promise<number> {
  const {found, missing} = await resolveRuntimes(Object.keys(languages));
  for (const [name, info] of Object.entries(found)) {
    console.log(`ok       ${name.padEnd(7)} ${info.version.padEnd(28)} ${info.executable}`);
  }
  for (const [name, reason] of Object.entries(missing)) {
    console.log(`missing  ${name.padEnd(7)} ${reason}`);
  }
  return 0;
}
