import type {BlockOutcome, Machine} from '../model/index.js';
import type {Plan} from '../plan/types.js';
import type {ResultStore} from '../store/index.js';

/** One machine's stored results of a plan, as outcomes by block id like the run stage gives. */
export interface MachineOutcomes {
  /** The machine as its newest result describes it. */
  machine: Machine;
  outcomes: Record<string, BlockOutcome[]>;
  /** How many of the plan's runs it has a result for. */
  results: number;
}

/**
 * Every machine with a stored result for some run of the plan (from `data/<notebook>/<fingerprint>/`,
 * this machine's, merged ones and those measured elsewhere), each with only its own results: the
 * page shows them side by side. `first` (the build's own machine) leads when it has results; the
 * others follow by fingerprint. A run a machine never measured is `skipped` there.
 */
export async function machineOutcomes(plan: Plan, store: ResultStore, first?: Pick<Machine, 'fingerprint'>): Promise<MachineOutcomes[]> {
  const fingerprints = await store.machines(plan.notebook.name);
  const ordered = first && fingerprints.includes(first.fingerprint) ? [first.fingerprint, ...fingerprints.filter((item) => item !== first.fingerprint)] : fingerprints;
  const machines: MachineOutcomes[] = [];
  for (const fingerprint of ordered) {
    // No prototype: a block may be called `constructor`.
    const outcomes: Record<string, BlockOutcome[]> = Object.create(null);
    let results = 0;
    let machine: Machine | undefined;
    let newest = '';
    for (const run of plan.runs) {
      const stored = await store.read(plan.notebook.name, fingerprint, run.key);
      // A record filed under another fingerprint than its own is not this machine's result.
      const own = stored && stored.machine?.fingerprint === fingerprint ? stored : undefined;
      (outcomes[run.blockId] ??= []).push(own ? {key: run.key, stored: own} : {key: run.key, skipped: `not measured on machine ${fingerprint}`});
      if (!own) continue;
      results++;
      if (own.date > newest) [newest, machine] = [own.date, own.machine];
    }
    if (machine) machines.push({machine, outcomes, results});
  }
  return machines;
}
