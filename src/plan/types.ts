import type {Notebook, ParamValue, ParamScalar} from '../parse/types.js';
import type {MeasureSettings, RuntimeInfo} from '../execute/types.js';

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
  /** Per-run time limit. */
  timeoutMs: number;
  /** Content hash: code, options, params and runtime version. */
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
