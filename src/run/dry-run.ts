import {formatDuration, type StoredResult} from '../model/index.js';
import type {Plan} from '../plan/types.js';
import type {RunDecision} from './decide.js';
import {estimateRunMs, type EstimateSource} from './estimate.js';

/** One planned run as `--dry-run` prints it: what would happen to it, how long it should take, its time limit. */
export interface DryRunRun {
  key: string;
  blockId: string;
  kind: 'bench' | 'run';
  runtime: string;
  action: RunDecision['action'];
  /** Why it is skipped, or why a stored result is not reused. */
  why?: string;
  /** Estimated duration, ms: 0 for a reused or skipped run. */
  estimateMs: number;
  estimatedFrom?: EstimateSource;
  /** The run's time limit, ms. */
  timeoutMs: number;
  /** How it is measured, in a few words: `inline, budget 1 s`, `process mode, 3 runs`, `run once`. */
  design: string;
}

/** A notebook's plan under one profile, as `--dry-run` prints it. */
export interface DryRunNotebook {
  notebook: string;
  profile: string;
  runs: DryRunRun[];
  /** Estimated time of the runs that would be measured, ms. */
  totalMs: number;
}

/**
 * What a build would do, without doing it: each planned run with its decision (measure, reuse,
 * skip), its estimated duration and its time limit. `related` holds the stored results of the plan's
 * blocks at any size, which estimates of runs never measured at theirs scale from.
 */
export function dryRunPlan(plan: Plan, decisions: RunDecision[], related: readonly StoredResult[] = []): DryRunNotebook {
  const runs = plan.runs.map((run, index): DryRunRun => {
    const decision = decisions[index]!;
    const estimate = decision.action === 'run' ? estimateRunMs(run, decision.stored, related, plan.profile) : undefined;
    const why = decision.action === 'skip' ? decision.reason : decision.action === 'run' ? decision.why : undefined;
    return {
      key: run.key,
      blockId: run.blockId,
      kind: run.kind,
      runtime: run.runtime,
      action: decision.action,
      ...(why === undefined ? {} : {why}),
      estimateMs: estimate?.ms ?? 0,
      ...(estimate === undefined ? {} : {estimatedFrom: estimate.from}),
      timeoutMs: run.timeoutMs,
      design: designOf(run)
    };
  });
  return {notebook: plan.notebook.name, profile: plan.profile, runs, totalMs: runs.reduce((sum, run) => sum + run.estimateMs, 0)};
}

function designOf(run: Plan['runs'][number]): string {
  if (run.kind === 'run') return 'run once';
  const {measure} = run;
  if (measure.metric === 'instructions') return 'instruction counts';
  if (measure.mode === 'process') return `whole program, ${measure.runs ?? 10} runs at least${measure.group === undefined ? '' : `, group ${measure.group}`}`;
  if (measure.design === 'auto') return `inline, budget ${formatDuration(measure.budgetMs ?? 5000)}`;
  return `inline, ${measure.processes} × ${measure.repeat} samples`;
}

/**
 * The lines `--dry-run` prints: per notebook a heading with its counts and estimate, one line per run
 * (what happens to it, the estimate and where it comes from, the time limit, how it is measured),
 * then the total over every notebook.
 */
export function formatDryRun(notebooks: readonly DryRunNotebook[]): string[] {
  const lines: string[] = [];
  const width = Math.max(12, ...notebooks.flatMap((notebook) => notebook.runs.map((run) => run.key.length)));
  for (const notebook of notebooks) {
    const measured = notebook.runs.filter((run) => run.action === 'run').length;
    const reused = notebook.runs.filter((run) => run.action === 'reuse').length;
    const skipped = notebook.runs.filter((run) => run.action === 'skip').length;
    lines.push(`${notebook.notebook} (${notebook.profile} profile): ${notebook.runs.length} runs, ${measured} to measure in about ${formatDuration(notebook.totalMs)}, ${reused} reused, ${skipped} skipped`);
    const reasons = new Set<string>();
    for (const run of notebook.runs) {
      const what = run.action === 'run' ? 'measure' : run.action;
      const estimate = run.action === 'run' ? `~${formatDuration(run.estimateMs)} (${run.estimatedFrom})` : '';
      // A skip's reason is long (what to install): its first clause on the line, the whole once below.
      if (run.action === 'skip' && run.why !== undefined) reasons.add(run.why);
      const why = run.why === undefined ? '' : ` — ${run.action === 'skip' ? run.why.split(/[:—]/)[0]!.trim() : run.why}`;
      lines.push(`  ${what.padEnd(7)} ${run.key.padEnd(width)} ${estimate.padEnd(26)} limit ${formatDuration(run.timeoutMs).padEnd(9)} ${run.design}${why}`);
    }
    for (const reason of reasons) lines.push(`  skipped: ${reason}`);
  }
  const total = notebooks.reduce((sum, notebook) => sum + notebook.totalMs, 0);
  const runs = notebooks.reduce((sum, notebook) => sum + notebook.runs.filter((run) => run.action === 'run').length, 0);
  const sources = notebooks.flatMap((notebook) => notebook.runs.flatMap((run) => (run.estimatedFrom === undefined ? [] : [run.estimatedFrom])));
  const count = (source: EstimateSource) => sources.filter((item) => item === source).length;
  lines.push(
    `total: ${notebooks.length} ${notebooks.length === 1 ? 'notebook' : 'notebooks'}, ${runs} runs to measure in about ${formatDuration(total)}` +
      ` (estimates: ${count('previous run')} from a stored result of the same run, ${count('scaled')} scaled from results at other sizes, ${count('settings')} from settings alone); nothing was run`
  );
  // Settings say how many samples, not how long a call lasts: at an article's sizes that is most of the time.
  if (count('settings') > 0) lines.push(`note: ${count('settings')} runs have no stored result at any size, so their estimates count the measurement settings only and not how long a call lasts; build the quick profile first (npm run report) for estimates scaled from it`);
  return lines;
}
