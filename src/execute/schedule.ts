/**
 * Process mode: each run of a block is a whole program, timed like hyperfine. The scheduler builds
 * every block of a group once, then asks one runner process (runner/) for single runs on demand, in
 * rounds of one run per block, shuffled with a seed, so that drift on a shared machine falls on every
 * block alike instead of on whichever ran last.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {medianOfSorted, seededRandom} from '../measure/statistics.js';
import type {PlannedRun} from '../plan/types.js';
import {languageOfRuntime} from './languages.js';
import {defaultMaxOutputBytes, memoryLimitReason} from './process.js';
import {buildRunner, RunnerSession, type MeasuredRun} from './runner/index.js';
import type {ExecuteOptions, PreparedProgram, RunResult, RuntimeInfo} from './types.js';

/** Runs one planned block on its runtime (an entry of the executor table). */
export type Executor = (run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions) => Promise<RunResult>;

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

/** The empty program of each language: its runs measure the start-up every run of a block includes. */
const emptyPrograms: Record<string, string> = {
  python: 'pass\n',
  go: 'package main\n\nfunc main() {}\n',
  c: 'int main(void) { return 0; }\n',
  rust: 'fn main() {}\n',
  js: '',
  ts: ''
};

/** What a member's run promise settles with: the result without the executor's timings. */
type Outcome = Omit<RunResult, 'durationMs' | 'buildMs'>;

/** One program the runner serves: a member of the group, or the empty program of a runtime. */
interface Variant {
  /** Index in the members, or -1 for a start-up baseline. */
  member: number;
  runtime: string;
  /** The block's time limit, for the reason of a timeout. */
  timeoutMs: number;
  /** The block's memory limit (`memory=`), bytes. */
  memoryBytes?: number;
  program: PreparedProgram;
  /** The executor's promise, settled once the variant's outcome is released. */
  finished: Promise<RunResult>;
  /** Settles the executor's `runPrepared` with this variant's outcome. */
  release(outcome: Outcome): void;
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
 * Measures process-mode bench blocks: each is built once by its executor (`executorOf`), then run
 * as a whole program, `warmup` untimed runs first, then timed runs until each block has `runs` and
 * the runs of each block add up to `min-time` on average (at most {@link maxRounds}). Blocks given
 * together run interleaved: rounds of one run per block in a seeded random order, so they get the
 * same number of runs. An empty program of each runtime runs in the first `runs` rounds; its median
 * wall time is each result's `process.startupNs`. Every run's wall, user and system time and peak
 * RSS come from wait4. Results come back in the order of `members`; never throws for a block's fault.
 */
export async function measureProcessGroup(
  members: GroupMember[],
  options: ScheduleOptions,
  executorOf: (runtime: string) => Executor | undefined
): Promise<RunResult[]> {
  const settings = {
    warmup: Math.max(0, ...members.map(({run}) => run.measure.warmup)),
    runs: Math.max(1, ...members.map(({run}) => run.measure.runs ?? defaultRuns)),
    minTimeNs: Math.max(0, ...members.map(({run}) => run.measure.minTimeMs ?? defaultMinTimeMs)) * 1e6
  };
  const results: Array<Promise<RunResult>> = [];
  const variants: Variant[] = [];
  // Builds one after another: two compilers at once on a small machine slow both.
  for (const [index, {run, runtime}] of members.entries()) {
    const executor = programExecutor(run.runtime, executorOf);
    if (!executor) {
      results.push(Promise.resolve(skipped(`no executor for runtime ${run.runtime}`)));
      continue;
    }
    const held = await holdPrepared(asProgram(run), runtime, options, executor);
    results.push(held.finished);
    if ('program' in held) variants.push({...held, member: index, runtime: run.runtime, timeoutMs: run.timeoutMs, ...memoryOf(run), runs: [], ...outputFiles(held.program)});
  }
  // The start-up baseline of each runtime that has a prepared block.
  const prepared = [...variants];
  for (const runtimeName of new Set(prepared.map((variant) => variant.runtime))) {
    const model = members[prepared.find((variant) => variant.runtime === runtimeName)!.member]!;
    const code = emptyPrograms[languageOfRuntime(runtimeName) ?? runtimeName];
    const executor = programExecutor(runtimeName, executorOf);
    if (code === undefined || !executor || options.signal?.aborted) continue;
    // The empty program loads no library and has no memory limit of its own to hit.
    const baseline: PlannedRun = {...asProgram(model.run), key: `startup-${runtimeName}`, blockId: 'startup', code, params: {}, libraries: [], memoryBytes: undefined};
    const held = await holdPrepared(baseline, model.runtime, options, executor);
    if ('program' in held) variants.push({...held, member: -1, runtime: runtimeName, timeoutMs: baseline.timeoutMs, runs: [], ...outputFiles(held.program)});
  }

  let failure: Outcome | undefined;
  if (prepared.length > 0) {
    try {
      failure = await runRounds(variants, settings, options);
    } catch (error) {
      // Only our own machinery (the runner, temp files) gets here; report it as data like any failure.
      failure = internalFailure(error);
    }
  }
  for (const variant of variants) {
    if (variant.member < 0) variant.release(failure ?? {status: 'ok', timedOut: false, stdout: '', stderr: ''});
    else variant.release(failure ?? variant.failure ?? (await outcomeOf(variant, variants, options)));
  }
  return Promise.all(results);
}

/** A bench block as a whole program: its executor prepares it the way it prepares a `run` block. */
function asProgram(run: PlannedRun): PlannedRun {
  return {...run, kind: 'run'};
}

/**
 * Starts `executor` on `run` and waits until it has built the program (its `runPrepared` is
 * called) or has finished without one (a compile error). The executor then waits for `release`.
 */
async function holdPrepared(
  run: PlannedRun,
  runtime: RuntimeInfo,
  options: ExecuteOptions,
  executor: Executor
): Promise<{finished: Promise<RunResult>} & ({program: PreparedProgram; release(outcome: Outcome): void} | {result: RunResult})> {
  let release!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (release = resolve));
  let onPrepared!: (program: PreparedProgram) => void;
  const prepared = new Promise<PreparedProgram>((resolve) => (onPrepared = resolve));
  const finished = executor(run, runtime, {
    ...options,
    runPrepared: (program) => {
      onPrepared(program);
      return outcome;
    }
  }).catch((error: unknown): RunResult => ({...internalFailure(error), durationMs: 0}));
  const first = await Promise.race([prepared, finished.then((result) => ({result}))]);
  return 'result' in first ? {finished, result: first.result} : {finished, program: first, release};
}

