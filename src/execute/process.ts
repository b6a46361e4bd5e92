import {execa} from 'execa';
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {Readable} from 'node:stream';
import type {PlannedRun} from '../plan/types.js';
import type {ExecuteOptions, RunResult} from './types.js';

/** Options for {@link runProcess}. */
export interface ProcessOptions {
  /** Working directory of the child (default: this process's). */
  cwd?: string;
  /** Variables added to the inherited environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Kill the child after this many milliseconds (default: no limit); `<= 0` means already expired. */
  timeoutMs?: number;
  /** Cap on captured bytes per stream; the rest is dropped with a marker (default 1 MiB). */
  maxOutputBytes?: number;
  /** Kills the child when aborted; the result then has `aborted: true`. */
  signal?: AbortSignal;
  /** Text written to the child's stdin (default: stdin is closed). */
  input?: string;
}

/** What a finished child produced, in execa's result shape; failures are data, never thrown. */
export interface ProcessResult {
  /** Exit code, `undefined` when the child was killed by a signal or never started. */
  exitCode?: number;
  /** The signal that killed the child, e.g. `SIGSEGV`. */
  signal?: string;
  timedOut: boolean;
  aborted: boolean;
  /** Why the child could not be started (e.g. `spawn go ENOENT`). */
  spawnError?: string;
  /** `ENOENT`, `EACCES`, ... when the child could not be started. */
  spawnErrorCode?: string;
  durationMs: number;
  /** Captured output, uncapped bytes decoded as UTF-8, final newline kept. */
  stdout: string;
  stderr: string;
}

/** Default cap on captured output per stream. */
export const defaultMaxOutputBytes = 1024 * 1024;

// Grace between SIGTERM and SIGKILL: long enough for a clean exit, short enough to keep a
// timed-out run close to its limit.
const forceKillAfterMs = 1000;

// After SIGKILL, how long to wait for the output pipes to close before giving up on them: a process
// that escaped the kill (it left the process tree) may hold them open indefinitely.
const abandonPipesAfterMs = 500;

/** Runs `file` with `args` (no shell) and returns its result; never throws for a failing child. */
export async function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions = {}
): Promise<ProcessResult> {
  const {cwd, env, timeoutMs, signal, input} = options;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  if (signal?.aborted) return notStarted({aborted: true});
  if (timeoutMs !== undefined && timeoutMs <= 0) return notStarted({timedOut: true});

  // Collect output ourselves: execa's maxBuffer kills the child, but a chatty benchmark should
  // still finish, with only its first bytes kept.
  const subprocess = execa(file, args, {
    cwd,
    env,
    extendEnv: true,
    reject: false,
    buffer: false,
    cleanup: true,
    forceKillAfterDelay: false,
    ...(input === undefined ? {stdin: 'ignore' as const} : {input})
  });
  const stdout = captureStream(subprocess.stdout, maxOutputBytes);
  const stderr = captureStream(subprocess.stderr, maxOutputBytes);

  // Timeouts and aborts are ours rather than execa's: execa signals only the child, and a
  // grandchild holding the output pipes would keep the run waiting long past its deadline.
  let stopped: 'timeout' | 'abort' | undefined;
  const timers: NodeJS.Timeout[] = [];
  const stop = (why: 'timeout' | 'abort') => {
    if (stopped) return;
    stopped = why;
    void killTree(subprocess.pid, 'SIGTERM').then((pids) => {
      timers.push(
        setTimeout(() => {
          void killTree(subprocess.pid, 'SIGKILL', pids);
          timers.push(
            setTimeout(() => {
              subprocess.stdout?.destroy();
              subprocess.stderr?.destroy();
            }, abandonPipesAfterMs)
          );
        }, forceKillAfterMs)
      );
    });
  };
  const onAbort = () => stop('abort');
  if (timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), timeoutMs));
  signal?.addEventListener('abort', onAbort, {once: true});

  let result;
  try {
    result = await subprocess;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  const cause = (result as {cause?: unknown}).cause;
  const code = (result as {code?: string}).code;
  const spawnFailed = subprocess.pid === undefined;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: stopped === 'timeout',
    aborted: stopped === 'abort',
    ...(spawnFailed
      ? {
          spawnError: cause instanceof Error ? cause.message : result.shortMessage,
          ...(code ? {spawnErrorCode: code} : {})
        }
      : {}),
    durationMs: result.durationMs,
    stdout: stdout.text(),
    stderr: stderr.text()
  };
}

/**
 * Sends `signal` to a process and its descendants (found through /proc on Linux; elsewhere only the
 * process itself), descendants first. Returns the pids signalled, so a later SIGKILL also reaches
 * descendants that the first signal orphaned.
 */
