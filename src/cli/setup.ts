import {runSetup} from '../setup/index.js';
import {readFlags, type FlagTable} from './args.js';
import {CliError} from './errors.js';

/** Every flag of `benchbook setup`: `name` (type, default) — purpose. */
export const setupFlags = {
  strict: {type: 'boolean', default: false, description: 'exit 1 when any runtime is missing or a step failed, not only a core one (python, js, ts)'},
  check: {type: 'boolean', default: false, description: 'install and build nothing: only say what is missing and what would bring it'},
  debug: {type: 'boolean', default: false, description: 'print stack traces of internal errors'},
  help: {type: 'boolean', default: false, description: 'show this help'}
} as const satisfies FlagTable;

/** `benchbook setup --help`. */
export function setupHelp(): string {
  const lines = ['Usage: npm run setup [-- --strict] [-- --check]', '', 'Provisions what the notebooks\' runtimes need and prints a table of every runtime (docs/setup.md).', ''];
  for (const [name, flag] of Object.entries(setupFlags)) lines.push(`  --${name.padEnd(8)} ${flag.description} (default ${flag.default})`);
  return lines.join('\n');
}

/**
 * `benchbook setup`: provisions what the runtimes need and the machine lacks (see `runSetup`), then
 * prints a table of every runtime. Exits 0 when the core runtimes are ready, whatever else is missing
 * (each missing one says what brings it); 1 when a core runtime is missing, or with `--strict` when
 * anything is missing or a step failed.
 */
export async function setupCommand(argv: string[] = []): Promise<number> {
  const {values, positionals} = readFlags(argv, setupFlags);
  if (positionals.length > 0) throw new CliError(`setup takes no arguments (saw ${positionals.join(' ')}): run npm run setup`);
  if (values['help']) {
    console.log(setupHelp());
    return 0;
  }
  const check = values['check'] === true;
  const result = await runSetup(check ? {apt: {canInstall: false}, cpython: {build: false}, venv: {install: false}} : {}, {log: (line) => console.log(line)});
  const found = Object.keys(result.found).length;
  const missing = Object.keys(result.missing);
  for (const problem of result.problems) console.log(`problem  ${problem}`);
  const strictFailure = values['strict'] === true && (missing.length > 0 || result.problems.length > 0);
  const verdict = !result.ready ? 'failed: a core runtime is missing' : strictFailure ? 'failed (--strict)' : 'done';
  const missingPart = missing.length > 0 ? ` (${missing.join(', ')})` : '';
  console.log(`benchbook: setup ${verdict}: ${found} runtimes ready, ${missing.length} missing${missingPart}, ${result.problems.length} problems, in ${(result.durationMs / 1000).toFixed(2)} s`);
  return !result.ready || strictFailure ? 1 : 0;
}
