#!/usr/bin/env node
import {closest} from '../system/closest.js';
import {CliError} from './errors.js';

// Each command loads with its modules when it is the one run: `report` does not load setup's or preview's.
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  ci: async (argv) => (await import('./ci.js')).ciCommand(argv),
  merge: async (argv) => (await import('./merge.js')).mergeCommand(argv),
  notebook: async (argv) => (await import('./notebook.js')).notebookCommand(argv),
  preview: async (argv) => (await import('./preview.js')).previewCommand(argv),
  report: async (argv) => (await import('./report.js')).reportCommand(argv),
  setup: async (argv) => (await import('./setup.js')).setupCommand(argv)
};

/** The only place that exits the process: every error ends here. */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    const command = name === undefined ? undefined : commands[name];
    if (!command) {
      const near = name === undefined ? undefined : closest(name, Object.keys(commands));
      throw new CliError(`unknown command ${name ?? '(none)'}: ${near ? `did you mean ${near}? ` : ''}expected one of ${Object.keys(commands).join(', ')}`);
    }
    process.exitCode = await command(rest);
  } catch (error) {
    if (error instanceof CliError && !debug) {
      console.error(`benchbook: ${error.message}`);
      process.exitCode = error.exitCode;
    } else {
      console.error(debug ? error : `benchbook: internal error: ${error instanceof Error ? error.message : String(error)} (run with --debug for the stack)`);
      process.exitCode = 70;
    }
  }
}

await main(process.argv.slice(2));
