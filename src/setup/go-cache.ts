import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {executeRun} from '../execute/index.js';
import type {RunResult, RuntimeInfo} from '../model/index.js';

/**
 * Builds and runs a trivial Go `bench` block exactly as the report would (same harness, flags and
 * environment), so that Go's build cache holds the compiled standard library and the first Go
 * block of a report is not charged its ~10 s. A warm cache makes this take well under a second.
 */
export async function warmGoCache(go: RuntimeInfo, options: {timeoutMs?: number} = {}): Promise<RunResult> {
  // A private block cache: only Go's own build cache (GOCACHE) is meant to be warmed.
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'benchbook-setup-go-'));
  try {
    return await executeRun(
      {
        key: 'setup-go',
        blockId: 'setup-go',
        kind: 'bench',
        runtime: 'go',
        code: 'func bench() int { return 1 }\n',
        params: {},
        measure: {repeat: 1, warmup: 0, processes: 1, minSampleMs: 0.01, fn: 'bench'},
        timeoutMs: options.timeoutMs ?? 5 * 60_000,
        hash: 'setup'
      },
      go,
      {cacheDir}
    );
  } finally {
    await rm(cacheDir, {recursive: true, force: true});
  }
}
