import {parse as parseYaml} from 'yaml';

/** One kind of machine that measures the notebooks: a GitHub runner label set, a Slurm partition. */
export interface CiMachine {
  /** Plain name (letters, digits, `-`, `_`): the concurrency group, artifact and folder names. */
  name: string;
  /** GitHub Actions `runs-on` labels of the dedicated runners of this kind, e.g. `[self-hosted, bench-16core]`. */
  runsOn: string[];
  /** Slurm partition of the nodes of this kind (default: the cluster's default partition). */
  partition?: string;
}

/** `ci.yml` (`benchbook ci github|slurm --config`): what to measure, where, in how many shards. */
export interface CiConfig {
  /** Profile of every shard and of the site (default `quick`). */
  profile: string;
  /** Shards per machine (default 1): each a job, all on the same kind of machine. */
  shards: number;
  /** Notebooks to measure (default: every `notebooks/*.md`). */
  notebooks: string[];
  /** Command that installs what the notebooks need, run before each shard (default `npm ci && npm run setup`). */
  setup: string;
  /** Time limit of one shard, minutes (default 360, GitHub's limit for a job). */
  timeoutMinutes: number;
  machines: CiMachine[];
}

/** The config used when there is no `ci.yml`: GitHub's hosted Ubuntu runner, one shard. */
export const defaultCiConfig: CiConfig = {
  profile: 'quick',
  shards: 1,
  notebooks: [],
  setup: 'npm ci && npm run setup',
  timeoutMinutes: 360,
  machines: [{name: 'ubuntu', runsOn: ['ubuntu-latest']}]
};

const plainName = /^[A-Za-z0-9][\w-]{0,63}$/;
// Text that goes into a shell command or a YAML string unquoted: no quoting, expansion or expression.
const safeWord = /^[\w./@+:=-]+$/;

/** Reads `ci.yml`; a mistake throws a TypeError that names the field and what to write. */
export function parseCiConfig(text: string, file = 'ci.yml'): CiConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new TypeError(`${file}: not YAML: ${(error as Error).message}`, {cause: error});
  }
  const raw = (value ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError(`${file}: expected a mapping with machines:, shards:, profile:`);
  const known = new Set(['profile', 'shards', 'notebooks', 'setup', 'timeout-minutes', 'machines']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw new TypeError(`${file}: unknown field ${key}: expected one of ${[...known].join(', ')}`);
  const profile = raw.profile === undefined ? defaultCiConfig.profile : String(raw.profile);
  if (!plainName.test(profile)) throw new TypeError(`${file}: invalid profile ${JSON.stringify(profile)}: expected a profile name such as quick`);
  const shards = raw.shards === undefined ? 1 : Number(raw.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new TypeError(`${file}: invalid shards ${JSON.stringify(raw.shards)}: expected a whole number from 1 to 256`);
  const timeoutMinutes = raw['timeout-minutes'] === undefined ? defaultCiConfig.timeoutMinutes : Number(raw['timeout-minutes']);
  if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1) throw new TypeError(`${file}: invalid timeout-minutes ${JSON.stringify(raw['timeout-minutes'])}: expected whole minutes, e.g. 360`);
  const notebooks = raw.notebooks === undefined ? [] : Array.isArray(raw.notebooks) ? raw.notebooks.map(String) : [String(raw.notebooks)];
  for (const notebook of notebooks) if (!safeWord.test(notebook)) throw new TypeError(`${file}: invalid notebook ${JSON.stringify(notebook)}: expected a path of letters, digits and ./_-`);
  const setup = raw.setup === undefined ? defaultCiConfig.setup : String(raw.setup);
  if (/[\n\r]/.test(setup) || setup.includes('${{')) throw new TypeError(`${file}: invalid setup: expected one command line, without \${{ }} expressions`);
  if (!Array.isArray(raw.machines) || raw.machines.length === 0) throw new TypeError(`${file}: machines: expected a list, e.g. - {name: linux-16core, runs-on: [self-hosted, bench-16core]}`);
  const names = new Set<string>();
  const machines = raw.machines.map((item: unknown, index: number): CiMachine => {
    const machine = (item ?? {}) as Record<string, unknown>;
    const name = String(machine.name ?? '');
    if (!plainName.test(name)) throw new TypeError(`${file}: machines[${index}].name ${JSON.stringify(machine.name)}: expected a plain name such as linux-16core`);
    if (names.has(name.toLowerCase())) throw new TypeError(`${file}: machines[${index}].name ${name} is given twice: each machine kind once`);
    names.add(name.toLowerCase());
    const labels = machine['runs-on'] === undefined ? [] : Array.isArray(machine['runs-on']) ? machine['runs-on'].map(String) : [String(machine['runs-on'])];
    for (const label of labels) if (!safeWord.test(label)) throw new TypeError(`${file}: machines[${index}].runs-on label ${JSON.stringify(label)}: expected letters, digits and ._-`);
    const partition = machine.partition === undefined ? undefined : String(machine.partition);
    if (partition !== undefined && !plainName.test(partition)) throw new TypeError(`${file}: machines[${index}].partition ${JSON.stringify(partition)}: expected a Slurm partition name`);
    return {name, runsOn: labels.length > 0 ? labels : ['ubuntu-latest'], ...(partition === undefined ? {} : {partition})};
  });
  return {profile, shards, notebooks, setup, timeoutMinutes, machines};
}
