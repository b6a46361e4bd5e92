import type {Root} from 'mdast';
import type {ClaimNode, ClaimUnit} from './claim-expression.js';

/** A point in a notebook file, 1-based like unist and every editor. */
export interface Point {
  line: number;
  column: number;
}

/** What a fenced block is for. */
export type BlockKind =
  /** Measured: the harness times the block's `bench` function. */
  | 'bench'
  /** Executed once; its output is shown (a version print, a `dis` listing). */
  | 'run'
  /** A library other blocks load (`uses=`): a Go or C shared library, or a PyO3 extension module. */
  | 'lib'
  /** Shown only, never executed. */
  | 'code'
  /** An Observable Plot specification evaluated against results. */
  | 'plot'
  /** A table built from results. */
  | 'table'
  /** A conclusion of the article (or a hypothesis of ours), checked against the results. */
  | 'claim';

/** A scalar parameter value from the front matter. */
export type ParamScalar = string | number | boolean;
/** A parameter value: a scalar, or a list of scalars that a block may sweep over. */
export type ParamValue = ParamScalar | ParamScalar[];

/** Validated options of a block, by name (`repeat=5` -> `{repeat: 5}`). */
export type BlockOptions = Record<string, string | number | boolean | string[]>;

/** One fenced block of a notebook. */
export interface Block {
  kind: BlockKind;
  /** Explicit `id=...`, or `<kind>-<n>` counted per kind in document order. */
  id: string;
  /** The fence's language word as written (`python`, `go`, `plot`, `bash`...). */
  lang: string;
  /** Runtime name for `bench`, `run` and `lib` blocks: the `runtime=` option, else the language's default (`python`, `go`...). */
  runtime?: string;
  options: BlockOptions;
  /** Where each option was written, for located messages in later stages. */
  optionPoints: Record<string, Point>;
  code: string;
  /** Start of the opening fence. */
  start: Point;
  /** End of the closing fence. */
  end: Point;
  /** Start of the first line of code (the line after the fence). */
  codeStart: Point;
  /** The parsed body of a `claim` block. */
  claim?: ClaimSpec;
  /** Where the claim's check expression starts, to locate problems in it. */
  claimPoint?: Point;
}

/** A named set of parameter overrides, with optional measurement defaults. */
export interface Profile {
  params: Record<string, ParamValue>;
  measure: BlockOptions;
}

/**
 * What a claim block states: `claim`, the article's conclusion in its own words (verbatim, inside
 * quotation marks), or `hypothesis`, this project's own question about the article's subject.
 * They are checked alike and shown and counted apart.
 */
export type ClaimKind = 'claim' | 'hypothesis';

/** A figure of the article, read from a claim's `published:` text (`2.2× slower (2,336 ns vs 1,067 ns)`). */
export interface PublishedClaimFigure {
  /** The whole text as written, shown beside ours. */
  text: string;
  /** The figure in the check language's units: ns for times, bytes, a ratio, a fraction for `%`. */
  value: number;
  unit: ClaimUnit;
  /**
   * For a ratio written `N× faster` or `N× slower`: the article's words. `faster(a, b)` and
   * `ratio(a, b)` read `a` against `b`: `2× faster` is ratio(a, b) = 0.5, `2× slower` is 2.
   */
  sense?: 'faster' | 'slower';
}

/** A `claim` block's body: the article's words (or our hypothesis), the check, and the article's own figure. */
export interface ClaimSpec {
  kind: ClaimKind;
  /** The conclusion in the article's words (`claim:`), or this project's question (`hypothesis:`). */
  text: string;
  /** The check as written, e.g. `ratio(pi-python, pi-go) > 100`. */
  check: string;
  /** The parsed check (see claim-expression.ts). */
  expression: ClaimNode;
  /** The article's figure for it, as written (`317x`, `1.06 µs`). */
  published?: string;
  /** `published` read as a figure, compared with ours for the magnitude verdict. */
  publishedFigure?: PublishedClaimFigure;
  /** `tolerance=` of the block: ours agrees with the article's figure within this factor either way (default 1.5). */
  tolerance?: number;
  /** `same-result=no` of the block (false): its blocks are meant to compute different results, so their return values are not compared (default true). */
  sameResult?: boolean;
  /** Why the check is written the way it is (thresholds, scaling). */
  note?: string;
}

