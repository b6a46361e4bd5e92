import {access, constants, stat} from 'node:fs/promises';
import path from 'node:path';
import {runProcess, type ProcessResult} from './run-process.js';

// A probe that hangs (a broken shim, a network filesystem) must not hang the whole report.
/** Time limit of one probe of a runtime, in milliseconds. */
export const probeTimeoutMs = 10_000;

/** Runs a runtime's executable to ask it something (its version, its real path); never throws. */
export async function probe(file: string, args: string[], env?: Record<string, string | undefined>): Promise<ProcessResult> {
  return runProcess(file, args, {timeoutMs: probeTimeoutMs, maxOutputBytes: 64 * 1024, ...(env ? {env} : {})});
}

/** Why a probe failed, as a one-line reason ending in `fix`, or `undefined` when it worked. */
export function probeFailure(command: string, result: ProcessResult, fix: string): string | undefined {
  if (result.spawnErrorCode === 'ENOENT') {
    return `${command} not found${command.includes(path.sep) ? '' : ' on PATH'} — ${fix}`;
  }
  if (result.spawnError !== undefined) return `${command} could not be started (${firstLine(result.spawnError)}) — ${fix}`;
  if (result.timedOut) return `${command} did not answer within ${probeTimeoutMs / 1000} s — ${fix}`;
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    const said = saidLine(result.stderr);
    return `${command} ${how}${said ? ` (${said})` : ''} — ${fix}`;
  }
  return undefined;
}

/** The absolute path of `command` on PATH, like `command -v`, without starting a shell. */
export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Whether `file` is a regular file this process may execute. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The non-empty lines of `text`, trimmed. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The first non-empty line of `text`, or `''`. */
export function firstLine(text: string): string {
  return lines(text)[0] ?? '';
}

/** The line of a failed probe's stderr that says what went wrong: a Python traceback's last, else the first. */
function saidLine(stderr: string): string {
  const all = lines(stderr);
  return (all[0]?.startsWith('Traceback') ? all.at(-1) : all[0]) ?? '';
}

/**
 * A file's identity for caches: its path, size and modification time (`path: absent` when it is
 * not there). A reinstalled toolchain changes it; reading it starts no process.
 */
export async function fileFacts(file: string): Promise<string> {
  if (file === '') return '(none)';
  try {
    const facts = await stat(file);
    return `${file}: ${facts.size} ${facts.mtimeMs}`;
  } catch {
    return `${file}: absent`;
  }
}
