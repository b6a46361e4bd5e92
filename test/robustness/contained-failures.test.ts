/**
 * Hostile blocks against the real executors: memory hogs, floods of output, a block that exits the
 * JS worker. Each must come back as a result with a reason, and the next block must still run.
 */
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {closeExecutors, executeRun} from '../../src/execute/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import type {RunResult, RuntimeInfo} from '../../src/model/index.js';
import type {PlannedRun} from '../../src/plan/types.js';
import {plannedRun, temporaryCacheDir} from '../execute/helpers.js';

let cacheDir: string;
let cleanup: () => Promise<void>;
let runtimes: Record<string, RuntimeInfo>;
before(async () => {
  ({cacheDir, cleanup} = await temporaryCacheDir());
  runtimes = (await resolveRuntimes(['python', 'go', 'c', 'js'])).found;
});
after(async () => {
  await closeExecutors();
  await cleanup();
});

const MiB = 2 ** 20;

function run(planned: PlannedRun): Promise<RunResult> {
  const runtime = runtimes[planned.runtime];
  assert.ok(runtime, `${planned.runtime} is installed`);
  return executeRun(planned, runtime, {cacheDir});
}

const memoryLimit = /^hit the memory limit of 512 MiB \(.+\): raise it with memory= on the block or --memory-limit$/;

test('a block over its memory limit fails with a reason that says so', async (t) => {
  await t.test('Python: a 2 GiB bytearray in a run block', async () => {
    const result = await run(plannedRun('python', 'run', 'x = bytearray(2 * 1024**3)\nprint(len(x))', {memoryBytes: 512 * MiB}));
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, memoryLimit);
    assert.match(result.stderr, /MemoryError/);
  });

  await t.test('Python: the same allocation inside a bench function', async () => {
    const result = await run(plannedRun('python', 'bench', 'def bench():\n    return len(bytearray(2 * 1024**3))', {memoryBytes: 512 * MiB}));
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, memoryLimit);
  });

  await t.test('Python: well under the limit, the same code runs', async () => {
    const result = await run(plannedRun('python', 'run', 'x = bytearray(64 * 1024**2)\nprint(len(x))', {memoryBytes: 512 * MiB}));
    assert.equal(result.status, 'ok', result.stderr);
    assert.equal(result.stdout, `${64 * MiB}\n`);
  });

  await t.test('Go: starts under the limit (no address-space limit) and fails a 2 GiB slice', async () => {
    const ok = await run(plannedRun('go', 'run', 'package main\nimport "fmt"\nfunc main() { b := make([]byte, 8<<20); b[1] = 1; fmt.Println(len(b)) }', {memoryBytes: 512 * MiB}));
    assert.equal(ok.status, 'ok', ok.stderr);
    const result = await run(
      plannedRun('go', 'run', 'package main\nimport "fmt"\nfunc main() { b := make([]byte, 2<<30); for i := range b { b[i] = 1 }; fmt.Println(len(b)) }', {memoryBytes: 512 * MiB})
    );
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, memoryLimit);
    assert.match(result.stderr, /out of memory/);
  });

  await t.test('C: malloc returns NULL past the limit', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) {',
      '  size_t size = (size_t)2 << 30;',
      '  char *p = malloc(size);',
      '  if (!p) { perror("malloc"); return 1; }',
      '  memset(p, 1, size);',
      '  printf("%d\\n", p[size - 1]);',
      '}'
    ].join('\n');
    const result = await run(plannedRun('c', 'run', code, {memoryBytes: 512 * MiB}));
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, memoryLimit);
    assert.match(result.stderr, /malloc: Cannot allocate memory/);
  });

  await t.test('JS: a heap that grows past the limit ends the worker, not the report', async () => {
    const result = await run(plannedRun('js', 'run', 'const kept = [];\nfor (;;) kept.push(new Array(10_000).fill(1.5));', {memoryBytes: 256 * MiB}));
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, /^hit the memory limit of 256 MiB \(the worker's JavaScript heap is full\)/);
    const next = await run(plannedRun('js', 'run', 'console.log("next")', {memoryBytes: 256 * MiB}));
    assert.equal(next.status, 'ok');
    assert.equal(next.stdout, 'next\n');
  });

  await t.test('JS: one huge allocation aborts the JS host, not the report', async () => {
    // V8 aborts the whole process here (nodejs/node#47224): the pool's host process dies, this one goes on.
    const result = await run(plannedRun('js', 'bench', 'export function bench() { return new Array(3e8).fill(1).length; }', {memoryBytes: 512 * MiB, measure: {processes: 1}}));
    assert.equal(result.status, 'failed');
    assert.match(result.reason!, memoryLimit);
    assert.match(result.reason!, /V8 aborted the JS host/);
    assert.match(result.stderr, /out of memory/);
    const next = await run(plannedRun('js', 'bench', 'export function bench() { return 1 + 1; }', {memoryBytes: 512 * MiB, measure: {processes: 1}}));
    assert.equal(next.status, 'ok', next.reason);
    // Sampled until steady: at least `repeat` (3) samples.
    assert.ok((next.samples?.length ?? 0) >= 3, `${next.samples?.length} samples`);
  });

  await t.test('a failure that is not about memory keeps its own reason', async () => {
    const result = await run(plannedRun('python', 'run', 'raise SystemExit(3)', {memoryBytes: 512 * MiB}));
    assert.equal(result.reason, 'exited with code 3');
  });
});

