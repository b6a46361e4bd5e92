import type {MeasureSettings, RunPhase, RuntimeInfo} from '../model/index.js';
import type {BuildOptions} from '../system/build-cache.js';
import type {ProcessResult} from '../system/run-process.js';

/** A language blocks are written in: the fence words that select it. */
export interface Language {
  /** `python`, `go`, `c`, `cpp`, `js`, `ts`, `rust`. */
  name: string;
  /** Name shown to people: `Python`, `C++`. */
  label: string;
  /** Fence words that select the language (`python`, `py`, `python3`...), lower case. */
  aliases: string[];
}

/** The block a runtime turns into a program: its code with parameters and library paths filled in. */
export interface ProgramSource {
  kind: 'bench' | 'run';
  /** The block's id: names its files, modules and messages. */
  blockId: string;
  code: string;
  /** `bench` blocks: the function the harness times. */
  fn: string;
}

/** A program ready to start: the block itself (`run`) or the harness with the block loaded (`bench`). */
export interface ProgramCommand {
  file: string;
  args: string[];
  /** Extra environment for every process of the program. */
  env?: Record<string, string>;
}

/** What {@link RuntimeEntry.prepare} returns: the command to start, or the failed build. */
export type PreparedBlock = {command: ProgramCommand; buildMs: number} | {buildFailure: ProcessResult; buildMs: number};

/** What to compile: the part of `buildCached`'s options that differs between runtimes. */
export type BuildRecipe = Pick<BuildOptions, 'runtime' | 'files' | 'args' | 'env' | 'output'>;

/** What a runtime gets to prepare a block. */
export interface PrepareContext {
  /** A fresh temp directory, removed after the run; also the working directory of its processes. */
  workDir: string;
  /** Milliseconds left before the run's deadline (may be negative). */
  remainingMs(): number;
  signal?: AbortSignal;
  maxOutputBytes: number;
  /** Reports the `building` phase for work that is not a cached build (a transpile). */
  onBuild(): void;
  /**
   * Compiles through the build cache within the run's deadline, signal, output cap and progress,
   * and turns the outcome into a prepared block: `command` says how to run the artefact (default: itself).
   */
  build(recipe: BuildRecipe, command?: (binary: string) => ProgramCommand): Promise<PreparedBlock>;
}

/** A planned run as a runtime that executes blocks itself sees it (a structural part of `PlannedRun`). */
export interface BlockRun {
  key: string;
  blockId: string;
  kind: 'bench' | 'run';
  runtime: string;
  code: string;
  measure: MeasureSettings;
  timeoutMs: number;
  memoryBytes?: number;
}

/** Options every way of executing a block shares. */
export interface ExecuteOptions {
  /** Root of the build cache (compiled binaries by content hash). */
  cacheDir: string;
  /** Cap on captured bytes per stream; the rest is dropped with a marker. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Aborts the run (Ctrl-C): the child is killed and the result is `failed` with reason `aborted`. */
  signal?: AbortSignal;
  /** Extra environment for the block's processes (set for the libraries a run uses). */
  env?: Record<string, string>;
  /** Resolved runtimes, for building the `lib` blocks a run uses (`go`, `c`, `cpp`, `rust`). */
  runtimes?: Record<string, RuntimeInfo>;
  /** Why absent runtimes are missing: the reason of a run skipped for want of a library's compiler. */
  missing?: Record<string, string>;
  /** Told each phase the run enters (building, warming up, measuring process n of N, running). Default: nobody. */
  onPhase?: (phase: RunPhase) => void;
}

/** A `lib` block as its compiler needs it. */
export interface LibrarySource {
  id: string;
  code: string;
  /** Limit for building it. */
  timeoutMs: number;
}

/** A library built and ready to load. */
export interface BuiltLibrary {
  id: string;
  /** Absolute path of the shared object: `lib<id>.so`, or the PyO3 module's extension file. */
  path: string;
  /** For a PyO3 module: the folder that goes on PYTHONPATH so that `import <module>` finds it. */
  pythonPath?: string;
  /** Build time; 0 when the build was cached. */
  buildMs: number;
}

/** The outcome of building a library: the library, or why it could not be built. */
export type LibraryBuild =
  | {ok: true; library: BuiltLibrary}
  | {ok: false; status: 'failed' | 'timed-out' | 'skipped'; reason: string; output: string; buildMs: number};

/** What building one library needs besides the library itself. */
export interface LibraryBuildOptions {
  /** The library's compiler: this runtime, resolved. */
  compiler: RuntimeInfo;
  /** The interpreter of the block that loads it: a PyO3 module is built for that Python. */
  python: RuntimeInfo;
  /** Root of the build cache. */
  cacheDir: string;
  signal?: AbortSignal;
  maxOutputBytes?: number;
  /** Called just before compiling: not when the library is cached. */
  onBuild?: () => void;
}

/** How a runtime becomes known to `npm run setup` and to people when it is missing. */
export interface InstallHint {
  /** Debian packages that bring it, for `apt-get install -y` (as root) or `sudo apt-get install -y`. */
  apt?: string[];
  /** A command to run after the packages (or instead of them), e.g. `npm run setup`. */
  then?: string;
  /** What else brings it when Debian cannot, or why nothing here can. */
  otherwise?: string;
  /** What to do, in one phrase, for skip messages and the docs: `install gcc (apt-get install gcc)`. */
  how: string;
}

/**
 * One runtime: everything benchbook knows about it, in one place. Parse reads the language and
 * name, plan the resolved version, execute `prepare` and the rest, setup the install hint, and the
 * docs the description. Adding a runtime is one entry, one harness and one fixture.
 */
export interface RuntimeEntry {
  /** The name blocks pick it by (`runtime=pypy`), and the language's default when it is the first of its language. */
  name: string;
  language: Language;
  /** One line for the docs: what runs the block and how. */
  description: string;
  /**
   * Finds the executable and its version. Never throws: a string says why it is missing and ends
   * in what to do about it.
   */
  resolve(): Promise<RuntimeInfo | string>;
  /**
   * What `resolve`'s answer depends on, read without starting a process (paths on PATH with their
   * size and modification time, environment variables, version files): the key of the probe cache.
   * Absent: the runtime is probed on every report.
   */
  probeKey?(): Promise<string>;
  /**
   * Makes a block a program: writes its files into `context.workDir`, builds what needs building
   * (through `context.build`) and says how to start it. A `bench` block's program is the harness
   * with the block loaded; a `run` block's, the block itself.
   */
  prepare(source: ProgramSource, runtime: RuntimeInfo, context: PrepareContext): Promise<PreparedBlock>;
  /**
   * `run` blocks and inline `bench` blocks run in the JS worker pool (one fresh worker thread for
   * each "process") instead of as harness processes: JS and TS. Process mode and instruction counts
   * still use `prepare`.
   */
  workerPool?: boolean;
  /** The program that does nothing, in this runtime: its runs measure the start-up every process-mode run includes. */
  emptyProgram: string;
  /** Set when instruction counts cannot be taken for this runtime: why, and what to do instead. */
  noInstructions?: string;
  /** Builds `lib` blocks written for this runtime (Go c-shared, C and C++ shared libraries, PyO3 modules). */
  buildLibrary?(library: LibrarySource, options: LibraryBuildOptions): Promise<LibraryBuild>;
  install: InstallHint;
}
