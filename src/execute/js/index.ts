/**
 * Run JavaScript and TypeScript blocks in a piscina worker pool, one fresh worker per task.
 */
import {randomUUID} from 'node:crypto';
import {rm} from 'node:fs/promises';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {Piscina} from 'piscina';
import type {PlannedRun} from '../../plan/types.js';
import {formatBytes} from '../process.js';
import type {ExecuteOptions, RunResult, RuntimeInfo} from '../types.js';
import {isJsExitNotice, taskHandlerName, type JsExitNotice, type JsFailedReply, type JsReply, type JsTask} from './protocol.js';

/** Default cap on captured bytes per stream: 1 MiB. */
const defaultMaxOutputBytes = 1024 * 1024;

let pool: Piscina<JsTask, JsReply> | undefined;
// The heap limit the pool's workers were started with (piscina sets resourceLimits per pool, not per task).
let poolMemoryBytes: number | undefined;
// Thread ids of workers that have been handed a task; they never get another one.
let usedWorkers = new Set<number>();
// Output of blocks that called process.exit(), by task (module path), until executeJs collects it.
const exitNotices = new Map<string, JsExitNotice>();
let typescript: Promise<typeof import('typescript')> | undefined;

/**
 * The pool, started on first use so a report without JS blocks never spawns a worker. Piscina 5 has no
 * `isolateWorkers`, so isolation is built from two parts: the load balancer only hands a task to a worker
 * that has never had one, and `retireWorker` terminates each worker once its task is done (piscina then
 * boots a replacement, up to `minThreads`). One thread: a second one would boot or run while the first
 * measures, and on a small machine that shows up in the samples.
 */
async function getPool(memoryBytes: number | undefined): Promise<Piscina<JsTask, JsReply>> {
  if (pool && poolMemoryBytes === memoryBytes) return pool;
  // Workers are single-use anyway, so a pool for another limit costs no more than the next worker.
  if (pool) await closeJsPool();
  poolMemoryBytes = memoryBytes;
  const used = usedWorkers;
  pool = new Piscina<JsTask, JsReply>({
    // V8's old generation, where a big allocation lands; ArrayBuffers live outside it and are not limited.
    ...(memoryBytes === undefined ? {} : {resourceLimits: {maxOldGenerationSizeMb: Math.max(16, Math.floor(memoryBytes / 2 ** 20))}}),
    filename: fileURLToPath(new URL('./worker.js', import.meta.url)),
    name: taskHandlerName,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    loadBalancer: (_task, workers) => {
      for (const worker of workers) {
        if (worker.currentUsage === 0 && !worker.terminating && !worker.destroyed && !used.has(worker.id)) {
          used.add(worker.id);
          return worker;
        }
      }
      return null;
    }
  });
  // A block's stray async error after its task has replied would otherwise be an unhandled 'error'
  // event and crash the whole CLI; the worker is being retired anyway.
  pool.on('error', () => {});
  pool.on('message', (message: unknown) => {
    if (isJsExitNotice(message)) exitNotices.set(message.modulePath, message);
  });
  return pool;
}

/** Terminate the worker that ran a task, so its JIT state and globals never reach another task. */
async function retireWorker(current: Piscina<JsTask, JsReply>, threadId: number): Promise<void> {
  const worker = current.threads.find((thread) => thread.threadId === threadId);
  await worker?.terminate();
}

/** Stop the JS worker pool (if one was started) so the process can exit; the next run starts a new one. */
export async function closeJsPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  poolMemoryBytes = undefined;
  usedWorkers = new Set();
  await current?.destroy();
}

/**
 * Transpile a block (types stripped, not checked) and list its syntax errors as `file:line:col: error TSn:
 * message` lines. Also used on JS blocks that failed with a SyntaxError, because V8's error for a module
 * carries no location.
 */
