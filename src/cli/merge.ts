import {parseSize} from '../parse/options.js';
import {formatMergeReport, mergeResults} from '../store/merge.js';
import {defaultMaxFileBytes} from '../store/validate.js';
import {readFlags, helpOf, type FlagTable} from './args.js';
import {CliError} from './errors.js';

/** Every flag of `benchbook merge`: `name` (type, default) — purpose. */
export const mergeFlags = {
  data: {type: 'string', default: 'data', description: 'folder of stored results to merge into'},
  'max-file-size': {type: 'string', arg: '<size>', default: '16MiB', description: 'refuse an artifact holding a file larger than this'},
  'dry-run': {type: 'boolean', default: false, description: 'check every artifact and count what would change, writing nothing'},
  debug: {type: 'boolean', default: false, description: 'print stack traces of internal errors'},
  help: {type: 'boolean', default: false, description: 'show this help'}
} as const satisfies FlagTable;

/**
 * `benchbook merge DIR...`: checks result trees measured elsewhere (shards, other machines) and
 * merges them into `--data`. Exit status 1 when an artifact was refused, 2 on a usage error.
 */
export async function mergeCommand(argv: string[]): Promise<number> {
  const {values, positionals} = readFlags(argv, mergeFlags);
  if (values.help) {
    console.log(
      helpOf(mergeFlags, [
        'Usage: npm run merge -- DIR... [flags]',
        '',
        'Merges result trees (DIR/<notebook>/<machine>/<key>.json, as report --shard writes them) into data/.',
        'Per machine and key the newest run wins; an artifact with any bad file is refused whole. See docs/scale-out.md.'
      ])
    );
    return 0;
  }
  if (positionals.length === 0) throw new CliError('merge needs at least one folder of results: npm run merge -- artifacts/*');
  const sizeText = String(values['max-file-size']);
  const maxFileBytes = sizeText === '16MiB' ? defaultMaxFileBytes : parseSize(sizeText);
  if (maxFileBytes === undefined || !(maxFileBytes > 0)) throw new CliError(`invalid --max-file-size ${JSON.stringify(sizeText)}: expected a size such as 16MiB`);
  const dataDir = String(values.data);
  const report = await mergeResults(positionals, dataDir, {maxFileBytes, dryRun: Boolean(values['dry-run'])});
  const lines = formatMergeReport(report, dataDir);
  for (const line of lines.slice(0, -1)) console.error(line);
  console.log(lines.at(-1));
  return report.refused.length > 0 ? 1 : 0;
}