async function killTree(pid: number | undefined, signal: NodeJS.Signals, known: number[] = []): Promise<number[]> {
  if (pid === undefined) return known;
  const pids = [...new Set([...(await descendantsOf(pid)), ...known, pid])];
  for (const target of pids) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/** Every descendant of `pid`, nearest first, from the parent links in /proc (empty elsewhere). */
async function descendantsOf(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  await Promise.all(
    entries.map(async (entry) => {
      try {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        // Fields after the parenthesised command name: state, ppid, ...
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(parent) ?? [];
        list.push(Number(entry));
        children.set(parent, list);
      } catch {
        // The process ended while we looked.
      }
    })
  );
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A result for a child that was never started because the run was already over. */
function notStarted(flags: {timedOut?: boolean; aborted?: boolean}): ProcessResult {
  return {
    timedOut: flags.timedOut ?? false,
    aborted: flags.aborted ?? false,
    durationMs: 0,
    stdout: '',
    stderr: ''
  };
}

/** Keeps the first `maxBytes` of a stream and counts the rest. */
function captureStream(stream: Readable | null, maxBytes: number): {text(): string} {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  stream?.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = maxBytes - kept;
    if (room >= bytes.length) {
      chunks.push(bytes);
      kept += bytes.length;
    } else {
      if (room > 0) chunks.push(bytes.subarray(0, room));
      kept += Math.max(0, room);
      dropped += bytes.length - Math.max(0, room);
    }
  });
  return {
    text() {
      let text = Buffer.concat(chunks).toString('utf8');
      if (dropped === 0) return text;
      // The cut may split a multi-byte character; drop the broken tail rather than show U+FFFD.
      text = text.replace(/\uFFFD+$/, '');
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      return `${text}${separator}[benchbook: output truncated, ${dropped} bytes dropped]\n`;
    }
  };
}

/** A block made ready to run by a language executor: the command to start, or its failed build. */
export type PreparedBlock =
  | {command: PreparedCommand; buildMs: number}
  | {buildFailure: ProcessResult; buildMs: number};

/** The program that runs a block: for `bench` blocks, the harness with the block loaded. */
export interface PreparedCommand {
  file: string;
  args: string[];
  /** Extra environment for every process of the run. */
  env?: Record<string, string>;
}

/** What a language executor gets to prepare a block. */
export interface PrepareContext {
  /** A fresh temp directory, removed after the run; also the children's working directory. */
  workDir: string;
  /** Milliseconds left before the run's deadline (may be negative). */
  remainingMs(): number;
  signal?: AbortSignal;
  maxOutputBytes: number;
}

/**
 * Runs one planned block through an external program: `prepare` writes sources and builds, then a
 * `run` block executes once, and a `bench` block runs the harness in `run.measure.processes` fresh
 * processes whose samples are pooled. One deadline (`run.timeoutMs`) covers builds and every
 * process. Never throws: every failure is a `RunResult` with a one-line `reason`.
 */
export async function executeExternal(
  run: PlannedRun,
  options: ExecuteOptions,
  prepare: (context: PrepareContext) => Promise<PreparedBlock>
): Promise<RunResult> {
  const started = performance.now();
  const deadline = started + run.timeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  const {signal} = options;
  let buildMs: number | undefined;
  const finish = (result: Omit<RunResult, 'durationMs' | 'buildMs'>): RunResult => ({
    ...result,
    durationMs: performance.now() - started,
    ...(buildMs === undefined ? {} : {buildMs})
  });
  if (signal?.aborted) return finish({...aborted, stdout: '', stderr: ''});

  let workDir: string | undefined;
  try {
    workDir = await mkdtemp(path.join(tmpdir(), 'benchbook-'));
    const context: PrepareContext = {
      workDir,
      remainingMs: () => deadline - performance.now(),
      maxOutputBytes,
      ...(signal ? {signal} : {})
    };
    const prepared = await prepare(context);
    buildMs = prepared.buildMs;
    if ('buildFailure' in prepared) {
      const compiler = prepared.buildFailure;
      const output = [compiler.stderr, compiler.stdout].filter((text) => text !== '').join('\n');
      // A compiler that ran and said no is a compile error; one that was stopped is not.
      const stopped = compiler.aborted || compiler.timedOut || compiler.spawnError !== undefined;
      const failure = stopped
        ? failureOf(compiler, run.timeoutMs)!
        : {status: 'failed' as const, reason: 'compile error', timedOut: false};
      return finish({...failure, stdout: '', stderr: output});
    }

    const {command} = prepared;
    const processOptions = (env: Record<string, string>): ProcessOptions => ({
      cwd: context.workDir,
      env: {...command.env, ...env},
      timeoutMs: context.remainingMs(),
      maxOutputBytes,
      ...(signal ? {signal} : {})
    });
    if (run.kind === 'run') {
      const result = await runProcess(command.file, command.args, processOptions({}));
      return finish(fromProcess(result, run.timeoutMs));
    }

    const samples: number[] = [];
    const loops: number[] = [];
    let first: ProcessResult | undefined;
    const processes = Math.max(1, Math.floor(run.measure.processes));
    for (let index = 0; index < processes; index++) {
      const resultFile = path.join(workDir, `result-${index}.json`);
      const result = await runProcess(
        command.file,
        command.args,
        processOptions({
          BENCHBOOK_RESULT: resultFile,
          BENCHBOOK_FN: run.measure.fn,
          BENCHBOOK_REPEAT: String(run.measure.repeat),
          BENCHBOOK_WARMUP: String(run.measure.warmup),
          BENCHBOOK_MIN_SAMPLE_NS: String(Math.round(run.measure.minSampleMs * 1e6))
        })
      );
      first ??= result;
      if (failureOf(result, run.timeoutMs)) return finish(fromProcess(result, run.timeoutMs));
      const measured = await readHarnessResult(resultFile, run.measure.repeat);
      if (typeof measured === 'string') {
        return finish({
          status: 'failed',
          reason: `harness produced no result: ${measured}`,
          exitCode: 0,
          timedOut: false,
          stdout: result.stdout,
          stderr: result.stderr
        });
      }
      samples.push(...measured.samples);
      loops.push(measured.loops);
    }
    return finish({...fromProcess(first!, run.timeoutMs), samples, loops});
  } catch (error) {
    // Only our own machinery (temp dirs, the cache) gets here; report it as data like any failure.
    const message = error instanceof Error ? error.message : String(error);
    return finish({
      status: 'failed',
      reason: message.split('\n')[0] ?? 'internal error',
      timedOut: false,
      stdout: '',
      stderr: error instanceof Error && error.stack ? error.stack : message
    });
  } finally {
    if (workDir) await rm(workDir, {recursive: true, force: true}).catch(() => {});
  }
}

