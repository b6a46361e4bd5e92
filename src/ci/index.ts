/**
 * Generators for schedulers that are not ours: a GitHub Actions workflow and a Slurm submit script
 * that fan a notebook set out over machines and shards (`report --shard K/N`) and fan the results
 * back in (`merge`, then `report --from-data`). Pure: text from a config.
 */
export {defaultCiConfig, parseCiConfig, type CiConfig, type CiMachine} from './config.js';
export {actionlintConfig, githubWorkflow, measureJob, shardFolder} from './github.js';
export {slurmScript} from './slurm.js';
