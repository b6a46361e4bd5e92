/**
 * Run JavaScript and TypeScript blocks in a piscina worker pool, one fresh worker per task. The pool lives in
 * a child process, the JS host (host.ts), so a worker that aborts V8 ends the host and fails one block only.
 */
import {fork, type ChildProcess} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import type {Socket} from 'node:net';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {abortedOutcome, failedOutcome, formatBytes, timedOutOutcome, withTimings, type RunOutcome, type RunResult} from '../../model/index.js';
import type {PlannedRun} from '../../plan/types.js';
import {transpile} from '../../runtimes/js.js';
import type {BlockRun, ExecuteOptions} from '../../runtimes/index.js';
import {packageRoot} from '../../paths.js';
import {defaultMaxOutputBytes, memoryLimitReason, runProcess} from '../../system/run-process.js';
import {measureProcesses, type ProcessRunner} from '../inline.js';
import type {JsExitNotice, JsFailedReply, JsHostAnswer, JsHostRequest, JsOkReply, JsSerializedError, JsTask} from './protocol.js';

/** Bytes of the JS host's stderr kept for the reason of a crash (V8's fatal error is printed there). */
const hostStderrTailBytes = 8 * 1024;

/** How long an aborted task may take to come back before the host is killed, in milliseconds. */
const abortGraceMs = 2_000;

/** How long `closeJsPool` waits for the host to exit by itself before killing it, in milliseconds. */
const closeGraceMs = 5_000;

/** How a task sent to the JS host ended: its answer, or the host's death. */
type HostOutcome = JsHostAnswer | {type: 'crash'; code: number | null; signal: NodeJS.Signals | null; stderr: string};

/** The JS host child process and the tasks it has not answered yet. */
interface JsHost {
  child: ChildProcess;
  pending: Map<number, (outcome: HostOutcome) => void>;
  /** The tail of the host's stderr. */
  stderr: string;
  /** Resolves once the process has exited and its stderr is read. */
  closed: Promise<void>;
}

let host: JsHost | undefined;
let nextRequestId = 1;

/**
 * Keep the CLI alive while the host has tasks to answer, and no longer: an idle host must not stop the
 * process from exiting (it exits itself when its IPC channel closes).
 */
function updateRef(current: JsHost): void {
  const busy = current.pending.size > 0;
  const handles = [current.child, current.child.channel, current.child.stderr as (Socket | null)];
  for (const handle of handles) {
    if (busy) handle?.ref();
    else handle?.unref();
  }
}

/**
 * The JS host, started on first use so a report without JS blocks never starts it. It owns the piscina
 * pool, so a fatal V8 error in a worker (nodejs/node#47224) ends the host and fails the pending block,
 * not the CLI; the next block starts a fresh host.
 */
function getHost(): JsHost {
  if (host) return host;
  const child = fork(fileURLToPath(new URL('./host.js', import.meta.url)), [], {
    // Not the CLI's own flags: `--inspect` would clash on its port, `--test` flags mean nothing here.
    execArgv: [],
    serialization: 'advanced',
    // Workers capture their output; only V8's own fatal messages reach the host's stderr.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  });
  let onClose!: () => void;
  const current: JsHost = {child, pending: new Map(), stderr: '', closed: new Promise((resolve) => (onClose = resolve))};
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    current.stderr = (current.stderr + chunk).slice(-hostStderrTailBytes);
  });
  child.on('message', (message: JsHostAnswer) => {
    const settle = current.pending.get(message.id);
    current.pending.delete(message.id);
    updateRef(current);
    settle?.(message);
  });
  const die = (code: number | null, signal: NodeJS.Signals | null) => {
    if (host === current) host = undefined;
    const pending = [...current.pending.values()];
    current.pending.clear();
    for (const settle of pending) settle({type: 'crash', code, signal, stderr: current.stderr});
    onClose();
  };
  child.on('close', die);
  // Failed to start, or could not be signalled: 'close' may never come, so settle now.
  child.on('error', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    die(child.exitCode, child.signalCode);
  });
  host = current;
  updateRef(current);
  return current;
}

