/**
 * How each runtime is brought onto a machine that lacks it, as the runtime table says
 * (`RuntimeEntry.install`): the command `npm run setup` prints for a missing runtime.
 */
import {cpythonBuildPackages} from '../runtimes/python-discovery.js';
import {runtimeTable} from '../runtimes/index.js';
import type {InstallHint} from '../runtimes/types.js';

export {cpythonBuildPackages};
export type {InstallHint};

/** Every runtime's install hint, by runtime name (see `runtimeNames()`). */
export const installHints: Record<string, InstallHint> = Object.fromEntries(runtimeTable.map((entry) => [entry.name, entry.install]));

/** Options of {@link installCommand}. */
export interface InstallCommandOptions {
  /** Whether the command runs as root (no `sudo`). Default: this process runs as root. */
  root?: boolean;
  /** Debian packages already installed, left out of the command. Default: none. */
  installed?: ReadonlySet<string>;
}

/**
 * The command that brings `runtime`, as one line to copy: `sudo apt-get install -y pypy3` (the packages
 * not yet installed), then `npm run setup` where setup builds or installs the rest, then any other way.
 * `undefined` for a runtime without a hint.
 */
export function installCommand(runtime: string, options: InstallCommandOptions = {}): string | undefined {
  const hint = Object.hasOwn(installHints, runtime) ? installHints[runtime] : undefined;
  if (!hint) return undefined;
  const root = options.root ?? process.getuid?.() === 0;
  const steps: string[] = [];
  const notInstalled = (hint.apt ?? []).filter((name) => !options.installed?.has(name));
  // Installed and still missing (a broken install, a command off PATH): installing them again is still the advice.
  const packages = notInstalled.length === 0 && !hint.then && !hint.otherwise ? (hint.apt ?? []) : notInstalled;
  if (packages.length > 0) steps.push(`${root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`);
  if (hint.then) steps.push(hint.then);
  const command = steps.join(' && ');
  if (!hint.otherwise) return command;
  return command === '' ? hint.otherwise : `${command} (${hint.otherwise})`;
}
