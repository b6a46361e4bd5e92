import {runSetup} from '../setup/index.js';
import {CliError} from './errors.js';

/**
 * `benchbook setup`: provisions what the runtimes need and the machine lacks (see `runSetup`), then
 * prints one line per runtime. Exits non-zero only when a step that should have worked failed.
 */
export async function setupCommand(argv: string[] = []): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--debug');
  if (unknown.length > 0) throw new CliError(`setup takes no arguments (saw ${unknown.join(' ')}): run npm run setup`);
  const result = await runSetup({}, {log: (line) => console.log(line)});
  console.log(`benchbook: setup ${result.failed ? 'failed' : 'done'}: ${Object.keys(result.found).length} runtimes found, ${Object.keys(result.missing).length} missing, in ${(result.durationMs / 1000).toFixed(2)} s`);
  return result.failed ? 1 : 0;
}
