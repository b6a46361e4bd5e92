/** A mistake in how the command line was used: printed without a stack (unless `--debug`), exit status 2. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options?: {cause?: unknown; exitCode?: number}) {
    super(message, options?.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'CliError';
    this.exitCode = options?.exitCode ?? 2;
  }
}
