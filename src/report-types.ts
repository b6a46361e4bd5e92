import type {NotebookComparison} from './check/index.js';
import type {ClaimResult} from './measure/index.js';
import type {BlockOutcome} from './model/index.js';
import type {Notebook, NotebookMessage} from './parse/types.js';
import type {MeasureOverrides} from './plan/overrides.js';
import type {ChartCache, ClaimCounts} from './render/types.js';
import type {RunEvent, Shard} from './run/index.js';
import type {Templates} from './write/index.js';

/** The events of a build: those of the run stage. */
export type ReportEvent = RunEvent;

/** Options of `buildReport`, one per CLI flag. */
export interface ReportOptions {
  /** Notebook files to build (the CLI expands `notebooks/`). */
  notebooks: string[];
  /** Profile name (default `quick`). */
  profile?: string;
  /** Re-run blocks even when a stored result has the same hash. */
  rerun?: boolean;
  /** Render from stored results only; run nothing. */
  fromData?: boolean;
  /** Only run blocks with these ids (the others are rendered from stored results). */
  filter?: string[];
  /** Treat warnings in notebooks as errors. */
  strict?: boolean;
  /**
   * Every notebook the index lists (the CLI passes `notebooks/*.md`). Those not built by this run
   * are listed from their stored results, so building one notebook keeps the others on the index.
   */
  indexNotebooks?: string[];
  /** Where results are stored (default `data`). */
  dataDir: string;
  /** Where the site is written (default `output`). */
  outputDir: string;
  /** Root of the build cache. */
  cacheDir: string;
  /** Aborts running blocks (Ctrl-C). */
  signal?: AbortSignal;
  /** What bench samples count (`--measure`): wall time (default) or instructions under callgrind. */
  measure?: 'time' | 'instructions';
  /** `--warmup`, `--runs`, `--min-time`: measurement settings that win over the notebooks' own. */
  overrides?: MeasureOverrides;
  /** `--baseline NAME`: compare every bench result with the one saved under this baseline. */
  baseline?: string;
  /** `--noise`, as a fraction: changes within it are "no significant change" (default 0.05). */
  noise?: number;
  /** `--save-baseline NAME`: save the results shown on the pages as this baseline. */
  saveBaseline?: string;
  /** `--memory-limit`: memory limit in bytes of every block without `memory=` (default 4 GiB). */
  memoryLimitBytes?: number;
  /** `--timeout-total`: once this many milliseconds have passed, the running block is stopped and the rest skipped. */
  timeoutTotalMs?: number;
  /** `--shard K/N`: run only part K of N of the planned runs (comparisons kept whole), write their results and a manifest, and no pages. */
  shard?: Shard;
}

/** Side effects of a build, passed in so tests run the real pipeline quietly. */
export interface ReportEffects {
  readNotebook(file: string): Promise<string>;
  /** Reads a results file a notebook's published figures name (`from:`), rejecting as `fs.readFile` does (default: `fs.readFile`). */
  readFile?(file: string): Promise<Uint8Array | string>;
  readTemplates(): Promise<Templates>;
  writeOutput(name: string, content: string): Promise<void>;
  /**
   * Reads back a file of the site (undefined when there is none). With it, a page whose inputs are
   * those of the last build, and whose files are as written then, is not rendered again.
   */
  readOutput?(name: string): Promise<string | undefined>;
  chartCache?: ChartCache;
  /** One line per event (block started, finished, reused...); with `onEvent`, only the lines that are not events (problems in notebooks). */
  log(line: string): void;
  /** Structured events of every planned run, for progress displays (`formatEvent` gives `log`'s line of one). */
  onEvent?(event: RunEvent): void;
  /** Each notebook once built, with its results and claims (for `--export-*`). */
  onNotebook?(built: BuiltNotebook): void;
}

/** A notebook as built: what its page and its exports were made from. */
export interface BuiltNotebook {
  notebook: Notebook;
  profile: string;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/** Counts for the closing summary line and the exit status. */
export interface ReportSummary {
  notebooks: number;
  run: number;
  reused: number;
  failed: number;
  skipped: number;
  /** Problems found in notebooks (errors and warnings). */
  messages: NotebookMessage[];
  /** Notebooks not built because of fatal messages. */
  invalid: number;
  /** Claims by verdict, over every notebook built. */
  claims: ClaimCounts;
  /** Set when the build was stopped by `signal` (Ctrl-C): pages were not rewritten. */
  interrupted?: boolean;
  /** `--baseline`: every notebook built, compared with the baseline. */
  baseline?: {name: string; comparisons: NotebookComparison[]};
  /** `--save-baseline`: how many results were saved under the name. */
  savedBaseline?: {name: string; results: number};
  /** `--shard`: which part ran, and where its manifest was written. */
  shard?: {index: number; count: number; manifest: string};
  durationMs: number;
}

