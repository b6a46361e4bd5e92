/**
 * The code that runs inside a piscina worker: import one block as an ES module with its output captured,
 * and time its bench function. Every worker runs exactly one task (the pool retires it afterwards), so
 * this file may patch globals freely and never restores them.
 */
import {Console} from 'node:console';
import {mkdir, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {parentPort, threadId} from 'node:worker_threads';
import type {JsBenchSettings, JsExitNotice, JsReply, JsTask} from './protocol.js';

// Bench results are stored here so the JIT cannot prove a call's result unused and drop the call.
let sink: unknown;

/** Loop counts stop growing here even if a sample is still too short (a function the JIT emptied). */
const maxLoops = 1e9;

/** A problem found by the harness itself, reported without a stack. */
class MissingExport extends Error {}

/** Captured output of one stream: keeps the first `max` bytes and counts the rest. */
class CappedBuffer {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #dropped = 0;

  constructor(readonly max: number) {}

  write(chunk: string | Uint8Array): void {
    // Copies, since the block may reuse a Uint8Array it wrote; two calls because Buffer.from's overloads
    // do not accept the union.
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    const room = Math.max(0, this.max - this.#kept);
    if (bytes.length <= room) {
      this.#chunks.push(bytes);
      this.#kept += bytes.length;
      return;
    }
    if (room > 0) this.#chunks.push(bytes.subarray(0, room));
    this.#kept += room;
    this.#dropped += bytes.length - room;
  }

  text(): string {
    const text = Buffer.concat(this.#chunks).toString('utf8');
    if (this.#dropped === 0) return text;
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${separator}[benchbook: output truncated, ${this.#dropped} bytes dropped]\n`;
  }
}

/** A stream whose writes land in `buffer` synchronously, so nothing is still in flight when we reply. */
function captureStream(buffer: CappedBuffer): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Uint8Array, _encoding, callback) {
      buffer.write(chunk);
      callback();
    }
  });
}

/** Route `console` and `process.stdout/stderr.write` into the buffers for the rest of this worker's life. */
function captureOutput(stdout: CappedBuffer, stderr: CappedBuffer): void {
  globalThis.console = new Console({stdout: captureStream(stdout), stderr: captureStream(stderr)});
  // Direct writes would otherwise be piped to the main thread's terminal, into the progress display.
  for (const [stream, buffer] of [[process.stdout, stdout], [process.stderr, stderr]] as const) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      buffer.write(chunk);
      const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    }) as typeof stream.write;
  }
}

/** Send the captured output to the main thread before a block's `process.exit()` ends this worker. */
function reportExit(task: JsTask, stdout: CappedBuffer, stderr: CappedBuffer): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const notice: JsExitNotice = {
      type: 'benchbook:exit',
      modulePath: task.modulePath,
      code: Number(code ?? process.exitCode ?? 0) || 0,
      stdout: stdout.text(),
      stderr: stderr.text()
    };
    parentPort?.postMessage(notice);
    return exit(code);
  }) as typeof process.exit;
}

/** The thrown value as one line: the error's name and the first line of its message. */
function describeError(error: unknown): string {
  const line =
    error instanceof Error ? `${error.name}: ${error.message}` : `threw ${typeof error === 'string' ? JSON.stringify(error) : String(error)}`;
  return line.split('\n', 1)[0]!;
}

/** The error's stack (or its value), with the temporary module path replaced by the block's label. */
function describeStack(error: unknown, task: JsTask): string {
  const text = error instanceof Error ? (error.stack ?? String(error)) : describeError(error);
  const url = pathToFileURL(task.modulePath).href;
  return text.replaceAll(url, task.label).replaceAll(task.modulePath, task.label);
}

/** Write the block to its temporary file, import it (running its top-level code), and delete the file. */
async function importBlock(task: JsTask): Promise<Record<string, unknown>> {
  await mkdir(path.dirname(task.modulePath), {recursive: true});
  await writeFile(task.modulePath, task.code);
  try {
    return (await import(pathToFileURL(task.modulePath).href)) as Record<string, unknown>;
  } finally {
    await rm(task.modulePath, {force: true});
  }
}

/** Smallest non-zero step between two `process.hrtime.bigint()` readings, in nanoseconds. */
function measureTimerResolution(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 100; i++) {
    const start = process.hrtime.bigint();
    let now = start;
    while (now === start) now = process.hrtime.bigint();
    best = Math.min(best, Number(now - start));
  }
  return best;
}

