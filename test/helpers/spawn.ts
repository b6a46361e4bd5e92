import {spawn} from 'node:child_process';

/** What a finished process left: exit code and both streams. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in plain mode (`CI=1`: not a terminal), in `cwd`, and resolves with its exit code and output once it ends. */
export function runCollected(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd, env: {...process.env, CI: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
  });
}