async function transpile(code: string, fileName: string): Promise<{code: string; errors: string[]}> {
  // Loaded on first use only: importing typescript costs a few hundred milliseconds.
  const ts = await (typescript ??= import('typescript'));
  const output = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, allowJs: true}
  });
  const errors = (output.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${fileName}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: error TS${d.code}: ${message}`;
    });
  return {code: output.outputText, errors};
}

/** A block's code as an ES module: JS as is, TypeScript transpiled, or the syntax errors found. */
async function toModule(run: PlannedRun, label: string): Promise<{code: string} | {reason: string; stderr: string}> {
  if (run.runtime === 'js') return {code: run.code};
  const {code, errors} = await transpile(run.code, label);
  if (errors.length === 0) return {code};
  return {reason: errors[0]!.split('\n', 1)[0]!, stderr: `${errors.join('\n')}\n`};
}

/** Add the location V8 leaves out of a JS module's SyntaxError, when the TypeScript parser finds one. */
async function locateSyntaxError(run: PlannedRun, label: string, reply: JsFailedReply): Promise<JsFailedReply> {
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
    return {status: 'failed', reason, exitCode: 1, stdout: '', stderr: `${message}\n`};
  }
  const exit = /^worker exited with code:? (-?\d+)/.exec(message);
  // Node's handler for an uncaught error in a worker calls process.exit() too, so a notice alone does not
  // mean the block exited: only piscina's exit error does.
  if (exit && notice) {
    const reason = `worker exited: the block called process.exit(${notice.code})`;
    return {status: 'failed', reason, exitCode: 1, stdout: notice.stdout, stderr: notice.stderr};
  }
  if (exit) {
    return {status: 'failed', reason: `worker exited with code ${exit[1]}: the worker crashed`, exitCode: 1, stdout: '', stderr: ''};
  }
  // An error thrown outside the task's promise chain (a timer callback, an unhandled rejection) fails
  // the task with that error.
  const reason = (error instanceof Error ? `${error.name}: ${message}` : message).split('\n', 1)[0]!;
  const stack = error instanceof Error ? (error.stack ?? message) : message;
  const stderr = `${stack.replaceAll(pathToFileURL(modulePath).href, label).replaceAll(modulePath, label)}\n`;
  return {status: 'failed', reason, exitCode: 1, stdout: '', stderr};
}

/** Seconds for a reason line: `1`, `0.5`, `2.25`. */
function formatSeconds(ms: number): string {
  return String(Math.round(ms / 10) / 100);
}

/** Check the settings a JS run depends on; a bad value is a bug upstream, not a block failure. */
function checkRun(run: PlannedRun): void {
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
 * Run one `js` or `ts` block. A `run` block is imported once with its console output captured. A `bench`
 * block must export a no-argument function named `run.measure.fn`; each of `run.measure.processes` fresh
 * workers calibrates a loop count, warms up and takes `repeat` samples (a function that returns a promise
 * has every call awaited, so the samples include that overhead). Processes run one after another so they
 * do not compete for the CPU, and `run.timeoutMs` bounds the whole run. Block failures, timeouts, aborts
 * and worker exits come back as a result, never as a rejection; only invalid settings throw a `TypeError`.
 * `runtime` is taken for the shared executor signature: blocks run in this process's own Node.
 */
export async function executeJs(run: PlannedRun, runtime: RuntimeInfo, options: ExecuteOptions): Promise<RunResult> {
  checkRun(run);
  const started = performance.now();
  const finish = (result: Omit<RunResult, 'durationMs' | 'timedOut'> & {timedOut?: boolean}): RunResult => ({
    timedOut: false,
    ...result,
    durationMs: performance.now() - started
  });
  const aborted = () => finish({status: 'failed', reason: 'aborted', exitCode: 1, stdout: '', stderr: ''});
  if (options.signal?.aborted) return aborted();

  const timeout = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const signal = options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal;
  const label = `${run.blockId}.${run.runtime}`;
  const modulePath = path.join(options.cacheDir, 'js', `${run.blockId.replace(/[^\w.-]/g, '_')}-${randomUUID()}.mjs`);
  try {
    const buildStart = performance.now();
    if (run.runtime === 'ts') options.onPhase?.({phase: 'building'});
    const source = await toModule(run, label);
    const built = run.runtime === 'ts' ? {buildMs: performance.now() - buildStart} : {};
    if ('reason' in source) return finish({status: 'failed', reason: source.reason, exitCode: 1, stdout: '', stderr: source.stderr, ...built});
    // Started after the build so the one-off cost of loading typescript does not eat a block's budget.
    timer = setTimeout(() => timeout.abort(), run.timeoutMs);

    const task: JsTask = {
      kind: run.kind,
      code: source.code,
      modulePath,
      label,
      maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes,
      ...(run.kind === 'bench' ? {bench: {fn: run.measure.fn, warmup: run.measure.warmup, repeat: run.measure.repeat, minSampleMs: run.measure.minSampleMs}} : {})
    };
    const processes = run.kind === 'bench' ? run.measure.processes : 1;
    const samples: number[] = [];
    const loops: number[] = [];
    let timerResolutionNs = 0;
    let output: {stdout: string; stderr: string} | undefined;
    for (let index = 0; index < processes; index++) {
      options.onPhase?.(run.kind === 'bench' ? {phase: 'measuring', process: index + 1, processes} : {phase: 'running'});
      let reply: JsReply;
      const current = await getPool(run.memoryBytes);
      try {
        reply = await current.run(task, {signal});
      } catch (error) {
        if (timeout.signal.aborted) {
          return finish({status: 'timed-out', reason: `timed out after ${formatSeconds(run.timeoutMs)} s`, timedOut: true, stdout: output?.stdout ?? '', stderr: output?.stderr ?? '', ...built});
        }
        if (options.signal?.aborted) return aborted();
        return finish({...describeWorkerFailure(error, exitNotices.get(modulePath), modulePath, label, run.memoryBytes), ...built});
      }
      await retireWorker(current, reply.threadId);
      if (reply.status === 'failed') {
        const failed = await locateSyntaxError(run, label, reply);
        return finish({status: 'failed', reason: failed.reason, exitCode: 1, stdout: failed.stdout, stderr: failed.stderr, ...built});
      }
      output ??= {stdout: reply.stdout, stderr: reply.stderr};
      samples.push(...reply.samples);
      if (run.kind === 'bench') {
        loops.push(reply.loops);
        timerResolutionNs = Math.max(timerResolutionNs, reply.timerResolutionNs);
      }
    }
    return finish({
      status: 'ok',
      exitCode: 0,
      stdout: output?.stdout ?? '',
      stderr: output?.stderr ?? '',
      ...built,
      ...(run.kind === 'bench' ? {samples, loops, timerResolutionNs} : {})
    });
  } finally {
    clearTimeout(timer);
    exitNotices.delete(modulePath);
    // The worker deletes its module after importing it; this catches a worker killed before it could.
    await rm(modulePath, {force: true});
  }
}
