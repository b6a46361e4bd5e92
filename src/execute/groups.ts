import {failedOutcome, withTimings, type RunPhase, type RunResult, type RuntimeInfo} from '../model/index.js';
import {groupKey} from '../plan/index.js';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions} from '../runtimes/index.js';
import {executeGroup, executeRun} from './index.js';

/** Options of a {@link RunScheduler}. */
export interface RunSchedulerOptions extends ExecuteOptions {
  /** Resolved runtimes by name: a group member without one is left to the caller (skipped). */
  runtimes: Record<string, RuntimeInfo>;
  /** Only these block ids run (`--filter`); the other members of a group are not measured. */
  filter?: string[];
}

/**
 * Executes a plan's runs for the report, one call per run in plan order. A run outside a group is
 * executed alone; the first run of a group (`group=` on process-mode blocks) that needs executing
 * measures the whole group at once, interleaved, and the group's other runs get their results
 * from that measurement.
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
    const key = groupKey(run);
    return key !== undefined && this.#groups.has(key);
  }

  /**
   * Executes `run` (see the class); never throws for a problem of the block itself. `onPhase` hears
   * its phases, and those of its whole group when it is the run that measures the group.
   */
  async execute(run: PlannedRun, runtime: RuntimeInfo, onPhase?: (phase: RunPhase) => void): Promise<RunResult> {
    const {runtimes, filter, ...shared} = this.#options;
    const options = onPhase ? {...shared, onPhase} : shared;
    const key = groupKey(run);
    if (key === undefined || run.measure.metric === 'instructions') return executeRun(run, runtime, options);
    if (run.measure.mode !== 'process') {
      const reason = `group=${run.measure.group} needs mode=process: inline blocks are measured one after another; add mode=process or remove group`;
      return withTimings(failedOutcome(reason), 0);
    }
    let measured = this.#groups.get(key);
    if (!measured) {
      const members = this.#runs.filter(
        (other) =>
          groupKey(other) === key &&
          other.measure.mode === 'process' &&
          runtimes[other.runtime] !== undefined &&
          (other === run || filter === undefined || filter.includes(other.blockId))
      );
      measured = executeGroup(
        members.map((member) => ({run: member, runtime: runtimes[member.runtime]!})),
        options
      ).then((results) => new Map(members.map((member, index) => [member.key, results[index]!])));
      this.#groups.set(key, measured);
    }
    return (await measured).get(run.key) ?? executeRun(run, runtime, options);
  }
}
