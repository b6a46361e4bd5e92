import type {Notebook, ParamScalar} from '../parse/types.js';
import type {Machine, StoredResult} from '../store/types.js';

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
}

/** A block's outcome as the page shows it: a stored result, or why there is none. */
export interface BlockOutcome {
  key: string;
  /** The stored result shown (absent when the block never ran or was skipped). */
  stored?: StoredResult;
  /** Set when the block was skipped on this run (runtime missing, `--from-data` without data). */
  skipped?: string;
  /**
   * A failed re-run whose good predecessor is still shown in `stored`: the page marks the stored
   * result stale and shows this error beside it.
   */
  failure?: StoredResult;
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
}

/** One line of the index page. */
export interface IndexEntry {
  name: string;
  title: string;
  href: string;
  article?: Notebook['article'];
  blocks: number;
  failed: number;
  /** Date of the newest result on the page (ISO), if any. */
  measuredAt?: string;
  machine?: Machine;
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
