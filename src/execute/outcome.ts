import {abortedOutcome, failedOutcome, timedOutOutcome, type RunOutcome} from '../model/index.js';
import {memoryLimitReason, type ProcessResult} from '../system/run-process.js';

/** The failure a finished process stands for (without its output), or `undefined` when it exited with 0. */
export function processFailure(result: ProcessResult, timeoutMs: number): RunOutcome | undefined {
  const signal = result.signal === undefined ? {} : {signal: result.signal};
  if (result.aborted) return abortedOutcome(signal);
  if (result.timedOut) return timedOutOutcome(timeoutMs, signal);
  if (result.spawnError !== undefined) return failedOutcome(`could not start: ${result.spawnError}`);
  if (result.signal !== undefined) return failedOutcome(`killed by ${result.signal}`, signal);
  if (result.exitCode !== 0) return failedOutcome(`exited with code ${result.exitCode}`, {exitCode: result.exitCode});
  return undefined;
}

/**
 * A finished process as an outcome, its output kept; a run that failed for want of memory under
 * `memoryBytes` says so in its reason rather than as a bare exit code.
 */
export function processOutcome(result: ProcessResult, timeoutMs: number, memoryBytes?: number): RunOutcome {
  const output = {stdout: result.stdout, stderr: result.stderr};
  const failure = processFailure(result, timeoutMs);
  if (!failure) return {status: 'ok', exitCode: 0, timedOut: false, ...output};
  const memory = failure.status === 'failed' && !result.aborted ? memoryLimitReason(memoryBytes, `${result.stderr}\n${result.stdout}`, failure.reason ?? 'failed') : undefined;
  return {...failure, ...output, ...(memory ? {reason: memory} : {})};
}
