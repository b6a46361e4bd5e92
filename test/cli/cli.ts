import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {packageRoot} from '../../src/paths.js';

/** The real command line, as `npm run report` starts it. */
export const binPath = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

/** How a CLI process ended and what it printed. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process: its child, its output so far, and a promise of how it ended. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
  /** Resolves once stderr matches `pattern` (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<void>;
}

/** Starts `node dist/src/cli/bin.js <args>` in `cwd`, in plain (non-terminal) progress mode. */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd,
    env: {...env, NO_COLOR: '1', CI: '1'},
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{pattern: RegExp; resolve: () => void; reject: (error: Error) => void}> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      for (const waiter of waiters) waiter.reject(new Error(`the CLI ended before printing ${waiter.pattern}:\n${stderr}`));
      resolve({code, signal, stdout, stderr});
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitFor: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({pattern, resolve, reject});
          })
  };
}

/** Runs the CLI to its end. */
export function runCli(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/** A temporary project folder with notebooks written into it. */
export interface CliProject {
  dir: string;
  /** `report <notebook> --data <dir>/data --out <dir>/out` plus `extra`. */
  reportArgs(notebook: string, ...extra: string[]): string[];
  write(name: string, content: string): Promise<string>;
  /** Every file under data/, relative to it. */
  dataFiles(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** Makes an empty project folder under the system's temp folder. */
export async function cliProject(): Promise<CliProject> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-cli-'));
  return {
    dir,
    reportArgs: (notebook, ...extra) => ['report', notebook, '--data', path.join(dir, 'data'), '--out', path.join(dir, 'out'), ...extra],
    async write(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
    dataFiles: () => listFiles(path.join(dir, 'data')),
    dispose: () => rm(dir, {recursive: true, force: true})
  };
}

/** Every file under `dir`, relative paths, sorted; empty when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, {recursive: true, withFileTypes: true});
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

/** Parses every `.json` file under `dir`: throws, naming the file, if one is not valid JSON. */
export async function readJsonFiles(dir: string): Promise<Record<string, any>> {
  const records: Record<string, any> = {};
  for (const file of await listFiles(dir)) {
    if (!file.endsWith('.json')) continue;
    const text = await readFile(path.join(dir, file), 'utf8');
    try {
      records[file] = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}\n${text.slice(0, 200)}`);
    }
  }
  return records;
}

/** The summary line: the last line of stdout. */
export function summaryOf(result: CliResult): string {
  return result.stdout.trimEnd().split('\n').at(-1) ?? '';
}