/** The article's own figure for a result, entered once in the front matter's `published:`. */
export interface PublishedFigure {
  /** Time per call, ns (written `2.11 s`, `1.0552 us`...). */
  median?: number;
  min?: number;
  max?: number;
  /** Peak memory, bytes (written `4,167,400 B`, `112 B`). */
  peakBytes?: number;
  /** The article's time divided by the swept value, as it printed it (`Average Time per Thread: 4.95 seconds`), ns. */
  share?: number;
  /** The article's change from the previous row, as it printed it: (previous - this) / previous, a fraction (`49.5377%` is 0.495377). */
  improvement?: number;
  /** Where the figure comes from or how it was scaled. */
  note?: string;
  /** The results file the times are read from (`from:`), instead of being written in the front matter. */
  from?: PublishedSource;
}

/** The tools whose results files a published figure can be read from. */
export type ResultsTool = 'pytest-benchmark' | 'pyperf' | 'hyperfine' | 'go test';

/**
 * A results file of another tool, kept beside the notebook, that a published figure is read from:
 * pytest-benchmark's `--benchmark-json`, pyperf's `-o`, hyperfine's `--export-json` or the output of
 * `go test -bench`. The parse stage records it; `readPublishedFiles` reads it.
 */
export interface PublishedSource {
  /** The file as written, relative to the notebook's folder. */
  file: string;
  /** The benchmark's name in it (pytest-benchmark's name or fullname, pyperf's name, hyperfine's command, go's `BenchmarkX`). */
  benchmark: string;
  /** The file's times are for this many units of work: they are divided by it, as a block's `per=` divides its own. */
  per?: number;
  /** Which tool wrote the file, once read. */
  tool?: ResultsTool;
  /** How many samples (rounds, values, runs, lines) the figures summarise, once read. */
  samples?: number;
  /** Where `from:` and `benchmark:` are written, for located messages. */
  points: {from: Point; benchmark: Point};
}

/** The article a notebook reproduces. */
export interface ArticleRef {
  title: string;
  url?: string;
  author?: string;
  site?: string;
  date?: string;
  /** The machine the article measured on, from its text (`Ryzen 5 3600, 6 cores / 12 threads`). */
  machine?: string;
  /** The interpreters and compilers the article names (`Python 3.12.7, Go 1.23.2`). */
  versions?: string;
  /** How the article timed (`whole programs under perf stat`). */
  method?: string;
  /** In this project's words, how the notebook's measurement differs from the article's. */
  differences?: string;
  /** The article's own value of parameters whose `full` profile value differs from it, with why. */
  sizes?: Record<string, ArticleSize>;
}

/** The article's value of one parameter, where the `full` profile cannot use it. */
export interface ArticleSize {
  value: ParamValue;
  /** Why the `full` profile uses another value. */
  note?: string;
}

/** A parsed notebook: front matter, blocks, and the Markdown tree for rendering prose. */
export interface Notebook {
  /** The notebook's path as given (used in messages and output names). */
  path: string;
  /** File name without `.md`: names its page, its data folder and its exports. */
  name: string;
  title: string;
  description?: string;
  article?: ArticleRef;
  /** Default parameter values. */
  params: Record<string, ParamValue>;
  /** Named overrides of `params`; `quick` is the default profile. */
  profiles: Record<string, Profile>;
  /** The article's figures by result key (`pi-go`, `pool@workers=4`). */
  published: Record<string, PublishedFigure>;
  /** Measurement defaults for every bench block (`repeat`, `warmup`, `processes`, `min-sample`, `timeout`). */
  measure: BlockOptions;
  blocks: Block[];
  /** The mdast tree; `code` nodes carry `data.blockIndex` pointing into `blocks`. */
  tree: Root;
}

/** A located problem in a notebook, formatted as `file:line:column: message [rule]`. */
export interface NotebookMessage {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Stable rule id, documented in docs/errors.md. */
  rule: string;
  fatal: boolean;
}

/** What `parseNotebook` returns: the notebook (when it could be read at all) and every message. */
export interface ParseResult {
  notebook?: Notebook;
  messages: NotebookMessage[];
}
