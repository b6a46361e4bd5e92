import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {MeasureSettings} from '../../src/execute/types.js';
import type {PlannedRun} from '../../src/plan/types.js';

/** Settings small enough to keep a test file well under its time budget. */
export const quickMeasure: MeasureSettings = {repeat: 3, warmup: 1, processes: 2, minSampleMs: 1, fn: 'bench'};

/** A planned run built by hand, as the planner would produce it. */
export function plannedRun(
  runtime: string,
  kind: PlannedRun['kind'],
  code: string,
  overrides: Partial<Omit<PlannedRun, 'measure'>> & {measure?: Partial<MeasureSettings>} = {}
): PlannedRun {
  const {measure, ...rest} = overrides;
  const blockId = rest.blockId ?? `${runtime}-${kind}`;
  return {
    key: blockId,
    blockId,
    kind,
    runtime,
    code,
    params: {},
    timeoutMs: 30_000,
    hash: 'test',
    ...rest,
    measure: {...quickMeasure, ...measure}
  };
}

/** A fresh build cache, removed by the returned cleanup. */
export async function temporaryCacheDir(): Promise<{cacheDir: string; cleanup: () => Promise<void>}> {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'benchbook-test-cache-'));
  return {cacheDir, cleanup: () => rm(cacheDir, {recursive: true, force: true})};
}

/** The middle value of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
