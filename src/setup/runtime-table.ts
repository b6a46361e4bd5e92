import type {ResolvedRuntimes} from '../runtimes/index.js';
import {installCommand} from './install-hints.js';

/** The runtimes without which `npm run report` cannot run at all: setup fails (exit 1) only when one is missing. */
export const coreRuntimes = ['python', 'js', 'ts'];

/** One runtime in the table `npm run setup` prints. */
export interface RuntimeRow {
  name: string;
  status: 'ready' | 'missing';
  /** When ready: what it says it is, e.g. `CPython 3.11.2`. */
  version?: string;
  /** When ready: the real executable. */
  executable?: string;
  /** When missing: why, in one line (the resolver's reason, without its advice). */
  reason?: string;
  /** When missing: the command that would bring it (`sudo apt-get install -y pypy3`). */
  command?: string;
  /** Whether a notebook's blocks run on it, so that they are skipped while it is missing. */
  used: boolean;
}

/** Options of {@link runtimeRows}. */
export interface RuntimeRowsOptions {
  /** Whether the commands are for root (no `sudo`). Default: this process runs as root. */
  root?: boolean;
  /** Runtimes some notebook's blocks run on. */
  used?: Iterable<string>;
  /** Debian packages already installed, left out of the commands. */
  installed?: ReadonlySet<string>;
  /** A better reason than the resolver's for a runtime setup tried to provide (its build failed, no source exists). */
  reasons?: Record<string, string>;
}

/** The table's rows, in the order of `names`. Pure. */
export function runtimeRows(names: string[], resolved: ResolvedRuntimes, options: RuntimeRowsOptions = {}): RuntimeRow[] {
  const used = new Set(options.used ?? []);
  return names.map((name): RuntimeRow => {
    const info = resolved.found[name];
    if (info) return {name, status: 'ready', version: info.version, executable: info.executable, used: used.has(name)};
    const said = options.reasons?.[name] ?? resolved.missing[name] ?? 'not resolved';
    // The resolver's own advice follows " — "; the table gives the command instead.
    const reason = said.split(' — ')[0]!;
    const command = installCommand(name, {...(options.root === undefined ? {} : {root: options.root}), ...(options.installed ? {installed: options.installed} : {})}) ?? said.split(' — ')[1] ?? 'see docs/setup.md';
    return {name, status: 'missing', reason, command, used: used.has(name)};
  });
}

/**
 * The table as lines: one per ready runtime (name, `ready`, version, executable); two per missing one
 * (name, `missing`, `run: <command>`, then `why: <reason>`), a `*` marking the runtimes the notebooks use. Pure.
 */
export function formatRuntimeTable(rows: RuntimeRow[]): string[] {
  const nameWidth = Math.max('runtime'.length, ...rows.map((row) => row.name.length + (row.used ? 1 : 0)));
  const statusWidth = 'missing'.length;
  const versionWidth = Math.max('version'.length, ...rows.map((row) => row.version?.length ?? 0));
  const indent = ' '.repeat(nameWidth + statusWidth + 4);
  const lines = [`${'runtime'.padEnd(nameWidth)}  ${'status'.padEnd(statusWidth)}  ${'version'.padEnd(versionWidth)}  executable, or what brings it`];
  for (const row of rows) {
    const name = `${row.name}${row.used ? '*' : ''}`.padEnd(nameWidth);
    if (row.status === 'ready') {
      lines.push(`${name}  ${'ready'.padEnd(statusWidth)}  ${(row.version ?? '').padEnd(versionWidth)}  ${row.executable ?? ''}`);
    } else {
      lines.push(`${name}  ${'missing'.padEnd(statusWidth)}  run: ${row.command}`);
      lines.push(`${indent}why: ${row.reason}`);
    }
  }
  if (rows.some((row) => row.used)) lines.push('* used by the notebooks: their blocks on it are skipped while it is missing');
  return lines;
}