/** What a harness writes to `BENCHBOOK_RESULT`. */
export interface HarnessResult {
  /** Nanoseconds per call, one per timed sample. */
  samples: number[];
  /** Calls per sample chosen by calibration. */
  loops: number;
  /** Smallest step the harness's clock showed, in nanoseconds. */
  timerResolutionNs: number;
}

/** Reads and checks a harness result file; returns what was wrong, as a phrase, when it is unusable. */
export async function readHarnessResult(file: string, repeat: number): Promise<HarnessResult | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'the result file was not written';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `the result file is not JSON (${describeText(text)})`;
  }
  const result = value as Partial<HarnessResult> | null;
  const isSample = (sample: unknown) => typeof sample === 'number' && Number.isFinite(sample) && sample >= 0;
  if (
    typeof result !== 'object' ||
    result === null ||
    !Array.isArray(result.samples) ||
    !result.samples.every(isSample) ||
    !Number.isInteger(result.loops) ||
    (result.loops as number) < 1 ||
    typeof result.timerResolutionNs !== 'number'
  ) {
    return `expected {"samples": [ns...], "loops": n, "timerResolutionNs": ns}, saw ${describeText(text)}`;
  }
  if (result.samples.length !== repeat) {
    return `expected ${repeat} samples, saw ${result.samples.length}`;
  }
  return {samples: result.samples, loops: result.loops as number, timerResolutionNs: result.timerResolutionNs};
}

const aborted = {status: 'failed', reason: 'aborted', timedOut: false} as const;

/** The failure a finished process stands for, or `undefined` when it succeeded. */
function failureOf(result: ProcessResult, timeoutMs: number): Omit<RunResult, 'durationMs' | 'stdout' | 'stderr'> | undefined {
  const signal = result.signal === undefined ? {} : {signal: result.signal};
  if (result.aborted) return {...aborted, ...signal};
  if (result.timedOut) {
    return {status: 'timed-out', reason: `timed out after ${formatSeconds(timeoutMs)}`, timedOut: true, ...signal};
  }
  if (result.spawnError !== undefined) {
    return {status: 'failed', reason: `could not start: ${result.spawnError}`, timedOut: false};
  }
  if (result.signal !== undefined) {
    return {status: 'failed', reason: `killed by ${result.signal}`, timedOut: false, ...signal};
  }
  if (result.exitCode !== 0) {
    return {status: 'failed', reason: `exited with code ${result.exitCode}`, exitCode: result.exitCode, timedOut: false};
  }
  return undefined;
}

/** A process result as a run result (without timings). */
function fromProcess(result: ProcessResult, timeoutMs: number): Omit<RunResult, 'durationMs' | 'buildMs'> {
  const status = failureOf(result, timeoutMs) ?? {status: 'ok', exitCode: 0, timedOut: false};
  return {...status, stdout: result.stdout, stderr: result.stderr};
}

/** `2000` -> `2 s`, `1500` -> `1.5 s`. */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** The start of unexpected text, quoted, for an error message. */
function describeText(text: string): string {
  if (text.trim() === '') return 'an empty file';
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
