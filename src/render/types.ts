import type {RuntimeInfo} from '../model/index.js';
import type {ClaimResult} from '../measure/claims.js';
import type {Notebook, ParamScalar, ParamValue} from '../parse/types.js';
import type {BlockOutcome, Machine} from '../model/index.js';

export type {BlockOutcome} from '../model/index.js';

/**
 * One result as a flat row: what `plot` blocks receive as `data` and what `table` blocks show.
 * Times are nanoseconds per call.
 */
export interface ResultRow {
  /** Store key (`pool@workers=4`). */
  key: string;
  /** Block id. */
  block: string;
  /** The block's `label` option, else its id. */
  label: string;
  /** Runtime name and version, e.g. `python`, `3.11.7`. */
  runtime: string;
  version: string;
  status: string;
  /** Swept parameter name and value, when the block is swept. */
  param?: string;
  value?: ParamScalar;
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  stddev: number;
  mad: number;
  ciLow: number;
  ciHigh: number;
  /** The article's figure for this result, ns per call (front matter `published:`), when it gives one. */
  published?: number;
  /** The article's fastest and slowest figure (its min and max), ns. */
  publishedMin?: number;
  publishedMax?: number;
  /** The article's time divided by the swept value, as it printed it (its "average time per thread"), ns. */
  publishedShare?: number;
  /** The article's change from its previous row, a fraction: (previous - this) / previous, as printed or computed from its figures. */
  publishedImprovement?: number;
  /** Where the article's figure comes from or how it was scaled (front matter `note:`). */
  publishedNote?: string;
  /** Swept blocks: the change from the block's previous measured value, (previous - this) / previous (0.5 = half the time). */
  improvement?: number;
  /** Swept blocks with numeric values: the median divided by the value (time per thread, per worker), ns. */
  share?: number;
  /** `grows`: the block's work grows with the swept value (`work=grows`), and `speedup` counts the work done. */
  work?: 'grows';
  /**
   * Swept blocks: median at the first measured swept value divided by this median (2 = twice as
   * fast); with `work: 'grows'`, that first median scaled to this value's work (times value ÷ first).
   */
  speedup?: number;
  /** Swept blocks with numeric values: this value divided by the first, the speed-up of perfect scaling. */
  ideal?: number;
  /** Swept blocks with numeric values: `speedup / ideal` (1 = perfect linear scaling). */
  efficiency?: number;
  /** Unit of the times when it is not nanoseconds: `instructions` (`--measure instructions`). */
  unit?: 'instructions';
  /** Peak bytes allocated by one call (Python's tracemalloc), when measured. */
  peak?: number;
  /** Peak resident set of the measuring process (the largest over its processes), bytes, when measured. */
  rss?: number;
  /** The article's peak memory for this result, bytes (front matter `published:` `peak`). */
  publishedPeak?: number;
  /** Instructions per call (callgrind), when the block is counted too (`measure=instructions`): beside the time, from its own run. */
  instructions?: number;
  /** Set when the result is not this build's measurement of the current code: when it was measured and why it was not re-run. */
  stale?: {date: string; reason: string};
}

/**
 * One figure of the article for a result key, whether or not this run measured it: what tables add as
 * rows of their own (the article's 12 worker counts beside the 4 measured) and charts draw as the
 * article's series. Times are ns.
 */
export type ArticleRow = Pick<ResultRow, 'key' | 'block' | 'label' | 'param' | 'value' | 'published' | 'publishedMin' | 'publishedMax' | 'publishedShare' | 'publishedImprovement' | 'publishedNote' | 'publishedPeak'> & {
  /** Whether this run measured the same key (its row then carries the figure too). */
  measured: boolean;
};

/** One raw sample of a measured run: what `plot` blocks receive as `samples`. */
export interface SampleRow {
  key: string;
  block: string;
  label: string;
  runtime: string;
  /** Swept parameter name and value, when the block is swept. */
  param?: string;
  paramValue?: ParamScalar;
  /** Time per call of this sample, ns (or instructions, see `unit`). */
  value: number;
  /** Position of the sample in the run, 0-based, processes in order. */
  index: number;
  /** The fresh process (0-based) the sample was taken in. */
  process: number;
  /** Whether the statistics flagged this sample as an outlier (outside Tukey's fences). */
  outlier: boolean;
  unit?: 'instructions';
}

