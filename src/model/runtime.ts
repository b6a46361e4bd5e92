/** A runtime found on this machine, resolved to its real executable. */
export interface RuntimeInfo {
  /** Runtime name in the runtime table: `python`, `pypy`, `go`, `c`, `cpp`, `js`, `ts`, `rust`... */
  name: string;
  /** Absolute path of the real executable (pyenv shims resolved). */
  executable: string;
  /** Version string as the runtime reports it, e.g. `CPython 3.11.7`, `go1.26.8`, `gcc 12.2.0`. */
  version: string;
  /** Compiler flags used for compiled runtimes, shown in the report. */
  flags?: string[];
}

/** Runtimes found on this machine, and why the others are missing. */
export interface ResolvedRuntimes {
  found: Record<string, RuntimeInfo>;
  /** One line per missing runtime, ending in what to do about it. */
  missing: Record<string, string>;
}