/** Run one task in the JS host, forwarding an abort of `signal`; never rejects. */
function runInHost(task: JsTask, memoryBytes: number | undefined, signal: AbortSignal): Promise<HostOutcome> {
  const current = getHost();
  const id = nextRequestId++;
  return new Promise<HostOutcome>((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      current.child.send({type: 'abort', id} satisfies JsHostRequest, () => {});
      // A host too stuck to answer an abort is killed; its 'close' settles the task.
      grace = setTimeout(() => current.child.kill('SIGKILL'), abortGraceMs);
      grace.unref();
    };
    current.pending.set(id, (outcome) => {
      clearTimeout(grace);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    });
    updateRef(current);
    current.child.send({type: 'run', id, task, memoryBytes} satisfies JsHostRequest, (error) => {
      if (error) current.child.kill('SIGKILL');
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, {once: true});
  });
}

/** Stop the JS host (if one was started) and its workers so the process can exit; the next run starts a new one. */
export async function closeJsPool(): Promise<void> {
  const current = host;
  host = undefined;
  if (!current) return;
  current.child.send({type: 'close'} satisfies JsHostRequest, () => {});
  const killer = setTimeout(() => current.child.kill('SIGKILL'), closeGraceMs);
  await current.closed;
  clearTimeout(killer);
}

/** An error the host sent back, rebuilt so it reads like the one piscina rejected with. */
function deserializeError(error: JsSerializedError): unknown {
  if (!error.isError) return error.message;
  return Object.assign(new Error(error.message), {name: error.name, stack: error.stack ?? error.message, ...(error.code ? {code: error.code} : {})});
}

/** The result for a block whose JS host died: most often V8's fatal out-of-memory abort on one huge allocation. */
function describeHostCrash(
  crash: Extract<HostOutcome, {type: 'crash'}>,
  memoryBytes?: number
): Pick<RunResult, 'status' | 'reason' | 'exitCode' | 'stdout' | 'stderr'> {
  const how = crash.signal ? `killed by ${crash.signal}` : `exited with code ${crash.code}`;
  const reason = memoryLimitReason(memoryBytes, crash.stderr, `V8 aborted the JS host: ${how}`) ?? `the JS host crashed (${how})`;
  return failedOutcome(reason, {exitCode: 1, stderr: crash.stderr});
}

/** A block's code as an ES module: JS as is, TypeScript transpiled, or the syntax errors found. */
async function toModule(run: Pick<BlockRun, 'runtime' | 'code'>, label: string): Promise<{code: string} | {reason: string; stderr: string}> {
  if (run.runtime === 'js') return {code: run.code};
  const {code, errors} = await transpile(run.code, label);
  if (errors.length === 0) return {code};
  return {reason: errors[0]!.split('\n', 1)[0]!, stderr: `${errors.join('\n')}\n`};
}

/** Add the location V8 leaves out of a JS module's SyntaxError, when the TypeScript parser finds one. */
async function locateSyntaxError(run: BlockRun, label: string, reply: JsFailedReply): Promise<JsFailedReply> {
  if (run.runtime !== 'js' || !reply.reason.startsWith('SyntaxError')) return reply;
  const {errors} = await transpile(run.code, label);
  const where = /^(\S+:\d+:\d+):/.exec(errors[0] ?? '');
  if (!where) return reply;
  return {...reply, reason: `${reply.reason} (${where[1]})`, stderr: `${errors.join('\n')}\n${reply.stderr}`};
}

/** The result for a task piscina rejected: the worker exited, or an error escaped the block's task. */
function describeWorkerFailure(
  error: unknown,
  notice: JsExitNotice | undefined,
  modulePath: string,
  label: string,
  memoryBytes?: number
): Pick<RunResult, 'status' | 'reason' | 'exitCode' | 'stdout' | 'stderr'> {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as {code?: unknown} | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    const limit = memoryBytes === undefined ? 'its memory limit' : `the memory limit of ${formatBytes(memoryBytes)}`;
    const reason = `hit ${limit} (the worker's JavaScript heap is full): raise it with memory= on the block or --memory-limit`;
    return failedOutcome(reason, {exitCode: 1, stderr: `${message}\n`});
  }
  const exit = /^worker exited with code:? (-?\d+)/.exec(message);
  // Node's handler for an uncaught error in a worker calls process.exit() too, so a notice alone does not
  // mean the block exited: only piscina's exit error does.
  if (exit && notice) {
    const reason = `worker exited: the block called process.exit(${notice.code})`;
    return failedOutcome(reason, {exitCode: 1, stdout: notice.stdout, stderr: notice.stderr});
  }
  if (exit) {
    return failedOutcome(`worker exited with code ${exit[1]}: the worker crashed`, {exitCode: 1});
  }
  // An error thrown outside the task's promise chain (a timer callback, an unhandled rejection) fails
  // the task with that error.
  const reason = (error instanceof Error ? `${error.name}: ${message}` : message).split('\n', 1)[0]!;
  const stack = error instanceof Error ? (error.stack ?? message) : message;
  const stderr = `${stack.replaceAll(pathToFileURL(modulePath).href, label).replaceAll(modulePath, label)}\n`;
  return failedOutcome(reason, {exitCode: 1, stderr});
}

