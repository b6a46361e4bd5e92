/**
 * The process-mode runner: a tiny C program (runner.c) that starts one command, reaps it with wait4
 * and prints the kernel's accounting of it. Built on first use into the build cache.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import {constants} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {packageRoot} from '../../paths.js';
import {buildCached} from '../../system/build-cache.js';
import type {ProgramCommand} from '../../runtimes/index.js';
import {resolveRuntimes} from '../../runtimes/index.js';

/** The runner's source. */
export const runnerSource = path.join(packageRoot, 'src/execute/runner/runner.c');

/** One run of a program as the kernel accounted it (wait4's rusage), in ns and KiB. */
export interface MeasuredRun {
  wallNs: number;
  userNs: number;
  sysNs: number;
  /** Peak resident set size of the child. */
  maxRssKiB: number;
  exitCode?: number;
  /** The signal that killed the child, e.g. `SIGSEGV`. */
  signal?: string;
  /** Killed at the time limit. */
  timedOut: boolean;
  /** Why the program could not be started (`No such file or directory`). */
  spawnError?: string;
}

// One build per cache directory and process; a failed build (a missing gcc) is forgotten, so a later call retries.
const builds = new Map<string, Promise<string | {failure: string}>>();

/**
 * The runner's binary, compiled with gcc into `<cacheDir>/build/` the first time (once per process).
 * Returns a one-line reason when it cannot be built.
 */
export function buildRunner(cacheDir: string): Promise<string | {failure: string}> {
  const known = builds.get(cacheDir);
  if (known) return known;
  const built = (async (): Promise<string | {failure: string}> => {
    const {found, missing} = await resolveRuntimes(['c']);
    const gcc = found['c'];
    if (!gcc) return {failure: `process mode needs gcc to build its runner: ${missing['c'] ?? 'gcc not found'}`};
    const build = await buildCached({
      cacheDir,
      runtime: gcc,
      files: {'runner.c': await readFile(runnerSource, 'utf8')},
      args: ['-O2', '-o', 'runner', 'runner.c'],
      output: 'runner',
      timeoutMs: 60_000
    });
    if (build.ok) return build.binary;
    return {failure: `could not build the process runner: ${firstLine(build.compiler.stderr) || `gcc exited with ${build.compiler.exitCode}`}`};
  })();
  builds.set(cacheDir, built);
  void built.then((outcome) => {
    if (typeof outcome !== 'string') builds.delete(cacheDir);
  });
  return built;
}

/** A program the runner can start: a prepared command and the directory to start it in. */
export interface RunnerVariant {
  command: ProgramCommand;
  cwd: string;
  /** Soft limit of the program's data segment (RLIMIT_DATA), bytes; absent means none. */
  memoryBytes?: number;
}

/** Options of one run of a {@link RunnerSession}. */
export interface SessionRunOptions {
  /** Kill the program after this long (it is then `timedOut`); `<= 0` means the time is already up. */
  timeoutMs: number;
  /** Files for the program's output; /dev/null when absent. */
  stdout?: string;
  stderr?: string;
}

/** The runner could not give a measurement: it was aborted, or itself failed. */
export interface RunnerFailure {
  failure: string;
  aborted?: boolean;
  /** No run was started: the time limit had already passed. */
  timeUp?: boolean;
}

/**
 * One runner process serving runs of several programs on request (`runner --serve`), so a run
 * costs a line on a pipe instead of a process start from Node. Runs are served one at a time.
 */
export class RunnerSession {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending: Array<(line: string | RunnerFailure) => void> = [];
  #stderr = '';
  #ended: RunnerFailure | undefined;

