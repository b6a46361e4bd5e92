/**
 * How each runtime is brought onto a machine that lacks it: one record per runtime name, read by the
 * table `npm run setup` prints. Kept free of imports so that it can move into the runtime table as is.
 */
export interface InstallHint {
  /** Debian packages that bring the runtime, for `apt-get install -y` (as root) or `sudo apt-get install -y`. */
  apt?: string[];
  /** A command to run after the packages (or instead of them), e.g. `npm run setup`. */
  then?: string;
  /** What else brings it when Debian cannot, or why nothing here can. */
  otherwise?: string;
}

/** Packages CPython's `./configure && make` needs for the modules the harness and the notebooks use (ssl, zlib, ctypes...). */
export const cpythonBuildPackages = [
  'build-essential',
  'pkg-config',
  'libssl-dev',
  'zlib1g-dev',
  'libffi-dev',
  'libbz2-dev',
  'liblzma-dev',
  'libsqlite3-dev',
  'libreadline-dev',
  'libncurses-dev',
  'uuid-dev'
];

/** Every runtime's install hint, by runtime name (see `runtimeNames()`). */
export const installHints: Record<string, InstallHint> = {
  python: {apt: ['python3', 'python3-venv']},
  // No Debian suite carries python3.12 (bookworm has 3.11, trixie 3.13, forky and sid 3.14 and later).
  'python3.12': {otherwise: 'Debian has no python3.12 in any suite: pyenv install 3.12 (it downloads the source from python.org)'},
  'python3.13': {apt: cpythonBuildPackages, then: 'npm run setup', otherwise: 'or pyenv install 3.13'},
  pypy: {apt: ['pypy3']},
  numba: {apt: ['python3-venv'], then: 'npm run setup'},
  nuitka: {apt: ['python3-venv', 'build-essential'], then: 'npm run setup'},
  'python-ft': {apt: cpythonBuildPackages, then: 'npm run setup', otherwise: 'or pyenv install 3.13t, or set BENCHBOOK_PYTHON_FT to a python3.13t'},
  go: {apt: ['golang-go']},
  c: {apt: ['gcc']},
  js: {apt: ['nodejs']},
  ts: {then: 'npm ci'},
  rust: {apt: ['rustc', 'cargo'], otherwise: 'or rustup'}
};

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
