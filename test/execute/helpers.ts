import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {MeasureSettings, RunResult} from '../../src/model/index.js';
import type {PlannedRun} from '../../src/plan/types.js';

/** Settings small enough to keep a test file well under its time budget. */
export const quickMeasure: MeasureSettings = {repeat: 3, warmup: 1, processes: 2, minSampleMs: 1, fn: 'bench', design: 'fixed'};

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

/**
 * Asserts what every language's harness promises for a tiny bench block under `quickMeasure`: at
 * least `repeat` steady samples from each of `processes` processes (grouped by process), all
 * positive, each process's whole trace kept with its steady state, and a calibrated loop count per
 * process that made one sample last about `minSampleMs` (half of it, to allow for noise).
 */
export function assertCalibrated(result: RunResult): void {
  assert.equal(result.groups?.length, quickMeasure.processes, 'one group of samples per process');
  assert.ok(result.groups.every((size) => size >= quickMeasure.repeat), `at least repeat steady samples per process: ${result.groups.join(', ')}`);
  assert.equal(result.samples?.length, result.groups.reduce((sum, size) => sum + size, 0));
  assert.ok(result.samples.every((sample) => sample > 0));
  assert.equal(result.traces?.length, quickMeasure.processes);
  assert.equal(result.steady?.length, quickMeasure.processes);
  for (const [index, trace] of result.traces.entries()) assert.ok(trace.length >= result.groups[index]! + quickMeasure.warmup, 'the trace holds the warm-up too');
  assert.equal(result.loops?.length, quickMeasure.processes);
  for (const loops of result.loops) {
    assert.ok(loops > 1, 'a tiny function needs many calls per sample');
    assert.ok(loops * median(result.samples) >= 0.5 * quickMeasure.minSampleMs * 1e6);
  }
}
