import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {actionlintConfig, defaultCiConfig, githubWorkflow, parseCiConfig, slurmScript, type CiConfig} from '../ci/index.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {helpOf, readFlags, type FlagTable} from './args.js';
import {CliError} from './errors.js';

/** Every flag of `benchbook ci`: `name` (type, default) — purpose. */
export const ciFlags = {
  config: {type: 'string', default: 'ci.yml', description: 'machines, shards, profile and notebooks (default config when the file is absent: one ubuntu-latest machine, one shard)'},
  out: {type: 'string', default: '', shown: '.github/workflows/benchmarks.yml (github), slurm-benchmarks.sh (slurm)', description: 'file to write; - prints it'},
  debug: {type: 'boolean', default: false, description: 'print stack traces of internal errors'},
  help: {type: 'boolean', default: false, description: 'show this help'}
} as const satisfies FlagTable;

const generators: Record<string, {file: string; generate(config: CiConfig): string; extra?(config: CiConfig, out: string): {file: string; content: string} | undefined}> = {
  github: {
    file: '.github/workflows/benchmarks.yml',
    generate: githubWorkflow,
    // actionlint reads .github/actionlint.yaml: the self-hosted labels, beside the workflows folder.
    extra: (config, out) => {
      const content = actionlintConfig(config);
      return content === undefined ? undefined : {file: path.join(path.dirname(out), '..', 'actionlint.yaml'), content};
    }
  },
  slurm: {file: 'slurm-benchmarks.sh', generate: slurmScript}
};

/** `benchbook ci github|slurm`: writes a GitHub Actions workflow or a Slurm submit script from ci.yml. */
export async function ciCommand(argv: string[]): Promise<number> {
  const {values, positionals} = readFlags(argv, ciFlags);
  if (values.help) {
    console.log(helpOf(ciFlags, ['Usage: npm run ci -- github|slurm [flags]', '', 'Writes a CI workflow or a Slurm script that measures shards on every machine of ci.yml, merges them and builds the site.']));
    return 0;
  }
  const [kind, ...rest] = positionals;
  const generator = kind === undefined ? undefined : generators[kind];
  if (!generator || rest.length > 0) throw new CliError(`ci takes one of ${Object.keys(generators).join(', ')} (saw ${positionals.join(' ') || 'nothing'}): npm run ci -- github`);
  const configFile = String(values.config);
  let text: string | undefined;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || configFile !== 'ci.yml') throw new CliError(`cannot read ${configFile}: ${(error as NodeJS.ErrnoException).code ?? error}`, {cause: error});
  }
  let config: CiConfig;
  try {
    config = text === undefined ? defaultCiConfig : parseCiConfig(text, configFile);
  } catch (error) {
    throw new CliError((error as Error).message, {cause: error});
  }
  const content = generator.generate(config);
  const out = String(values.out) || generator.file;
  if (out === '-') process.stdout.write(content);
  else {
    await writeFileAtomic(out, content);
    const extra = generator.extra?.(config, out);
    if (extra) await writeFileAtomic(extra.file, extra.content);
    console.log(`benchbook: wrote ${out}: ${config.machines.length} machine${config.machines.length === 1 ? '' : 's'} x ${config.shards} shard${config.shards === 1 ? '' : 's'}`);
  }
  return 0;
}
