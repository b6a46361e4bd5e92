import type {Block, Notebook} from '../parse/types.js';
import type {Stats} from '../measure/types.js';
import type {StoredResult} from '../store/types.js';
import type {BlockOutcome, ResultRow} from './types.js';

/**
 * Reads a block option that lists block ids (`blocks=[a, b]` or `blocks=a,b`); `undefined` when unset.
 */
export function listOption(block: Block, name: string): string[] | undefined {
  const value = block.options[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(/[\s,]+/)
    .filter((item) => item !== '');
}

/** Whether a stored result has statistics to show: an `ok` bench run. */
export function isMeasured(stored: StoredResult | undefined): stored is StoredResult & {stats: Stats} {
  return stored?.kind === 'bench' && stored.result.status === 'ok' && stored.stats !== undefined;
}

/**
 * One row per measured bench result (status `ok` with stats), in block order.
 * `blockIds` limits the rows to those blocks (default: every block).
 */
export function resultRows(
  outcomes: Record<string, BlockOutcome[]>,
  notebook: Notebook,
  blockIds?: string[]
): ResultRow[] {
  const wanted = blockIds === undefined ? undefined : new Set(blockIds);
  const rows: ResultRow[] = [];
  for (const block of notebook.blocks) {
    if (wanted !== undefined && !wanted.has(block.id)) continue;
    for (const outcome of outcomes[block.id] ?? []) {
      const stored = outcome.stored;
      if (!isMeasured(stored)) continue;
      const {stats, sweep} = stored;
      rows.push({
        key: stored.key,
        block: block.id,
        label: block.options['label'] === undefined ? block.id : String(block.options['label']),
        runtime: stored.runtime.name,
        version: stored.runtime.version,
        status: stored.result.status,
        ...(sweep === undefined ? {} : {param: sweep.name, value: sweep.value}),
        n: stats.n,
        min: stats.min,
        median: stats.median,
        mean: stats.mean,
        max: stats.max,
        stddev: stats.stddev,
        mad: stats.mad,
        ciLow: stats.ci[0],
        ciHigh: stats.ci[1]
      });
    }
  }
  return rows;
}

/**
 * The blocks a `plot` or `table` block draws from (its `blocks` option, else every `bench` block)
 * that have no measured result among `rows`, in the order referenced.
 */
export function missingBlocks(block: Block, notebook: Notebook, rows: ResultRow[]): string[] {
  const referenced =
    listOption(block, 'blocks') ?? notebook.blocks.filter((other) => other.kind === 'bench').map((other) => other.id);
  const measured = new Set(rows.map((row) => row.block));
  return referenced.filter((id) => !measured.has(id));
}
