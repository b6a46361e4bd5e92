import type {ParamScalar} from './params.js';
import type {RunResult} from './result.js';
import type {RuntimeInfo} from './runtime.js';
import type {RunSummary, Stats} from './stats.js';

/** A process other than ours that used the CPU while we looked. */
export interface BusyProcess {
  pid: number;
  name: string;
  /** Share of one CPU it used while we looked, in percent. */
  cpuPercent: number;
}

/** What the noise check found. */
export interface NoiseReport {
  /** 1-minute load average. */
  loadavg: number;
  /** CPUs this process may run on (its affinity). */
  cpus: number;
  /** Processes that used more than 5% of a CPU while we looked, busiest first (at most 5). */
  busy: BusyProcess[];
  /** The CPU frequency governor, when /sys shows it. */
  governor?: string;
  /** Whether turbo (boost) is on, when /sys shows it. */
  turbo?: boolean;
  /** Whether simultaneous multithreading (hyper-threading) is active, when /sys shows it. */
  smt?: boolean;
  /** The hypervisor, when this is a virtual machine (`KVM`, `VMware`...), else absent. */
  virtualization?: string;
  /** One line per finding that makes timings noisier, each saying what to do. */
  warnings: string[];
}

/** The machine a result was measured on. */
export interface Machine {
  /** Short stable hash of the fields below but `loadavg`: keys results in `data/`. */
  fingerprint: string;
  hostname: string;
  cpu: string;
  /** CPUs this process may run on (its CPU affinity: `taskset -c 0` makes a 1-core machine). */
  cores: number;
  /**
   * Physical cores this process may run on: distinct (package, core) pairs among the CPUs of its
   * affinity mask, from /proc/cpuinfo or /sys. Absent in records made before it was recorded, and
   * where the topology cannot be read. Not part of the fingerprint.
   */
  physicalCores?: number;
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
  /** How quiet the machine was when the build began measuring (the noise check); not part of the fingerprint. */
  noise?: NoiseReport;
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
  /** The run's `size=` (default: its `per=` parameter) from its parameters: estimates of other sizes scale from it. */
  size?: number;
  profile: string;
  runtime: RuntimeInfo;
  machine: Machine;
  /** ISO date the run finished. */
  date: string;
  result: RunResult;
  /** Statistics of `result.samples` (bench blocks that succeeded). */
  stats?: Stats;
  /** Earlier runs of the same code, runtime and machine, oldest first: the spread between runs in `stats.ci` comes from them. */
  history?: RunSummary[];
}