/** The memory probe run for JS and TS bench blocks. */
const memoryProbe = path.join(packageRoot, 'src/runtimes/harness/memory.mjs');

/**
 * The block's peak resident set in a process of its own (`node memory.mjs`): one sample's worth of
 * calls. The pool's workers share one process, whose resident set says nothing of one block.
 * `undefined` when the probe fails: memory is then not measured rather than wrong.
 */
async function probeMemory(run: PlannedRun, code: string, calls: number, options: ExecuteOptions, remainingMs: number): Promise<number | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-memory-'));
  try {
    const file = path.join(dir, 'block.mjs');
    const result = path.join(dir, 'memory.json');
    await writeFile(file, code);
    const probe = await runProcess(process.execPath, [memoryProbe, file, run.measure.fn, String(calls)], {
      cwd: dir,
      env: {...options.env, BENCHBOOK_RESULT: result},
      timeoutMs: Math.max(1000, Math.min(remainingMs, 60_000)),
      maxOutputBytes: 64 * 1024,
      ...(options.signal ? {signal: options.signal} : {}),
      ...(run.memoryBytes === undefined ? {} : {memoryBytes: run.memoryBytes})
    });
    if (probe.exitCode !== 0) return undefined;
    const kib = (JSON.parse(await readFile(result, 'utf8')) as {maxRssKiB?: unknown}).maxRssKiB;
    return typeof kib === 'number' && kib > 0 ? kib : undefined;
  } catch {
    return undefined;
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

/** Check the settings a JS run depends on; a bad value is a bug upstream, not a block failure. */
function checkRun(run: BlockRun): void {
  if (run.runtime !== 'js' && run.runtime !== 'ts') {
    throw new TypeError(`executeJs runs js and ts blocks, not ${JSON.stringify(run.runtime)}: pick the executor by run.runtime`);
  }
  if (!(run.timeoutMs > 0)) throw new TypeError(`run.timeoutMs must be a positive number, got ${run.timeoutMs}`);
  if (run.kind !== 'bench') return;
  const {measure} = run;
  for (const name of ['repeat', 'processes'] as const) {
    if (!Number.isInteger(measure[name]) || measure[name] < 1) {
      throw new TypeError(`run.measure.${name} must be a positive integer, got ${measure[name]}`);
    }
  }
  if (!Number.isInteger(measure.warmup) || measure.warmup < 0) {
    throw new TypeError(`run.measure.warmup must be a non-negative integer, got ${measure.warmup}`);
  }
  if (!(measure.minSampleMs >= 0)) throw new TypeError(`run.measure.minSampleMs must be >= 0, got ${measure.minSampleMs}`);
}

/**
 * Runs one `js` or `ts` block in the pool. A `run` block is imported once in a fresh worker with its
 * console output captured. A `bench` block must export a no-argument function named
 * `run.measure.fn`; it is measured as every inline block is (`measureProcesses`), each "process"
 * a fresh worker that calibrates a loop count and samples until steady (a function that returns a
 * promise has every call awaited). Workers run one after another so they do not compete for the
 * CPU, and `run.timeoutMs` bounds the whole run. Block failures, timeouts, aborts and worker exits
 * come back as a result, never as a rejection; only invalid settings throw a `TypeError`. If the host
 * dies (V8 aborts it on one huge allocation), the block fails and the next one starts a new host.
 */
export async function executeJs(run: PlannedRun, options: ExecuteOptions): Promise<RunResult> {
  const opened = await openJsBlock(run, options);
  if ('result' in opened) return opened.result;
  try {
    if (run.kind === 'run') return opened.finish(await opened.runOnce());
    return opened.finish(await opened.settle(await measureProcesses(run, opened.runner, options, opened.remainingMs)));
  } finally {
    await opened.release();
  }
}

/** A JS or TS block made ready for the pool: how to run it once, or one bench "process" of it. */
export interface OpenJsBlock {
  /** A `run` block: imported once in a fresh worker. */
  runOnce(): Promise<RunOutcome>;
  /** A `bench` block: one fresh worker that calibrates and samples until steady. */
  runner: ProcessRunner;
  /** Milliseconds left before the block's time limit. */
  remainingMs(): number;
  /** A measured outcome with the block's memory, from a process of its own. */
  settle(measured: RunOutcome): Promise<RunOutcome>;
  /** The outcome with the block's timings: wall time since opening, the transpile time. */
  finish(outcome: RunOutcome): RunResult;
  /** Removes what the block left (its module files) and stops its timer. */
  release(): Promise<void>;
}

/** Transpiles (TS) and readies a block for the pool, or gives the result that says why not. */
export async function openJsBlock(run: PlannedRun, options: ExecuteOptions): Promise<OpenJsBlock | {result: RunResult}> {
  checkRun(run);
  const started = performance.now();
  let buildMs: number | undefined;
  const finish = (outcome: RunOutcome): RunResult => withTimings(outcome, performance.now() - started, buildMs);
  if (options.signal?.aborted) return {result: finish(abortedOutcome({exitCode: 1}))};

  const timeout = new AbortController();
  const signal = options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal;
  const label = `${run.blockId}.${run.runtime}`;
  const modulePaths: string[] = [];
  const buildStart = performance.now();
  if (run.runtime === 'ts') options.onPhase?.({phase: 'building'});
  const source = await toModule(run, label);
  if (run.runtime === 'ts') buildMs = performance.now() - buildStart;
  if ('reason' in source) return {result: finish(failedOutcome(source.reason, {exitCode: 1, stderr: source.stderr}))};
  // Started after the build so the one-off cost of loading typescript does not eat a block's budget.
  const deadline = performance.now() + run.timeoutMs;
  const timer = setTimeout(() => timeout.abort(), run.timeoutMs);
  const task = (bench?: JsTask['bench']): JsTask => {
    const modulePath = path.join(options.cacheDir, 'js', `${run.blockId.replace(/[^\w.-]/g, '_')}-${randomUUID()}.mjs`);
    modulePaths.push(modulePath);
    return {kind: run.kind, code: source.code, modulePath, label, maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes, ...(bench ? {bench} : {})};
  };
  // One task in a fresh worker: its reply, or the outcome that says why there is none.
  const inWorker = async (bench?: JsTask['bench']): Promise<JsOkReply | RunOutcome> => {
    const sent = task(bench);
    const outcome = await runInHost(sent, run.memoryBytes, signal);
    if (outcome.type !== 'reply') {
      if (timeout.signal.aborted) return timedOutOutcome(run.timeoutMs);
      if (options.signal?.aborted) return abortedOutcome({exitCode: 1});
      if (outcome.type === 'crash') return {...describeHostCrash(outcome, run.memoryBytes), timedOut: false};
      return {...describeWorkerFailure(deserializeError(outcome.error), outcome.notice, sent.modulePath, label, run.memoryBytes), timedOut: false};
    }
    const {reply} = outcome;
    if (reply.status === 'failed') {
      const failed = await locateSyntaxError(run, label, reply);
      return failedOutcome(failed.reason, {exitCode: 1, stdout: failed.stdout, stderr: failed.stderr});
    }
    return reply;
  };
  return {
    async runOnce() {
      options.onPhase?.({phase: 'running'});
      const reply = await inWorker();
      return 'threadId' in reply ? {status: 'ok', exitCode: 0, timedOut: false, stdout: reply.stdout, stderr: reply.stderr} : reply;
    },
    async runner(request) {
      const before = performance.now();
      const reply = await inWorker({fn: run.measure.fn, warmup: request.warmup, repeat: request.repeat, minSampleMs: run.measure.minSampleMs, maxSamples: request.maxSamples, minNs: request.minNs, maxNs: request.maxNs});
      if (!('threadId' in reply)) return reply;
      return {trace: reply.samples, loops: reply.loops, timerResolutionNs: reply.timerResolutionNs, capped: reply.capped, wallMs: performance.now() - before, stdout: reply.stdout, stderr: reply.stderr};
    },
    remainingMs: () => deadline - performance.now(),
    async settle(measured) {
      if (measured.status !== 'ok') return measured;
      const maxRssKiB = await probeMemory(run, source.code, measured.loops?.[0] ?? 1, options, deadline - performance.now());
      return maxRssKiB === undefined ? measured : {...measured, memory: {...measured.memory, maxRssKiB}};
    },
    finish,
    async release() {
      clearTimeout(timer);
      // The worker deletes its module after importing it; this catches a worker killed before it could.
      await Promise.all(modulePaths.map((modulePath) => rm(modulePath, {force: true})));
    }
  };
}
