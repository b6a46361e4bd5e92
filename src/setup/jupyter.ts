import {existsSync} from 'node:fs';
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {venvDir as defaultVenvDir} from '../runtimes/python.js';
import {packageRoot} from '../paths.js';

/** Options of {@link registerTslabKernel}. */
export interface JupyterKernelOptions {
  /** The project venv, where JupyterLab is installed (string, default `node_modules/.cache/benchbook/venv`). */
  venvDir?: string;
  /** Where the kernelspec goes: `<prefix>/share/jupyter/kernels/tslab` (string, default the venv). */
  prefix?: string;
  /** The tslab command script (string, default `node_modules/tslab/bin/tslab` of the project). */
  tslab?: string;
  /** The Node.js that runs the kernel (string, default the one running this). */
  node?: string;
}

/** What {@link registerTslabKernel} did. */
export interface JupyterKernelOutcome {
  /** `registered`: written; `up-to-date`: already the same; `skipped`: see `reason`. */
  status: 'registered' | 'up-to-date' | 'skipped';
  /** Why it was skipped, with what to do. */
  reason?: string;
  /** The kernelspec's folder. */
  kernelDir: string;
}

/**
 * Registers tslab's TypeScript kernel with the venv's Jupyter, so that notebooks exported by
 * `npm run notebook -- export` open in JupyterLab. Writes the kernelspec `tslab install --prefix=<venv>`
 * would write, with absolute paths to this Node.js and this project's tslab (so the kernel loads the
 * benchbook beside it), without needing IPython. Idempotent: nothing is written when it is current.
 */
export async function registerTslabKernel(options: JupyterKernelOptions = {}): Promise<JupyterKernelOutcome> {
  const venvDir = options.venvDir ?? defaultVenvDir;
  const prefix = options.prefix ?? venvDir;
  const tslab = options.tslab ?? path.join(packageRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  const kernelDir = path.join(prefix, 'share', 'jupyter', 'kernels', 'tslab');
  if (!existsSync(path.join(venvDir, 'bin', 'jupyter'))) {
    return {status: 'skipped', reason: `JupyterLab is not installed in ${venvDir}: it comes from requirements.txt, which npm run setup installs`, kernelDir};
  }
  if (!existsSync(tslab)) return {status: 'skipped', reason: `tslab is not installed (${tslab} is missing): run npm ci`, kernelDir};

  const spec = {
    argv: [options.node ?? process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript',
    language: 'typescript'
  };
  const content = `${JSON.stringify(spec, null, 1)}\n`;
  const file = path.join(kernelDir, 'kernel.json');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) return {status: 'up-to-date', kernelDir};
  await mkdir(kernelDir, {recursive: true});
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
  return {status: 'registered', kernelDir};
}

/** The setup step: registers the kernel and returns the line `npm run setup` prints about it. */
export async function setupJupyter(options: JupyterKernelOptions = {}): Promise<string> {
  const outcome = await registerTslabKernel(options);
  const where = path.relative(process.cwd(), outcome.kernelDir) || outcome.kernelDir;
  if (outcome.status === 'skipped') return `jupyter  tslab kernel not registered: ${outcome.reason}`;
  return `jupyter  tslab kernel ${outcome.status === 'registered' ? 'registered in' : 'up to date:'} ${where}`;
}
