/**
 * Process mode: each run of a block is a whole program, timed like hyperfine. The scheduler builds
 * every block of a group once, then asks one runner process (runner/) for single runs on demand, in
 * rounds of one run per block, shuffled with a seed, so that drift on a shared machine falls on every
 * block alike instead of on whichever ran last.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {medianOfSorted, seededRandom} from '../measure/statistics.js';
import {abortedOutcome, failedOutcome, internalFailure, timedOutOutcome, type RunOutcome, type RunResult, type RuntimeInfo} from '../model/index.js';
import type {PlannedRun} from '../plan/types.js';
import {runtimeEntry, type ExecuteOptions} from '../runtimes/index.js';
import {defaultMaxOutputBytes, memoryLimitReason} from '../system/run-process.js';
import {prepareProgram, type PreparedProgram} from './program.js';
import {buildRunner, RunnerSession, type MeasuredRun} from './runner/index.js';

/** A block of a group and the runtime it runs on. */
export interface GroupMember {
  run: PlannedRun;
  runtime: RuntimeInfo;
}

/** Options of {@link measureProcessGroup}. */
export interface ScheduleOptions extends ExecuteOptions {
  /** Seed of the shuffled order of each round (default 1): the same seed, the same order. */
  seed?: number;
}

/** Default of the `runs` option: timed runs at least (hyperfine's default). */
export const defaultRuns = 10;
/** Default of the `min-time` option, ms: keep running until the timed runs add up to this. */
export const defaultMinTimeMs = 1000;
/** Rounds stop here even when `min-time` is not reached (a program that does nothing). */
export const maxRounds = 10_000;

type Outcome = RunOutcome;

/** One program the runner serves: a member of the group, or the empty program of a runtime. */
export interface Variant {
  /** Index in the members, or -1 for a start-up baseline. */
  member: number;
  runtime: string;
  /** The block's time limit, for the reason of a timeout. */
  timeoutMs: number;
  /** The block's memory limit (`memory=`), bytes. */
  memoryBytes?: number;
  program: PreparedProgram;
  runs: MeasuredRun[];
  /** The first run's output (the only one kept; the others go to /dev/null). */
  stdoutFile: string;
  stderrFile: string;
  /** Set when a run failed: the variant leaves the rounds. */
  failure?: Outcome;
}

/**
 * The order of `rounds` rounds of `count` variants: each round is every index once, shuffled
 * (Fisher–Yates) by a PRNG seeded with `seed`. The scheduler draws its rounds the same way.
 */
