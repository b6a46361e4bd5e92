import path from 'node:path';
import {runtimeNames} from '../runtimes/index.js';
import {venvDir as defaultVenvDir} from '../runtimes/python.js';
import {resolveRuntimes, type ResolvedRuntimes} from '../runtimes/index.js';
import type {RunResult} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {ensureAptPackages, type AptOptions, type AptOutcome} from './apt.js';
import {warmGoCache} from './go-cache.js';
import {ensureVenv, type VenvOutcome} from './python-venv.js';
import {setupJupyter} from './jupyter.js';

export {aptPackages, ensureAptPackages, type AptOptions, type AptOutcome, type AptPackage} from './apt.js';
export {warmGoCache} from './go-cache.js';
export {ensureVenv, readStamp, stampFile, type VenvOptions, type VenvOutcome, type VenvStamp} from './python-venv.js';

/** Options of {@link runSetup}; every step is on by default. */
export interface SetupOptions {
  /** Install missing system packages (pypy3, hyperfine, valgrind, ccache) when root, else say how. Default true. */
  apt?: boolean | Omit<AptOptions, 'log'>;
  /** Make the project venv from requirements.txt when its stamp is stale. Default true. */
  venv?: boolean;
  /** Warm Go's build cache. Default true. */
  go?: boolean;
  /** Pinned Python packages (default `<project>/requirements.txt`). */
  requirementsFile?: string;
  /** Where the venv goes (default `node_modules/.cache/benchbook/venv`, where the numba and nuitka runtimes look). */
  venvDir?: string;
  /** Runtimes to report at the end (default: every runtime benchbook knows). */
  runtimes?: string[];
}

/** Side effects of {@link runSetup}, passed in so that tests run it silently. */
export interface SetupEffects {
  /** One line of progress or result. */
  log(line: string): void;
}

/** What {@link runSetup} did and found. */
export interface SetupResult extends ResolvedRuntimes {
  apt?: AptOutcome;
  venv?: VenvOutcome;
  go?: RunResult;
  /** Whether a step that should have worked failed (pip, venv, Go): `npm run setup` then exits non-zero. */
  failed: boolean;
  durationMs: number;
}

/**
 * `npm run setup`: provisions what the runtimes need and this machine lacks (system packages,
 * the project venv with Numba and Nuitka, Go's build cache), then resolves every runtime and
 * logs one line for each: found with its version and path, or missing with the reason and the fix.
 * Idempotent: with everything in place it installs nothing and takes about a second.
 */
export async function runSetup(options: SetupOptions, effects: SetupEffects): Promise<SetupResult> {
  const started = performance.now();
  const {log} = effects;
  const result: SetupResult = {found: {}, missing: {}, failed: false, durationMs: 0};

  if (options.apt !== false) {
    const apt = await ensureAptPackages({...(typeof options.apt === 'object' ? options.apt : {}), log});
    result.apt = apt;
    if (apt.installed.length > 0) log(`apt      installed ${apt.installed.join(', ')} in ${seconds(apt.durationMs)}`);
    if (apt.present.length > 0) log(`apt      present: ${apt.present.join(', ')}`);
    if (apt.missing.length > 0) log(`apt      missing: ${apt.missing.join(', ')} — ${apt.advice}`);
  }

  const requirementsFile = options.requirementsFile ?? path.join(packageRoot, 'requirements.txt');
  const venvDir = options.venvDir ?? defaultVenvDir;
  if (options.venv !== false) {
    const {found, missing} = await resolveRuntimes(['python']);
    const python = found['python'];
    if (!python) {
      result.failed = true;
      log(`venv     not made: no CPython to make it with (${missing['python']})`);
    } else {
      const venv = await ensureVenv({python, venvDir, requirementsFile, log});
      result.venv = venv;
      const where = path.relative(process.cwd(), venvDir) || venvDir;
      if (venv.status === 'failed') {
        result.failed = true;
        log(`venv     failed: ${venv.reason}`);
        if (venv.output) log(venv.output.trimEnd());
      } else if (venv.status === 'created') {
        log(`venv     made ${where} from ${path.basename(requirementsFile)} in ${seconds(venv.durationMs)} (${venv.reason})`);
      } else {
        log(`venv     up to date: ${where} (${path.basename(requirementsFile)} unchanged)`);
      }
    }
  }

  // tslab's kernel in the venv's Jupyter, for notebooks opened in JupyterLab (docs/jupyter.md).
  if (options.venv !== false) log(await setupJupyter({venvDir}));

  if (options.go !== false) {
    const {found} = await resolveRuntimes(['go']);
    const go = found['go'];
    if (go) {
      const warmed = await warmGoCache(go);
      result.go = warmed;
      if (warmed.status === 'ok') {
        log(`go       build cache warm (${seconds(warmed.durationMs)})`);
      } else {
        result.failed = true;
        log(`go       warming the build cache failed: ${warmed.reason ?? warmed.status}`);
        if (warmed.stderr) log(warmed.stderr.trimEnd());
      }
    }
  }

  const names = options.runtimes ?? runtimeNames();
  const {found, missing} = await resolveRuntimes(names);
  result.found = found;
  result.missing = missing;
  const width = Math.max(...names.map((name) => name.length));
  for (const name of names) {
    const info = found[name];
    if (info) log(`ok       ${name.padEnd(width)}  ${info.version}  ${info.executable}`);
    else log(`missing  ${name.padEnd(width)}  ${missing[name]}`);
  }
  result.durationMs = performance.now() - started;
  return result;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
