import {copyFile, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {packageRoot} from '../../src/paths.js';
import {fixture} from '../helpers/paths.js';
import {runCollected, type Finished} from '../helpers/spawn.js';

/** What a terminal shows after some output: enough of VT100 for cli-progress (cursor moves, erases). */
export class VirtualTerminal {
  readonly lines: string[][] = [[]];
  private row = 0;
  private column = 0;

  constructor(readonly columns = 80) {}

  /** Applies output as a terminal would. */
  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === '\x1B') {
        const csi = /^\x1B\[(\??)(\d*)([A-Za-z])/.exec(text.slice(i));
        if (csi) {
          this.control(csi[1]!, csi[2] === '' ? undefined : Number(csi[2]), csi[3]!);
          i += csi[0].length - 1;
        } else if (text[i + 1] === '7' || text[i + 1] === '8') {
          i++;
        }
        continue;
      }
      if (char === '\n') {
        this.row++;
        this.column = 0;
      } else if (char === '\r') {
        this.column = 0;
      } else {
        this.line()[this.column] = char;
        this.column = Math.min(this.column + 1, this.columns - 1);
      }
      while (this.lines.length <= this.row) this.lines.push([]);
    }
  }

  /** The screen as text, trailing spaces and empty last lines removed. */
  screen(): string {
    const rows = this.lines.map((cells) => Array.from(cells, (cell) => cell ?? ' ').join('').trimEnd());
    while (rows.length > 0 && rows.at(-1) === '') rows.pop();
    return rows.join('\n');
  }

  private line(): string[] {
    while (this.lines.length <= this.row) this.lines.push([]);
    return this.lines[this.row]!;
  }

  private control(private_: string, n: number | undefined, command: string): void {
    if (private_ === '?') return; // cursor visibility, line wrapping
    switch (command) {
      case 'A':
        this.row = Math.max(0, this.row - (n ?? 1));
        break;
      case 'B':
        this.row += n ?? 1;
        break;
      case 'C':
        this.column += n ?? 1;
        break;
      case 'D':
        this.column = Math.max(0, this.column - (n ?? 1));
        break;
      case 'G':
        this.column = (n ?? 1) - 1;
        break;
      case 'K': {
        const line = this.line();
        if ((n ?? 0) === 0) line.length = Math.min(line.length, this.column);
        else if (n === 1) for (let c = 0; c <= this.column; c++) line[c] = ' ';
        else line.length = 0;
        break;
      }
      case 'J':
        this.line().length = Math.min(this.line().length, this.column);
        this.lines.length = Math.min(this.lines.length, this.row + 1);
        break;
      case 'm':
        break;
    }
  }
}

/** What a finished CLI process left: exit code and both streams. */
export type CliRun = Finished;

/** Path of the built CLI. */
export const bin = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

/**
 * Runs `benchbook <args>` as a real process in plain mode (`CI=1`: not a terminal), from the project
 * root (or `cwd`), and resolves with its exit code and output once it ends.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = packageRoot): Promise<CliRun> {
  return runCollected(process.execPath, [bin, ...args], cwd, env);
}

/** A temporary project folder holding copies of the given fixtures of `test/fixtures/cli/`. */
export async function scratchCopy(...names: string[]): Promise<{dir: string; file(name: string): string; data: string; out: string; dispose(): Promise<void>}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-cli-'));
  for (const name of names) await copyFile(fixture('cli', name), path.join(dir, name));
  return {
    dir,
    file: (name) => path.join(dir, name),
    data: path.join(dir, 'data'),
    out: path.join(dir, 'output'),
    dispose: () => rm(dir, {recursive: true, force: true})
  };
}
