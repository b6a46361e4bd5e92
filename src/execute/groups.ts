import type {RunPhase, RunResult, RuntimeInfo} from '../model/index.js';
import {groupKey} from '../plan/index.js';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions} from '../runtimes/index.js';
import {measureCompared} from './compared.js';
import {executeGroup, executeRun} from './index.js';

/** Options of a {@link RunScheduler}. */
export interface RunSchedulerOptions extends ExecuteOptions {
  /** Resolved runtimes by name: a group member without one is left to the caller (skipped). */
  runtimes: Record<string, RuntimeInfo>;
  /** Only these block ids run (`--filter`); the other members of a group are not measured. */
  filter?: string[];
  /** Keys of the runs this build measures: compared blocks among them are measured together, interleaved. */
  running?: ReadonlySet<string>;
}

/**
 * Executes a plan's runs for the report, one call per run in plan order. A run outside a group is
 * executed alone; the first run of a group that needs executing measures the whole group at once,
 * interleaved, and the group's other runs get their results from that measurement. A group is a
 * `group=` (process mode: runs interleaved; inline: processes interleaved), or, for inline blocks,
 * the blocks of one claim, table or sweep (`compareSet`) that this build measures.
 */
export class RunScheduler {
  readonly #runs: readonly PlannedRun[];
  readonly #options: RunSchedulerOptions;
  readonly #groups = new Map<string, Promise<Map<string, RunResult>>>();

  constructor(runs: readonly PlannedRun[], options: RunSchedulerOptions) {
    this.#runs = runs;
    this.#options = options;
  }

  /** Whether `run` was measured with its group in this build: its stored result is then stale. */
  measured(run: PlannedRun): boolean {
    const group = groupKey(run);
    return (group !== undefined && this.#groups.has(`group:${group}`)) || (run.compareSet !== undefined && this.#groups.has(`compare:${run.compareSet}`));
  }

  /**
   * Executes `run` (see the class); never throws for a problem of the block itself. `onPhase` hears
   * its phases, and those of its whole group when it is the run that measures the group.
   */
  async execute(run: PlannedRun, runtime: RuntimeInfo, onPhase?: (phase: RunPhase) => void): Promise<RunResult> {
    const {runtimes, filter, running, ...shared} = this.#options;
    const options = onPhase ? {...shared, onPhase} : shared;
    if (run.kind !== 'bench' || run.measure.metric === 'instructions') return executeRun(run, runtime, options);
    const group = groupKey(run);
    const inline = run.measure.mode !== 'process';
    const measuredWith = (other: PlannedRun) => other.kind === 'bench' && other.measure.metric !== 'instructions' && runtimes[other.runtime] !== undefined && (other.measure.mode !== 'process') === inline;
    let key: string | undefined;
    let members: PlannedRun[] = [];
    if (group !== undefined) {
      key = `group:${group}`;
      members = this.#runs.filter((other) => groupKey(other) === group && measuredWith(other) && (other === run || filter === undefined || filter.includes(other.blockId)));
    } else if (inline && run.compareSet !== undefined && running !== undefined) {
      key = `compare:${run.compareSet}`;
      members = this.#runs.filter((other) => other.compareSet === run.compareSet && measuredWith(other) && running.has(other.key));
    }
    if (key === undefined || members.length < 2) return executeRun(run, runtime, options);
    let measured = this.#groups.get(key);
    if (!measured) {
      const pairs = members.map((member) => ({run: member, runtime: runtimes[member.runtime]!}));
      measured = (inline ? measureCompared(pairs, options) : executeGroup(pairs, options)).then((results) => new Map(members.map((member, index) => [member.key, results[index]!])));
      this.#groups.set(key, measured);
    }
    return (await measured).get(run.key) ?? executeRun(run, runtime, options);
  }
}