/** Time `loops` synchronous calls. Kept tiny and separate from the async loop so it stays monomorphic. */
function timeSync(fn: () => unknown, loops: number): bigint {
  const start = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) sink = fn();
  return process.hrtime.bigint() - start;
}

/** Time `loops` calls, awaiting each promise before the next call. */
async function timeAsync(fn: () => unknown, loops: number): Promise<bigint> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) sink = await fn();
  return process.hrtime.bigint() - start;
}

/** Calibrate the block's bench function, then sample it until steady. */
async function runBench(exports: Record<string, unknown>, settings: JsBenchSettings): Promise<{samples: number[]; loops: number; timerResolutionNs: number; capped: boolean}> {
  const fn = exports[settings.fn];
  if (typeof fn !== 'function') throw new MissingExport(`module does not export a function named ${settings.fn}`);
  const bench = fn as () => unknown;
  // The clock's resolution first; summarize warns when a sample lasts too few of its steps.
  const timerResolutionNs = measureTimerResolution();

  // One untimed call tells a sync function from an async one; an async one has every call awaited.
  const first = bench();
  const isAsync = typeof (first as PromiseLike<unknown> | null)?.then === 'function';
  sink = isAsync ? await first : first;
  const sample = isAsync ? (loops: number) => timeAsync(bench, loops) : async (loops: number) => timeSync(bench, loops);

  // Autorange as Python's timeit does: 1, 2, 5, 10, 20, 50, ... until a sample is long enough. A long
  // sample is confirmed by a second one (unless it lasted ten times the target), so a single preemption
  // or GC pause cannot stop the climb early.
  const target = BigInt(Math.ceil(settings.minSampleMs * 1e6));
  let loops = 1;
  for (let i = 0; loops < maxLoops; i++) {
    loops = [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3);
    const elapsed = await sample(loops);
    if (elapsed >= target && (elapsed >= 10n * target || (await sample(loops)) >= target)) break;
  }

  // Samples until steady: the stop rule every harness follows (see harness.py).
  const samples: number[] = [];
  let capped = false;
  const started = process.hrtime.bigint();
  const repeat = Math.max(1, settings.repeat);
  const window = Math.max(2, Math.floor(repeat / 2));
  for (;;) {
    samples.push(Number(await sample(loops)) / loops);
    const n = samples.length;
    if (n < settings.warmup + repeat) continue;
    const elapsed = Number(process.hrtime.bigint() - started);
    const settled = n >= 2 * window && median(samples.slice(n - window)) >= 0.95 * median(samples.slice(n - 2 * window, n - window));
    if (settled && elapsed >= settings.minNs) break;
    if (n >= settings.maxSamples || elapsed >= settings.maxNs) {
      // Capped: stopped while the samples were still getting faster.
      capped = n >= 2 * window && !settled;
      break;
    }
  }
  // The sink is only ever written; reading it once satisfies tsc's noUnusedLocals.
  void sink;
  return {samples, loops, timerResolutionNs, capped};
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Run one task: piscina calls this with the main thread's `JsTask`. Never rejects for a block's fault. */
export async function runJsTask(task: JsTask): Promise<JsReply> {
  const stdout = new CappedBuffer(task.maxOutputBytes);
  const stderr = new CappedBuffer(task.maxOutputBytes);
  try {
    captureOutput(stdout, stderr);
    reportExit(task, stdout, stderr);
    const exports = await importBlock(task);
    if (task.kind === 'run' || !task.bench) {
      return {status: 'ok', threadId, stdout: stdout.text(), stderr: stderr.text(), samples: [], loops: 0, timerResolutionNs: 0, capped: false};
    }
    const result = await runBench(exports, task.bench);
    return {status: 'ok', threadId, stdout: stdout.text(), stderr: stderr.text(), ...result};
  } catch (error) {
    if (error instanceof MissingExport) {
      return {status: 'failed', threadId, reason: error.message, stdout: stdout.text(), stderr: stderr.text()};
    }
    stderr.write(`${describeStack(error, task)}\n`);
    return {status: 'failed', threadId, reason: describeError(error), stdout: stdout.text(), stderr: stderr.text()};
  }
}
