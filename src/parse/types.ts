import type {Root} from 'mdast';

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
  /** Shown only, never executed. */
  | 'code'
  /** An Observable Plot specification evaluated against results. */
  | 'plot'
  /** A table built from results. */
  | 'table';

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
  /** Runtime name for `bench` and `run` blocks (`python`, `go`, `c`, `js`, `ts`). */
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
}

/** A named set of parameter overrides, with optional measurement defaults. */
export interface Profile {
  params: Record<string, ParamValue>;
  measure: BlockOptions;
}

/** The article a notebook reproduces. */
export interface ArticleRef {
  title: string;
  url?: string;
  author?: string;
  site?: string;
  date?: string;
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
