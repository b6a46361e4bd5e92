#!/usr/bin/env node
import {closest} from '../system/closest.js';
import {ciCommand} from './ci.js';
import {CliError} from './errors.js';
import {mergeCommand} from './merge.js';
import {notebookCommand} from './notebook.js';
import {previewCommand} from './preview.js';
import {reportCommand} from './report.js';
import {setupCommand} from './setup.js';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  ci: ciCommand,
  merge: mergeCommand,
  notebook: notebookCommand,
  preview: previewCommand,
  report: reportCommand,
  setup: setupCommand
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