export function interleavedOrder(count: number, rounds: number, seed = 1): number[][] {
  const random = seededRandom(seed);
  return Array.from({length: rounds}, () => shuffle([...Array(count).keys()], random));
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Measures process-mode bench blocks: each is built once by its runtime's entry, then run as a
 * whole program, `warmup` untimed runs first, then timed runs until each block has `runs` and the
 * runs of each block add up to `min-time` on average (at most {@link maxRounds}). Blocks given
 * together run interleaved: rounds of one run per block in a seeded random order, so they get the
 * same number of runs. The runtime's empty program runs in the first `runs` rounds; its median
 * wall time is each result's `process.startupNs`. Every run's wall, user and system time and peak
 * RSS come from wait4. Results come back in the order of `members`; never throws for a block's fault.
 */
export async function measureProcessGroup(members: GroupMember[], options: ScheduleOptions): Promise<RunResult[]> {
  const settings: RoundSettings = {
    warmup: Math.max(0, ...members.map(({run}) => run.measure.warmup)),
    runs: Math.max(1, ...members.map(({run}) => run.measure.runs ?? defaultRuns)),
    minTimeNs: Math.max(0, ...members.map(({run}) => run.measure.minTimeMs ?? defaultMinTimeMs)) * 1e6
  };
  const results: RunResult[] = [];
  const variants: Variant[] = [];
  // Builds one after another: two compilers at once on a small machine slow both.
  for (const [index, {run, runtime}] of members.entries()) {
    const preparation = await prepareProgram(asProgram(run), runtime, options);
    if ('result' in preparation) results[index] = preparation.result;
    else variants.push(variantOf(index, run, preparation.program));
  }
  // The start-up baseline of each runtime that has a prepared block.
  const prepared = [...variants];
  for (const runtimeName of new Set(prepared.map((variant) => variant.runtime))) {
    const model = members[prepared.find((variant) => variant.runtime === runtimeName)!.member]!;
    const code = runtimeEntry(runtimeName)?.emptyProgram;
    if (code === undefined || options.signal?.aborted) continue;
    // The empty program loads no library and has no memory limit of its own to hit.
    const baseline: PlannedRun = {...asProgram(model.run), key: `startup-${runtimeName}`, blockId: 'startup', code, params: {}, libraries: [], memoryBytes: undefined};
    const preparation = await prepareProgram(baseline, model.runtime, options);
    if ('program' in preparation) variants.push(variantOf(-1, baseline, preparation.program));
  }

  const startups = variants.filter((variant) => variant.member < 0);
  const outcomes = await measurePrograms(prepared, startups, settings, options);
  prepared.forEach((variant, index) => (results[variant.member] = variant.program.finish(outcomes[index]!)));
  for (const variant of variants) await variant.program.release();
  return results;
}

/** Settings of the rounds: the largest of every member's. */
export interface RoundSettings {
  warmup: number;
  runs: number;
  minTimeNs: number;
}

/**
 * The rounds themselves, on programs already prepared (`startups` are empty programs whose median
 * is each member's start-up, by runtime): an outcome per member, in order. Exported so that a
 * harness check can time an exact command line the way process mode does.
 */
export async function measurePrograms(members: Variant[], startups: Variant[], settings: RoundSettings, options: ScheduleOptions): Promise<RunOutcome[]> {
  const variants = [...members, ...startups];
  let failure: Outcome | undefined;
  try {
    if (members.length > 0) failure = await runRounds(variants, settings, options);
  } catch (error) {
    // Only our own machinery (the runner, temp files) gets here; report it as data like any failure.
    failure = internalFailure(error);
  }
  const outcomes: RunOutcome[] = [];
  for (const variant of members) outcomes.push(failure ?? variant.failure ?? (await outcomeOf(variant, variants, options)));
  return outcomes;
}

/** A prepared program as one of the programs the rounds run (`member` -1: a start-up baseline). */
export function variantOf(member: number, run: PlannedRun, program: PreparedProgram): Variant {
  return {
    member,
    runtime: run.runtime,
    timeoutMs: run.timeoutMs,
    ...memoryOf(run),
    program,
    runs: [],
    stdoutFile: path.join(program.workDir, 'benchbook-stdout.txt'),
    stderrFile: path.join(program.workDir, 'benchbook-stderr.txt')
  };
}

/** A bench block as a whole program: its runtime prepares it the way it prepares a `run` block. */
function asProgram(run: PlannedRun): PlannedRun {
  return {...run, kind: 'run'};
}

/**
 * Warm-up rounds, then timed rounds until the stop rule holds. Returns an outcome for every member
 * when the whole measurement failed (aborted, no runner); a failing block only leaves the rounds.
 */
async function runRounds(
  variants: Variant[],
  settings: RoundSettings,
  options: ScheduleOptions
): Promise<Outcome | undefined> {
  if (options.signal?.aborted) return abortedOutcome();
  const runner = await buildRunner(options.cacheDir);
  if (typeof runner !== 'string') return failedOutcome(runner.failure);
  const specDir = await mkdtemp(path.join(tmpdir(), 'benchbook-runner-'));
  const session = await RunnerSession.start(
    runner,
    variants.map(({program, memoryBytes}) => ({
      // Go's collector works harder before an allocation fails, as under runProcess's limit.
      command: memoryBytes === undefined ? program.command : {...program.command, env: {GOMEMLIMIT: String(Math.floor(memoryBytes * 0.9)), ...program.command.env}},
      cwd: program.workDir,
      ...(memoryBytes === undefined ? {} : {memoryBytes})
    })),
    {workDir: specDir, ...(options.signal ? {signal: options.signal} : {})}
  );
  const random = seededRandom(options.seed ?? 1);
  const members = variants.filter((variant) => variant.member >= 0);
  let reportedAt = Number.NEGATIVE_INFINITY;
  try {
    for (let round = 0; round < settings.warmup + maxRounds; round++) {
      const timed = round >= settings.warmup;
      if (round === 0 && !timed) options.onPhase?.({phase: 'warming-up'});
      // A round of a tiny program takes a millisecond: report a few a second, not thousands.
      if (timed && options.onPhase && performance.now() - reportedAt >= 100) {
        reportedAt = performance.now();
        options.onPhase({phase: 'measuring', process: round - settings.warmup + 1, processes: expectedRounds(members, round - settings.warmup, settings)});
      }
      const taking = variants.filter((variant) => !variant.failure && (variant.member >= 0 || variant.runs.length < settings.runs));
      for (const index of shuffle([...taking.keys()], random)) {
        const variant = taking[index]!;
        const first = round === 0;
        const run = await session.run(variants.indexOf(variant), {
          timeoutMs: variant.program.remainingMs(),
          ...(first ? {stdout: variant.stdoutFile, stderr: variant.stderrFile} : {})
        });
        if ('failure' in run) {
          if (run.aborted || options.signal?.aborted) return abortedOutcome();
          if (run.timeUp) {
            variant.failure = timedOutOutcome(variant.timeoutMs);
            continue;
          }
          return failedOutcome(run.failure);
        }
        const problem = runFailure(run, variant, timed ? variant.runs.length + 1 : undefined);
        if (problem) {
          const output = first ? await readOutput(variant, options) : {stdout: '', stderr: ''};
          const memory = problem.status === 'failed' ? memoryLimitReason(variant.memoryBytes, `${output.stderr}\n${output.stdout}`, problem.reason ?? 'failed') : undefined;
          variant.failure = {...problem, ...output, ...(memory ? {reason: memory} : {})};
          continue;
        }
        if (timed) variant.runs.push(run);
      }
      const active = members.filter((variant) => !variant.failure);
      if (active.length === 0) break;
      const timedRounds = round + 1 - settings.warmup;
      const meanTotal = active.reduce((sum, variant) => sum + total(variant.runs), 0) / active.length;
      if (timedRounds >= settings.runs && meanTotal >= settings.minTimeNs) break;
    }
  } finally {
    await session.close();
    await rm(specDir, {recursive: true, force: true});
  }
  return undefined;
}

/**
 * How many timed rounds the stop rule should take, after `done` of them: `runs`, or more when the
 * runs so far say `min-time` needs more (at most {@link maxRounds}).
 */
function expectedRounds(members: Variant[], done: number, settings: {runs: number; minTimeNs: number}): number {
  const active = members.filter((variant) => !variant.failure);
  if (done === 0 || active.length === 0) return settings.runs;
  const meanRoundNs = active.reduce((sum, variant) => sum + total(variant.runs), 0) / active.length / done;
  const forMinTime = meanRoundNs > 0 ? Math.ceil(settings.minTimeNs / meanRoundNs) : maxRounds;
  return Math.min(maxRounds, Math.max(settings.runs, done + 1, forMinTime));
}

/** The result of a block that ran to the end of the rounds. */
async function outcomeOf(variant: Variant, variants: Variant[], options: ExecuteOptions): Promise<Outcome> {
  const baseline = variants.find((other) => other.member < 0 && other.runtime === variant.runtime && !other.failure && other.runs.length > 0);
  const startupNs = baseline ? medianOfSorted(baseline.runs.map((run) => run.wallNs).sort((a, b) => a - b)) : undefined;
  const {runs} = variant;
  return {
    status: 'ok',
    exitCode: 0,
    timedOut: false,
    ...(await readOutput(variant, options)),
    samples: runs.map((run) => run.wallNs),
    unit: 'ns',
    process: {
      wallNs: runs.map((run) => run.wallNs),
      userNs: runs.map((run) => run.userNs),
      sysNs: runs.map((run) => run.sysNs),
      maxRssKiB: runs.map((run) => run.maxRssKiB),
      ...(startupNs === undefined ? {} : {startupNs})
    },
    memory: {maxRssKiB: Math.max(0, ...runs.map((run) => run.maxRssKiB))}
  };
}

/** Why a run counts as a failure of its block, or `undefined` when it exited with 0. */
function runFailure(run: MeasuredRun, variant: Variant, timedRun: number | undefined): Outcome | undefined {
  const which = timedRun === undefined ? '' : ` in timed run ${timedRun}`;
  if (run.timedOut) return timedOutOutcome(variant.timeoutMs, run.signal ? {signal: run.signal} : {});
  if (run.spawnError !== undefined) return failedOutcome(`could not start: ${run.spawnError}`);
  if (run.signal !== undefined) return failedOutcome(`killed by ${run.signal}${which}`, {signal: run.signal});
  if (run.exitCode !== 0) return failedOutcome(`exited with code ${run.exitCode}${which}`, {exitCode: run.exitCode});
  return undefined;
}

/** The first run's output, capped like every captured output. */
async function readOutput(variant: Variant, options: ExecuteOptions): Promise<{stdout: string; stderr: string}> {
  const max = options.maxOutputBytes ?? defaultMaxOutputBytes;
  const read = async (file: string) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return '';
    }
    if (bytes.length <= max) return bytes.toString('utf8');
    const text = bytes.subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}[benchbook: output truncated, ${bytes.length - max} bytes dropped]\n`;
  };
  return {stdout: await read(variant.stdoutFile), stderr: await read(variant.stderrFile)};
}

function total(runs: MeasuredRun[]): number {
  return runs.reduce((sum, run) => sum + run.wallNs, 0);
}

function memoryOf(run: PlannedRun): {memoryBytes?: number} {
  return run.memoryBytes === undefined ? {} : {memoryBytes: run.memoryBytes};
}
