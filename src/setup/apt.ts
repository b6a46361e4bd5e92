import {findOnPath} from '../system/probe.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';

/** A Debian package benchbook can use, and the command that shows it is installed. */
export interface AptPackage {
  name: string;
  /** A command the package puts on PATH; left out, dpkg's status of the package says whether it is installed. */
  command?: string;
  /** What it is for, shown when it is missing. */
  purpose: string;
}

/** The system packages `npm run setup` installs when they are missing. */
export const aptPackages: AptPackage[] = [
  {name: 'pypy3', command: 'pypy3', purpose: 'the pypy runtime'},
  {name: 'hyperfine', command: 'hyperfine', purpose: 'whole-program timings to compare with'},
  {name: 'valgrind', command: 'valgrind', purpose: 'instruction counts (callgrind)'},
  // Nuitka compiles the same C helpers for every block; with ccache a block's build drops from ~18 s to ~2 s.
  {name: 'ccache', command: 'ccache', purpose: 'fast re-builds of nuitka blocks'}
];

/** Options of {@link ensureAptPackages}. */
export interface AptOptions {
  /** Default: {@link aptPackages}. */
  packages?: AptPackage[];
  /** Whether this process may install system packages (default: running as root). */
  canInstall?: boolean;
  /** Limit for each apt-get command (default 10 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What {@link ensureAptPackages} found and did. */
export interface AptOutcome {
  /** Packages whose command was already on PATH. */
  present: string[];
  /** Packages installed now. */
  installed: string[];
  /** Packages still missing, with `advice`. */
  missing: string[];
  /** What to run to install the missing ones (or why that failed), when any are missing. */
  advice?: string;
  durationMs: number;
}

/**
 * Installs the packages whose command is not on PATH with `apt-get install -y`, when running as
 * root on a system with apt-get (after `apt-get update` if apt does not know a package yet);
 * otherwise says what to run. Never throws.
 */
export async function ensureAptPackages(options: AptOptions = {}): Promise<AptOutcome> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const packages = options.packages ?? aptPackages;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const found = await Promise.all(packages.map(isInstalled));
  const present = packages.filter((_, index) => found[index]).map((pkg) => pkg.name);
  const absent = packages.filter((_, index) => !found[index]).map((pkg) => pkg.name);
  const done = (outcome: Omit<AptOutcome, 'durationMs' | 'present'>): AptOutcome => ({present, ...outcome, durationMs: performance.now() - started});
  if (absent.length === 0) return done({installed: [], missing: []});

  const command = `apt-get install -y ${absent.join(' ')}`;
  const aptGet = await findOnPath('apt-get');
  if (!aptGet) return done({installed: [], missing: absent, advice: `no apt-get here: install ${absent.join(', ')} with the system's package manager`});
  const canInstall = options.canInstall ?? process.getuid?.() === 0;
  if (!canInstall) return done({installed: [], missing: absent, advice: `run: ${process.getuid?.() === 0 ? '' : 'sudo '}${command}`});

  const env = {DEBIAN_FRONTEND: 'noninteractive'};
  log(`apt      ${command}`);
  let result = await runProcess(aptGet, ['install', '-y', ...absent], {timeoutMs, env});
  // A fresh machine's package lists may be empty or stale: refresh them once and try again.
  if (result.exitCode !== 0 && /Unable to locate package|has no installation candidate|Failed to fetch/.test(result.stderr)) {
    log('apt      apt-get update');
    const update = await runProcess(aptGet, ['update'], {timeoutMs, env});
    if (update.exitCode !== 0) return done({installed: [], missing: absent, advice: `apt-get update failed (${lastLine(update)}): run ${command} by hand`});
    result = await runProcess(aptGet, ['install', '-y', ...absent], {timeoutMs, env});
  }
  if (result.exitCode !== 0) return done({installed: [], missing: absent, advice: `apt-get install failed (${lastLine(result)}): run ${command} by hand`});

  const after = await Promise.all(packages.map(async (pkg) => absent.includes(pkg.name) && (await isInstalled(pkg))));
  const installed = packages.filter((_, index) => after[index]).map((pkg) => pkg.name);
  const missing = absent.filter((name) => !installed.includes(name));
  return done({installed, missing, ...(missing.length > 0 ? {advice: `apt-get installed them but ${missing.join(', ')} is still not on PATH`} : {})});
}

/** Which of the Debian packages `names` dpkg says are installed (none where there is no dpkg). */
export async function installedPackages(names: string[]): Promise<Set<string>> {
  const dpkgQuery = await findOnPath('dpkg-query');
  if (!dpkgQuery || names.length === 0) return new Set();
  // One query for all: dpkg-query exits 1 when one is unknown, and still prints the others.
  const result = await runProcess(dpkgQuery, ['-W', '-f=${Package} ${Status}\n', ...names], {timeoutMs: 30_000});
  const installed = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const [name, ...status] = line.trim().split(' ');
    if (name && status.join(' ') === 'install ok installed') installed.add(name.replace(/:.*$/, ''));
  }
  return installed;
}

/** Whether `pkg` is installed: its command is on PATH, or (without a command) dpkg says `install ok installed`. */
async function isInstalled(pkg: AptPackage): Promise<boolean> {
  if (pkg.command !== undefined) return (await findOnPath(pkg.command)) !== undefined;
  return (await installedPackages([pkg.name])).has(pkg.name);
}

function lastLine(result: ProcessResult): string {
  const text = result.timedOut ? 'timed out' : (result.spawnError ?? `${result.stderr}\n${result.stdout}`);
  return text.trim().split('\n').at(-1)?.trim() ?? `exit code ${result.exitCode}`;
}
