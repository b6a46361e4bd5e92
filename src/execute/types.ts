/** A runtime found on this machine, resolved to its real executable. */
export interface RuntimeInfo {
  /** Registry name: `python`, `go`, `c`, `js`, `ts`. */
  name: string;
  /** Absolute path of the real executable (pyenv shims resolved). */
  executable: string;
  /** Version string as the runtime reports it, e.g. `3.11.7`, `go1.26.8`, `gcc 12.2.0`. */
  version: string;
  /** Compiler flags used for compiled runtimes, shown in the report. */
  flags?: string[];
}

/** A runtime that could not be found, with what to do about it. */
export interface MissingRuntime {
  name: string;
  reason: string;
}

/** How a bench block is measured (all in one place so the hash covers them). */
export interface MeasureSettings {
  /** Timed samples per process. */
  repeat: number;
  /** Untimed warm-up samples per process. */
  warmup: number;
  /** Fresh processes (or pool workers) per block; samples are pooled. */
  processes: number;
  /** Calibrate the loop count so one sample lasts at least this long. */
  minSampleMs: number;
  /** Name of the function the harness times. */
  fn: string;
}

/** Final state of one execution, as in execa's result. */
export type RunStatus = 'ok' | 'failed' | 'timed-out' | 'skipped';

/** What executing one planned run produced: execa's result shape plus samples. */
export interface RunResult {
  status: RunStatus;
  /** Why it failed or was skipped, in one line. */
  reason?: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** Wall time of the whole execution, build included. */
  durationMs: number;
  /** Compile time for compiled runtimes (0 when the build was cached). */
  buildMs?: number;
  /** Captured output, capped; for bench blocks the output of the first process. */
  stdout: string;
  stderr: string;
  /** Time per call in nanoseconds, one entry per timed sample, processes pooled. */
  samples?: number[];
  /** Calls per sample chosen by calibration, per process. */
  loops?: number[];
  /** Smallest measurable step of the harness's clock, in ns (the coarsest over processes). */
  timerResolutionNs?: number;
}

/** Options shared by every executor. */
export interface ExecuteOptions {
  /** Root of the build cache (compiled binaries by content hash). */
  cacheDir: string;
  /** Cap on captured bytes per stream; the rest is dropped with a marker. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Aborts the run (Ctrl-C): the child is killed and the result is `failed` with reason `aborted`. */
  signal?: AbortSignal;
}