/** Everything a notebook page is rendered from. */
export interface PageInput {
  notebook: Notebook;
  profile: string;
  /** Outcomes by block id, one per planned run (several for a swept block), in plan order. */
  outcomes: Record<string, BlockOutcome[]>;
  /** The machine the page's results come from. */
  machine?: Machine;
  /** The command that reproduces this page, shown in a "how to reproduce" box. */
  command: string;
  /** Each claim block's verdict, by block id. */
  claims?: Record<string, ClaimResult>;
  /** Files written beside the page (`<name>.json`, `.csv`...), linked from it. */
  downloads?: Download[];
  /**
   * The plan's parameters for `profile` (the sizes this run used), shown in the page's parameters
   * panel beside the article's; default: the notebook's, with the profile's overrides.
   */
  params?: Record<string, ParamValue>;
  /** The plan's runtimes: name the compiler and flags of each library (`lib` block) under the tables that use it. */
  runtimes?: Record<string, RuntimeInfo>;
  /** Every machine with results, when more than one has: shown side by side (see machines.ts). */
  machines?: MachineView[];
}

/** One machine's results of a notebook and its claims' verdicts on them. */
export interface MachineView {
  machine: Machine;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/** A file beside a page that the page links to. */
export interface Download {
  /** File name relative to the page. */
  href: string;
  /** What it is, e.g. `results as CSV`. */
  label: string;
}

/** Claims by direction verdict: holds, does not hold, inconclusive, not measured. */
export interface VerdictCounts {
  holds: number;
  fails: number;
  inconclusive: number;
  unmeasured: number;
}

/**
 * How a notebook's claims came out (filled in by the claim stage): the article's claims by
 * direction (the top-level counts) and by magnitude; this project's hypotheses counted apart.
 */
export interface ClaimCounts extends VerdictCounts {
  /** The article's claims by magnitude: against the article's figure. */
  magnitude: {agrees: number; differs: number; inconclusive: number; noFigure: number};
  /** This project's own hypotheses, by direction verdict. */
  hypotheses: VerdictCounts;
}

/** One claim on the index's ledger: its words, the article's figure and ours, both verdicts, where its box is. */
export interface LedgerRow {
  id: string;
  kind: 'claim' | 'hypothesis';
  text: string;
  /** The article's figure as written, when it gives one. */
  published?: string;
  /** This run's figure for the claim's main quantity, in words. */
  ours?: string;
  verdict: ClaimResult['verdict'];
  /** `agrees`, `differs`... against the article's figure, when it gives one. */
  magnitude?: string;
  /** The box on the notebook's page. */
  href: string;
  /** What the claim box warns of (the blocks compared compute different results). */
  warnings?: string[];
}

/** One line of the index page. */
export interface IndexEntry {
  name: string;
  title: string;
  href: string;
  article?: Notebook['article'];
  /** The notebook's one-line description. */
  description?: string;
  /** How the notebook's claims came out, when it has any. */
  claims?: ClaimCounts;
  /** Every claim and hypothesis of the notebook, for the index's ledger, in block order. */
  ledger?: LedgerRow[];
  blocks: number;
  failed: number;
  /** Date of the newest result on the page (ISO), if any. */
  measuredAt?: string;
  machine?: Machine;
  /** How many machines have results, when more than one has. */
  machines?: number;
  /** Each claim's verdict per machine, when more than one machine has results (the index's machine x claim matrix). */
  machineClaims?: {claims: Array<{id: string; text: string}>; machines: Array<{machine: Machine; verdicts: Record<string, ClaimResult['verdict']>}>};
}

/**
 * A cache of rendered charts by content hash, passed in so that render stays free of disk access.
 * With a hit, neither jsdom nor Plot is loaded.
 */
export interface ChartCache {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, svg: string): Promise<void>;
}

/** Options of the render stage. */
export interface RenderOptions {
  /** Rendered-chart cache; when absent every chart is rendered. */
  chartCache?: ChartCache;
}
