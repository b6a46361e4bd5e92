/**
 * Messages between the main thread and the JS worker. Plain data only: both sides are structured-cloned,
 * so a failure travels as a reason and a stack, never as an `Error` object.
 */

/** The name of the handler the worker exports; piscina calls it once per task. */
export const taskHandlerName = 'runJsTask';

/** How the worker measures a `bench` block (the subset of `MeasureSettings` one worker needs). */
export interface JsBenchSettings {
  /** Name of the exported function to time. */
  fn: string;
  /** Untimed samples after calibration. */
  warmup: number;
  /** Timed samples. */
  repeat: number;
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
  /** Nanoseconds per call, one per timed sample; empty for run blocks. */
  samples: number[];
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
