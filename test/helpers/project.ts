import {spawn} from 'node:child_process';
import {copyFile, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {packageRoot} from '../../src/paths.js';
import {runCollected} from './spawn.js';

/** A scratch project folder whose `npm run <verb>` runs this checkout's built CLI, as a checkout of the project would. */
export interface ScratchPackage {
  dir: string;
  /** Runs a shell command in the folder (bash -c), resolving with its exit code and output. */
  sh(command: string, env?: NodeJS.ProcessEnv): Promise<{code: number | null; stdout: string; stderr: string}>;
  dispose(): Promise<void>;
}

/** Makes a scratch project with the given notebooks in `notebooks/` and a package.json mapping every script to the built CLI. */
export async function scratchPackage(notebooks: string[]): Promise<ScratchPackage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-project-'));
  await mkdir(path.join(dir, 'notebooks'));
  for (const file of notebooks) await copyFile(file, path.join(dir, 'notebooks', path.basename(file)));
  const bin = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
  const scripts = Object.fromEntries(['report', 'merge', 'setup', 'ci', 'preview'].map((verb) => [verb, `node ${JSON.stringify(bin)} ${verb}`]));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({name: 'scratch', private: true, scripts}, null, 1));
  return {
    dir,
    sh: (command, env = {}) => runCollected('bash', ['-c', command], dir, env),
    dispose: () => rm(dir, {recursive: true, force: true})
  };
}

/** Whether a command is on PATH. */
export async function hasCommand(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `command -v ${name}`], {stdio: 'ignore'});
    child.on('close', (code) => resolve(code === 0));
    child.on('error', () => resolve(false));
  });
}
