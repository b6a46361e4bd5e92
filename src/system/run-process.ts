import {constants} from 'node:fs';
import {access, readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Readable} from 'node:stream';
import {formatBytes} from '../model/index.js';

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
  /**
   * Memory limit of the child, in bytes (default: none). Linux's RLIMIT_DATA, set by a `/bin/sh` that
   * then execs the child (same pid, so timeouts still reach it), plus GOMEMLIMIT for Go's collector.
   * RLIMIT_DATA rather than RLIMIT_AS: Go reserves far more address space than it uses and would not
   * even start under an address-space limit, while RLIMIT_DATA counts only memory mapped writable
   * (malloc, Python's arenas, Go's heap), so an allocation past the limit fails with ENOMEM: Python
   * raises MemoryError, Go dies with "out of memory", C's malloc returns NULL.
   */
  memoryBytes?: number;
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

let execaModule: Promise<typeof import('execa')> | undefined;

/** execa and its hundred modules load with the first process: a report that starts none does not pay for them. */
function loadExeca(): Promise<typeof import('execa')> {
  return (execaModule ??= import('execa'));
}

/** Runs `file` with `args` (no shell) and returns its result; never throws for a failing child. */
export async function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions = {}
): Promise<ProcessResult> {
  const {cwd, timeoutMs, signal, input} = options;
  let {env} = options;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  if (signal?.aborted) return notStarted({aborted: true});
  if (timeoutMs !== undefined && timeoutMs <= 0) return notStarted({timedOut: true});

  // Collect output ourselves: execa's maxBuffer kills the child, but a chatty benchmark should
  // still finish, with only its first bytes kept.
  if (options.memoryBytes !== undefined && (await canLimitMemory(file))) {
    const kib = Math.max(1, Math.floor(options.memoryBytes / 1024));
    // Only the soft limit: it fails where the hard limit is lower, and then the lower one holds.
    args = ['-c', `ulimit -S -d ${kib} 2>/dev/null; exec "$0" "$@"`, file, ...args];
    file = '/bin/sh';
    // Below the hard limit, so that Go's collector works harder before an allocation fails.
    env = {GOMEMLIMIT: String(Math.floor(options.memoryBytes * 0.9)), ...env};
  }
  const {execa} = await loadExeca();
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

/**
 * Whether the `/bin/sh` wrapper can limit a child's memory: Linux (RLIMIT_DATA counts mmap since 4.7),
 * and a child that exists, so that a missing program is still reported as `spawn ... ENOENT`.
 */
async function canLimitMemory(file: string): Promise<boolean> {
  if (process.platform !== 'linux' || !path.isAbsolute(file)) return false;
  try {
    await Promise.all([access(file, constants.X_OK), access('/bin/sh', constants.X_OK)]);
    return true;
  } catch {
    return false;
  }
}

// What runtimes print when an allocation fails: Python, Go, C++, Rust, and strerror(ENOMEM) in C.
const outOfMemory = /\bMemoryError\b|fatal error: runtime: out of memory|std::bad_alloc|memory allocation of \d+ bytes failed|Cannot allocate memory|out of memory/;

/**
 * The reason of a failed run that ran out of memory under `memoryBytes`, e.g. `hit the memory limit
 * of 512 MiB (exited with code 1)`, or undefined when its output shows no failed allocation.
 */
export function memoryLimitReason(memoryBytes: number | undefined, output: string, reason: string): string | undefined {
  if (memoryBytes === undefined || !outOfMemory.test(output)) return undefined;
  return `hit the memory limit of ${formatBytes(memoryBytes)} (${reason}): raise it with memory= on the block or --memory-limit`;
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
