/**
 * Messages between the CLI, the JS host process that owns the piscina pool, and the pool's workers.
 * Plain data only (structured-cloned across threads, serialised across IPC), so a failure travels as
 * a reason and a stack, never as an `Error` object.
 */

/** The name of the handler the worker exports; piscina calls it once per task. */
export const taskHandlerName = 'runJsTask';

/** How the worker measures a `bench` block (the subset of `MeasureSettings` one worker needs). */
export interface JsBenchSettings {
  /** Name of the exported function to time. */
  fn: string;
  /** Samples at least before the steady window (the stop rule of every harness). */
  warmup: number;
  /** Samples of the steady window. */
  repeat: number;
  /** Most samples, steady or not. */
  maxSamples: number;
  /** Least sampling time before the stop rule may end it, ns. */
  minNs: number;
  /** Most sampling time, ns. */
  maxNs: number;
  /** Calibrate the loop count so one sample lasts at least this long. */
  minSampleMs: number;
}

/** One task: evaluate a block once in a fresh worker, and time it when it is a bench block. */
export interface JsTask {
  kind: 'run' | 'bench';
  /** ES module source; TypeScript is transpiled on the main thread before it gets here. */
  code: string;
  /** Absolute path of the temporary `.mjs` file to write the module to and import. */
  modulePath: string;
  /** How the module is named in stack traces instead of the temporary path, e.g. `sort.ts`. */
  label: string;
  /** Cap on captured bytes per stream. */
  maxOutputBytes: number;
  /** Present when `kind` is `bench`. */
  bench?: JsBenchSettings;
}

/** Fields every reply carries. */
interface JsReplyBase {
  /** The worker's `threadId`, so the main thread can retire that worker. */
  threadId: number;
  /** Captured `console.log/info/debug` and `process.stdout` output, capped. */
  stdout: string;
  /** Captured `console.warn/error` and `process.stderr` output, capped; for failures, ends with the stack. */
  stderr: string;
}

/** The block ran to completion (and, for bench blocks, was timed). */
export interface JsOkReply extends JsReplyBase {
  status: 'ok';
  /** Nanoseconds per call, every sample after calibration (warm-up included); empty for run blocks. */
  samples: number[];
  /** Sampling stopped at its cap while still getting faster. */
  capped: boolean;
  /** Calls per sample chosen by calibration; 0 for run blocks. */
  loops: number;
  /** Smallest non-zero step of `process.hrtime.bigint()` seen, in nanoseconds; 0 for run blocks. */
  timerResolutionNs: number;
}

/** The block threw, failed to compile, or did not export the bench function. */
export interface JsFailedReply extends JsReplyBase {
  status: 'failed';
  /** One line: the error's name and the first line of its message. */
  reason: string;
}

/** What the worker answers; it never rejects for a problem in the block. */
export type JsReply = JsOkReply | JsFailedReply;

/**
 * Posted on the worker's `parentPort` just before a block's `process.exit()` ends the worker, so the
 * output captured so far is not lost with it; piscina re-emits it as a `message` event on the pool.
 */
export interface JsExitNotice {
  type: 'benchbook:exit';
  /** Identifies the task: the temporary module path is unique per task. */
  modulePath: string;
  /** The code passed to `process.exit()`. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether a pool `message` event is a `JsExitNotice`. */
export function isJsExitNotice(message: unknown): message is JsExitNotice {
  return typeof message === 'object' && message !== null && (message as {type?: unknown}).type === 'benchbook:exit';
}

/** An error as plain data, so it can cross the IPC channel between the main process and the JS host. */
export interface JsSerializedError {
  /** Whether the thrown value was an `Error`; a thrown string or number is carried as `message` only. */
  isError: boolean;
  name: string;
  message: string;
  stack?: string;
  /** Node's error code, e.g. `ERR_WORKER_OUT_OF_MEMORY`. */
  code?: string;
}

/** Main process -> JS host: run one task in a fresh worker of a pool with this heap limit. */
export interface JsHostRunRequest {
  type: 'run';
  /** Identifies the request in the host's answer and in an abort. */
  id: number;
  task: JsTask;
  /** The worker's heap limit in bytes; undefined for none. */
  memoryBytes: number | undefined;
}

/** Main process -> JS host: abort a running task (timeout or Ctrl-C); the host answers it with an error. */
export interface JsHostAbortRequest {
  type: 'abort';
  id: number;
}

/** Main process -> JS host: stop the pool and exit. */
export interface JsHostCloseRequest {
  type: 'close';
}

/** What the main process sends to the JS host. */
export type JsHostRequest = JsHostRunRequest | JsHostAbortRequest | JsHostCloseRequest;

/** JS host -> main process: the task's reply, after its worker was retired. */
export interface JsHostReplyAnswer {
  type: 'reply';
  id: number;
  reply: JsReply;
}

/** JS host -> main process: piscina rejected the task (worker exit, abort, an error outside the task). */
export interface JsHostErrorAnswer {
  type: 'error';
  id: number;
  error: JsSerializedError;
  /** Sent by the worker before a block's `process.exit()`, when it called it. */
  notice?: JsExitNotice;
}

/** What the JS host sends back for a run request. */
export type JsHostAnswer = JsHostReplyAnswer | JsHostErrorAnswer;
