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
  /** `inline` (default): the harness times calls of `fn`; `process`: each run is a whole program, timed like hyperfine. */
  mode?: 'inline' | 'process';
  /** Process mode: timed runs at least (default 10). */
  runs?: number;
  /** Process mode: keep running until the timed runs add up to this much wall time (default 1000 ms). */
  minTimeMs?: number;
  /** Process mode: blocks with the same group are measured together, their runs interleaved. */
  group?: string;
  /** What a sample counts: wall time (default) or instructions under callgrind (`--measure instructions`). */
  metric?: 'time' | 'instructions';
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
  /** Time spent building the `lib` blocks the run uses (0 when every one was cached); part of `durationMs`. */
  libraryBuildMs?: number;
  /** Captured output, capped; for bench blocks the output of the first process. */
  stdout: string;
  stderr: string;
  /** Time per call in nanoseconds, one entry per timed sample, processes pooled. */
  samples?: number[];
  /** Calls per sample chosen by calibration, per process. */
  loops?: number[];
  /** Smallest measurable step of the harness's clock, in ns (the coarsest over processes). */
  timerResolutionNs?: number;
  /** The first call of the function in each process, timed alone, in ns: JIT warm-up (PyPy, Numba) shows here, not in `samples`. */
  warmupNs?: number[];
  /** Unit of `samples`: nanoseconds (default) or instructions (`--measure instructions`). */
  unit?: 'ns' | 'instructions';
  /** Process mode: the kernel's accounting of every timed run (wait4), in run order; `samples` holds `wallNs`. */
  process?: {
    wallNs: number[];
    userNs: number[];
    sysNs: number[];
    maxRssKiB: number[];
    /** Median wall time of an empty program of the same runtime, measured alongside: the start-up cost included in every run. */
    startupNs?: number;
  };
  /** Memory: peak bytes allocated by one call (Python, tracemalloc) and the peak resident set of the measuring process. */
  memory?: {peakBytes?: number; maxRssKiB?: number};
}

/** Options shared by every executor. */
export interface ExecuteOptions {
  /** Root of the build cache (compiled binaries by content hash). */
  cacheDir: string;
  /** Cap on captured bytes per stream; the rest is dropped with a marker. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Aborts the run (Ctrl-C): the child is killed and the result is `failed` with reason `aborted`. */
  signal?: AbortSignal;
  /** Extra environment for the block's processes (set for the libraries a run uses). */
  env?: Record<string, string>;
  /** Resolved runtimes, for building the `lib` blocks a run uses (`go`, `c`, `rust`). */
  runtimes?: Record<string, RuntimeInfo>;
  /** Why absent runtimes are missing: the reason of a run skipped for want of a library's compiler. */
  missing?: Record<string, string>;
  /**
   * Takes over a block once it is built: gets the command the executor would run (environment
   * merged) and returns the result instead. Process mode and instruction counts use it to run
   * programs their own way. Omitted, the executor runs the block itself.
   */
  runPrepared?: (prepared: PreparedProgram) => Promise<Omit<RunResult, 'durationMs' | 'buildMs'>>;
  /** Told each phase the run enters (building, warming up, measuring process n of N, running), for a progress display. Default: nobody. */
  onPhase?: (phase: RunPhase) => void;
}

/**
 * What a run is doing. `building` only when something is compiled (not for a cached build);
 * `measuring` counts the fresh processes of a bench block (in process mode, its timed runs, with
 * `processes` the runs expected so far); `running` is a `run` block executing once.
 */
export type RunPhase =
  | {phase: 'building'}
  | {phase: 'warming-up'}
  | {phase: 'measuring'; process: number; processes: number}
  | {phase: 'running'};

/** A built block handed to `ExecuteOptions.runPrepared`. */
export interface PreparedProgram {
  /** The program and its arguments; `env` is added to the inherited environment. */
  command: {file: string; args: string[]; env?: Record<string, string>};
  /** The run's temp directory (removed afterwards): the working directory of its processes. */
  workDir: string;
  /** Milliseconds left before the run's deadline. */
  remainingMs(): number;
}
