import type {Notebook, ParamValue, ParamScalar} from '../parse/types.js';
import type {MeasureSettings, RuntimeInfo} from '../model/index.js';

/** One unit of execution: a `bench` or `run` block, once per swept value. */
export interface PlannedRun {
  /** Store key: the block id, plus `@name=value` for a swept run (`pool@workers=4`). */
  key: string;
  blockId: string;
  kind: 'bench' | 'run';
  runtime: string;
  /** The block's code with `{{param}}` placeholders filled in. */
  code: string;
  /** The swept parameter and its value for this run, if any. */
  sweep?: {name: string; value: ParamScalar};
  /** Every parameter as resolved for this run. */
  params: Record<string, ParamValue>;
  measure: MeasureSettings;
  /** Times are divided by this parameter's value (`per=iterations`): results are per iteration. */
  per?: {name: string; value: number};
  /** The `lib` blocks this run uses (`uses=`), built before it runs; absent when it uses none. */
  libraries?: PlannedLibrary[];
  /** Per-run time limit: the written one at the quick profile's sizes, scaled by `size` (see `runTimeout`). */
  timeoutMs: number;
  /** The run's `size=` (default: its `per=` parameter) computed from its parameters: what its duration grows with. */
  size?: number;
  /** Memory limit of the run's processes (JS: of its worker's heap), in bytes; absent means no limit. */
  memoryBytes?: number;
  /** Content hash: code, options, params and runtime version. */
  hash: string;
  /**
   * Inline bench runs compared with others (by one claim, one table's `blocks=`, or one sweep): the
   * key that names their set. When several of a set run in one build, their processes are interleaved.
   */
  compareSet?: string;
}

/** A `lib` block as the runs that use it need it: built before them, and part of their hash. */
export interface PlannedLibrary {
  id: string;
  /** `go` (c-shared library), `c` (shared library) or `rust` (PyO3 extension module). */
  runtime: string;
  /** The block's code as written: parameters are not filled into libraries. */
  code: string;
  /** Limit for building it (`timeout=`, default 5 minutes: a first PyO3 build compiles PyO3 itself). */
  timeoutMs: number;
  /** Content hash: code, compiler version and executable, build recipe. */
  hash: string;
}

/** A notebook made ready to execute under one profile. */
export interface Plan {
  notebook: Notebook;
  profile: string;
  params: Record<string, ParamValue>;
  runs: PlannedRun[];
  /** Resolved runtimes by name; absent ones are in `missing`. */
  runtimes: Record<string, RuntimeInfo>;
  missing: Record<string, string>;
}