  private constructor(child: ChildProcessWithoutNullStreams, signal: AbortSignal | undefined) {
    this.#child = child;
    const lines = createInterface({input: child.stdout});
    lines.on('line', (line) => this.#pending.shift()?.(line));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += chunk.toString('utf8');
    });
    const end = (failure: RunnerFailure) => {
      this.#ended ??= failure;
      for (const resolve of this.#pending.splice(0)) resolve(this.#ended);
    };
    child.on('error', (error) => end({failure: `the process runner could not start: ${error.message}`}));
    child.on('close', (code, name) => {
      if (signal?.aborted) return end({failure: 'aborted', aborted: true});
      const said = firstLine(this.#stderr);
      end({failure: `the process runner stopped (${name ?? `exit code ${code}`})${said ? `: ${said}` : ''}`});
    });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, {once: true});
    child.on('close', () => signal?.removeEventListener('abort', onAbort));
  }

  /** Starts a runner serving `variants` (by index); its spec file is written into `workDir`. */
  static async start(runner: string, variants: RunnerVariant[], options: {workDir: string; signal?: AbortSignal}): Promise<RunnerSession> {
    const lines: string[] = [];
    for (const {command, cwd, memoryBytes} of variants) {
      const fields = [cwd, command.file, ...command.args, ...Object.entries(command.env ?? {}).flat()];
      const bad = fields.find((field) => /[\t\n]/.test(field));
      if (bad !== undefined) throw new TypeError(`a process-mode command cannot contain a tab or a newline: ${JSON.stringify(bad)}`);
      lines.push('variant', `cwd\t${cwd}`);
      for (const [name, value] of Object.entries(command.env ?? {})) lines.push(`env\t${name}=${value}`);
      for (const arg of [command.file, ...command.args]) lines.push(`arg\t${arg}`);
      if (memoryBytes !== undefined) lines.push(`data-limit\t${Math.max(1024, Math.floor(memoryBytes))}`);
    }
    const spec = path.join(options.workDir, `runner-spec-${process.pid}-${Date.now()}.txt`);
    await writeFile(spec, `${lines.join('\n')}\n`);
    const child = spawn(runner, ['--serve', spec], {stdio: ['pipe', 'pipe', 'pipe']});
    // A runner that died leaves a broken pipe; 'close' reports it, the write error must not crash us.
    child.stdin.on('error', () => {});
    return new RunnerSession(child, options.signal);
  }

  /** Runs variant `index` once and returns the kernel's accounting of it, or why there is none. */
  run(index: number, options: SessionRunOptions): Promise<MeasuredRun | RunnerFailure> {
    if (this.#ended) return Promise.resolve(this.#ended);
    if (options.timeoutMs <= 0) return Promise.resolve({failure: 'the time is up', timeUp: true});
    const reply = new Promise<string | RunnerFailure>((resolve) => this.#pending.push(resolve));
    this.#child.stdin.write(`${index}\t${Math.ceil(options.timeoutMs)}\t${options.stdout ?? ''}\t${options.stderr ?? ''}\n`);
    return reply.then((line) => {
      if (typeof line !== 'string') return line;
      return parseRunnerLine(line) ?? {failure: `the process runner answered ${JSON.stringify(line.slice(0, 80))}`};
    });
  }

  /** Ends the session: the runner exits when its input closes. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => this.#child.once('close', () => resolve()));
    this.#child.stdin.end();
    await closed;
  }
}

/** Reads the runner's JSON line; `undefined` when it is not one. */
export function parseRunnerLine(text: string): MeasuredRun | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const numbers = ['wallNs', 'userNs', 'sysNs', 'maxRssKiB'] as const;
  if (typeof value !== 'object' || value === null || !numbers.every((name) => typeof value[name] === 'number')) return undefined;
  const signalName = typeof value['signal'] === 'number' ? signalNameOf(value['signal']) : undefined;
  return {
    wallNs: value['wallNs'] as number,
    userNs: value['userNs'] as number,
    sysNs: value['sysNs'] as number,
    maxRssKiB: value['maxRssKiB'] as number,
    timedOut: value['timedOut'] === true,
    ...(typeof value['exitCode'] === 'number' ? {exitCode: value['exitCode']} : {}),
    ...(signalName ? {signal: signalName} : {}),
    ...(typeof value['spawnError'] === 'string' ? {spawnError: value['spawnError']} : {})
  };
}

function signalNameOf(number: number): string {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? entry[0] : `signal ${number}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}