test('100 MB of output is capped at 1 MiB per stream, and the block still succeeds', async (t) => {
  const dropped = (result: RunResult) => Number(/\[benchbook: output truncated, (\d+) bytes dropped\]\n$/.exec(result.stdout)?.[1]);

  await t.test('Python', async () => {
    const result = await run(plannedRun('python', 'run', 'import sys\nchunk = "x" * 1_000_000\nfor _ in range(100):\n    sys.stdout.write(chunk)\nprint("end", file=sys.stderr)'));
    assert.equal(result.status, 'ok', result.stderr);
    assert.ok(result.stdout.startsWith('x'.repeat(MiB)));
    assert.equal(dropped(result), 100_000_000 - MiB);
    assert.equal(result.stderr, 'end\n');
  });

  await t.test('JS', async () => {
    const result = await run(plannedRun('js', 'run', 'const chunk = "y".repeat(1_000_000);\nfor (let i = 0; i < 100; i++) process.stdout.write(chunk);\nconsole.error("end");'));
    assert.equal(result.status, 'ok', result.stderr);
    assert.ok(result.stdout.startsWith('y'.repeat(MiB)));
    assert.equal(dropped(result), 100_000_000 - MiB);
    assert.equal(result.stderr, 'end\n');
  });
});

test('process.exit() in a JS block fails that block only; the pool runs the next one', async () => {
  const exits = await run(plannedRun('js', 'run', 'console.log("before");\nprocess.exit(7);'));
  assert.equal(exits.status, 'failed');
  assert.equal(exits.reason, 'worker exited: the block called process.exit(7)');
  assert.equal(exits.stdout, 'before\n');
  const bench = await run(plannedRun('js', 'bench', 'export function bench() { return 1 + 1; }', {measure: {processes: 1}}));
  assert.equal(bench.status, 'ok', bench.reason);
  // Sampled until steady: at least `repeat` (3) samples.
  assert.ok((bench.samples?.length ?? 0) >= 3, `${bench.samples?.length} samples`);
});

test('a harness that ends without writing its result is a failed run with that reason', async () => {
  const result = await run(plannedRun('python', 'bench', 'import os\ndef bench():\n    os._exit(0)', {measure: {processes: 1}}));
  assert.equal(result.status, 'failed');
  assert.equal(result.reason, 'harness produced no result: the result file was not written');
});