/** Where a variant's first run writes its output. */
function outputFiles(program: PreparedProgram): {stdoutFile: string; stderrFile: string} {
  return {stdoutFile: path.join(program.workDir, 'benchbook-stdout.txt'), stderrFile: path.join(program.workDir, 'benchbook-stderr.txt')};
}

/**
 * Warm-up rounds, then timed rounds until the stop rule holds. Returns an outcome for every member
 * when the whole measurement failed (aborted, no runner); a failing block only leaves the rounds.
 */
async function runRounds(
  variants: Variant[],
  settings: {warmup: number; runs: number; minTimeNs: number},
  options: ScheduleOptions
): Promise<Outcome | undefined> {
  if (options.signal?.aborted) return {status: 'failed', reason: 'aborted', timedOut: false, stdout: '', stderr: ''};
  const runner = await buildRunner(options.cacheDir);
  if (typeof runner !== 'string') return {status: 'failed', reason: runner.failure, timedOut: false, stdout: '', stderr: ''};
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
          if (run.aborted || options.signal?.aborted) return {status: 'failed', reason: 'aborted', timedOut: false, stdout: '', stderr: ''};
          if (run.timeUp) {
            variant.failure = timedOut(variant);
            continue;
          }
          return {status: 'failed', reason: run.failure, timedOut: false, stdout: '', stderr: ''};
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
function runFailure(run: MeasuredRun, variant: Variant, timedRun: number | undefined): Omit<Outcome, 'stdout' | 'stderr'> | undefined {
  const which = timedRun === undefined ? '' : ` in timed run ${timedRun}`;
  if (run.timedOut) return {...timedOut(variant), ...(run.signal ? {signal: run.signal} : {})};
  if (run.spawnError !== undefined) return {status: 'failed', reason: `could not start: ${run.spawnError}`, timedOut: false};
  if (run.signal !== undefined) return {status: 'failed', reason: `killed by ${run.signal}${which}`, signal: run.signal, timedOut: false};
  if (run.exitCode !== 0) return {status: 'failed', reason: `exited with code ${run.exitCode}${which}`, exitCode: run.exitCode, timedOut: false};
  return undefined;
}

function timedOut(variant: Variant): Outcome {
  return {status: 'timed-out', reason: `timed out after ${formatSeconds(variant.timeoutMs)}`, timedOut: true, stdout: '', stderr: ''};
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

/** An error of our own machinery as a failed outcome: first line as the reason, stack as stderr. */
function internalFailure(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  const stderr = error instanceof Error && error.stack ? error.stack : message;
  return {status: 'failed', reason: message.split('\n')[0] || 'internal error', timedOut: false, stdout: '', stderr};
}

function skipped(reason: string): RunResult {
  return {status: 'skipped', reason, timedOut: false, durationMs: 0, stdout: '', stderr: ''};
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * The executor of a process-mode block: the runtime's own, which hands its built program to
 * `runPrepared`; JS and TS blocks, which otherwise run in worker threads, become a module file run
 * by `node`.
 */
function programExecutor(runtime: string, executorOf: (runtime: string) => Executor | undefined): Executor | undefined {
  return runtime === 'js' || runtime === 'ts' ? executeJsProgram : executorOf(runtime);
}

/** A JS or TS block as a program of its own: `node block.mjs` (TS transpiled first). */
async function executeJsProgram(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  const started = performance.now();
  const deadline = started + run.timeoutMs;
  const workDir = await mkdtemp(path.join(tmpdir(), 'benchbook-'));
  const finish = (result: Outcome, buildMs?: number): RunResult => ({
    ...result,
    durationMs: performance.now() - started,
    ...(buildMs === undefined ? {} : {buildMs})
  });
  try {
    let code = run.code;
    let buildMs: number | undefined;
    if (run.runtime === 'ts') {
      options.onPhase?.({phase: 'building'});
      const ts = await import('typescript');
      const output = ts.transpileModule(code, {
        fileName: `${run.blockId}.ts`,
        reportDiagnostics: true,
        compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext}
      });
      const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      buildMs = performance.now() - started;
      if (errors.length > 0) {
        const stderr = errors.map((d) => `${run.blockId}.ts: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`).join('\n');
        return finish({status: 'failed', reason: 'compile error', timedOut: false, stdout: '', stderr: `${stderr}\n`}, buildMs);
      }
      code = output.outputText;
    }
    const file = path.join(workDir, 'block.mjs');
    await writeFile(file, code);
    if (!options.runPrepared) throw new TypeError('executeJsProgram needs options.runPrepared: it only prepares the program');
    const result = await options.runPrepared({
      command: {file: runtime.executable, args: [file], ...(options.env ? {env: options.env} : {})},
      workDir,
      remainingMs: () => deadline - performance.now()
    });
    return finish(result, buildMs);
  } finally {
    await rm(workDir, {recursive: true, force: true});
  }
}
