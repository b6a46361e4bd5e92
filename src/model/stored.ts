import type {ParamScalar} from './params.js';
import type {RunResult} from './result.js';
import type {RuntimeInfo} from './runtime.js';
import type {Stats} from './stats.js';

/** The machine a result was measured on. */
export interface Machine {
  /** Short stable hash of the fields below but `loadavg`: keys results in `data/`. */
  fingerprint: string;
  hostname: string;
  cpu: string;
  /** CPUs this process may run on (its CPU affinity: `taskset -c 0` makes a 1-core machine). */
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  arch: string;
  /** 1-minute load average when the run started. */
  loadavg: number;
  /** The kernel's CPU frequency governor (`performance`, `powersave`...), when /sys shows it. */
  governor?: string;
  /** Whether turbo/boost clocks are on, when /sys shows it: timings move with it. */
  turbo?: boolean;
}

/** A stored result: one planned run's outcome with everything needed to trust and reuse it. */
export interface StoredResult {
  /** Format version of this record. */
  format: 1;
  notebook: string;
  key: string;
  blockId: string;
  kind: 'bench' | 'run';
  hash: string;
  sweep?: {name: string; value: ParamScalar};
  /** Samples were divided by this parameter's value (`per=`): they are per iteration. */
  per?: {name: string; value: number};
  profile: string;
  runtime: RuntimeInfo;
  machine: Machine;
  /** ISO date the run finished. */
  date: string;
  result: RunResult;
  /** Statistics of `result.samples` (bench blocks that succeeded). */
  stats?: Stats;
}
