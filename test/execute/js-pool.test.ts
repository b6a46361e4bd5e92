import assert from 'node:assert/strict';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {closeJsPool, executeJs} from '../../src/execute/js-pool/index.js';
import type {ExecuteOptions} from '../../src/runtimes/index.js';
import type {PlannedRun} from '../../src/plan/types.js';

let options: ExecuteOptions;

before(async () => {
  options = {cacheDir: await mkdtemp(path.join(os.tmpdir(), 'benchbook-js-'))};
});

after(async () => {
  await closeJsPool();
  await rm(options.cacheDir, {recursive: true, force: true});
});

/** A planned run with small, fast measurement settings; `overrides` wins. */
function plannedRun(overrides: Partial<PlannedRun> & Pick<PlannedRun, 'code'>): PlannedRun {
  return {
    key: 'block',
    blockId: 'block',
    kind: 'run',
    runtime: 'js',
    params: {},
    measure: {repeat: 3, warmup: 1, processes: 2, minSampleMs: 2, fn: 'bench'},
    timeoutMs: 10_000,
    hash: 'test',
    ...overrides
  };
}

test('executeJs', async (t) => {
  await t.test('times a JS bench in fresh workers, calibrated to minSampleMs', async () => {
    // Each call busy-waits 100 µs, so 20 ms samples need 200 calls (100 are too few). The top-level
    // guard fails the run if a worker (and so its globals) were ever reused.
    const code = [
      'if (globalThis.seen) throw new Error("worker reused");',
      'globalThis.seen = true;',
      'export function bench() {',
      '  const end = process.hrtime.bigint() + 100_000n;',
      '  while (process.hrtime.bigint() < end);',
      '  return end;',
      '}'
    ].join('\n');
    const measure = {repeat: 3, warmup: 1, processes: 3, minSampleMs: 20, fn: 'bench'};
    const result = await executeJs(plannedRun({kind: 'bench', code, measure}), options);
    assert.equal(result.status, 'ok', result.reason);
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false);
    assert.equal(result.groups?.length, 3, 'three workers');
    assert.ok(result.groups!.every((size) => size >= 3), `at least repeat steady samples each: ${result.groups}`);
    assert.ok(result.samples!.every((sample) => sample >= 100_000), `ns per call: ${result.samples}`);
    // Calibration climbs 1, 2, 5, ... and stops at 200 calls, which always last 20 ms; a sample that
    // was descheduled on a busy machine can stop it a step or two early, but not in every process.
    assert.equal(result.loops?.length, 3);
    assert.ok(result.loops!.every((loops) => [50, 100, 200].includes(loops)), `loops: ${result.loops}`);
    assert.ok(result.loops!.includes(200), `loops: ${result.loops}`);
    assert.ok(result.durationMs > 0);
  });

  await t.test('times a TS bench with type annotations', async () => {
    const code = [
      'interface Point { x: number; y: number }',
      'const points: Point[] = Array.from({length: 100}, (_, i) => ({x: i, y: i * 2}));',
      'export function sum(): number {',
      '  let total: number = 0;',
      '  for (const p of points) total += p.x + p.y;',
      '  return total;',
      '}'
    ].join('\n');
    const measure = {repeat: 2, warmup: 0, processes: 1, minSampleMs: 1, fn: 'sum'};
    const result = await executeJs(plannedRun({kind: 'bench', runtime: 'ts', code, measure}), options);
    assert.equal(result.status, 'ok', result.reason);
    assert.ok((result.samples?.length ?? 0) >= 2);
    assert.ok(result.samples!.every((sample) => sample > 0));
    assert.equal(typeof result.buildMs, 'number');
  });

  await t.test('awaits a bench function that returns a promise', async () => {
    const code = 'export async function bench() { await null; return 1; }';
    const measure = {repeat: 2, warmup: 0, processes: 1, minSampleMs: 1, fn: 'bench'};
    const result = await executeJs(plannedRun({kind: 'bench', code, measure}), options);
    assert.equal(result.status, 'ok', result.reason);
    assert.ok((result.samples?.length ?? 0) >= 2);
  });

  await t.test('captures the console output of a run block', async () => {
    const code = [
      "import os from 'node:os';",
      "console.log('hello', typeof os.cpus);",
      "console.info('info');",
      "console.error('oops');",
      "process.stdout.write('raw\\n');",
      'await new Promise((resolve) => setTimeout(resolve, 5));',
      "console.warn('late');"
    ].join('\n');
    const result = await executeJs(plannedRun({code}), options);
    assert.equal(result.status, 'ok', result.reason);
    assert.equal(result.stdout, 'hello function\ninfo\nraw\n');
    assert.equal(result.stderr, 'oops\nlate\n');
    assert.equal(result.samples, undefined);
  });

  await t.test('reports a thrown error as a failed result', async () => {
    const code = "function boom() {\n  throw new Error('boom\\nsecond line');\n}\nconsole.log('before');\nboom();";
    const result = await executeJs(plannedRun({blockId: 'thrower', code}), options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'Error: boom');
    assert.equal(result.exitCode, 1);
    assert.equal(result.timedOut, false);
    assert.equal(result.stdout, 'before\n');
    assert.match(result.stderr, /at boom \(thrower\.js:2:9\)/);
    assert.doesNotMatch(result.stderr, /\.mjs/);
  });

  await t.test('reports syntax errors with their location', async () => {
    const js = await executeJs(plannedRun({blockId: 'bad', code: 'let x = ;'}), options);
    assert.equal(js.status, 'failed');
    assert.equal(js.reason, "SyntaxError: Unexpected token ';' (bad.js:1:9)");
    const ts = await executeJs(plannedRun({blockId: 'bad', runtime: 'ts', code: 'let x: = 1;'}), options);
    assert.equal(ts.status, 'failed');
    assert.equal(ts.reason, 'bad.ts:1:8: error TS1110: Type expected.');
  });

  await t.test('fails a bench block without the bench function', async () => {
    const result = await executeJs(plannedRun({kind: 'bench', code: 'export const bench = 1;'}), options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'module does not export a function named bench');
  });

  await t.test('times out an infinite loop, and the pool goes on', async () => {
    const result = await executeJs(plannedRun({code: 'while (true) {}', timeoutMs: 1000}), options);
    assert.equal(result.status, 'timed-out');
    assert.equal(result.timedOut, true);
    assert.equal(result.reason, 'timed out after 1 s');
    assert.ok(result.durationMs >= 1000 && result.durationMs < 3000, `${result.durationMs} ms`);
    const next = await executeJs(plannedRun({code: "console.log('next')"}), options);
    assert.equal(next.status, 'ok', next.reason);
    assert.equal(next.stdout, 'next\n');
  });

  await t.test('fails a block that calls process.exit(), and the pool goes on', async () => {
    const code = "console.log('bye');\nprocess.exit(1);\nconsole.log('unreachable');";
    const measure = {repeat: 1, warmup: 0, processes: 2, minSampleMs: 1, fn: 'bench'};
    const result = await executeJs(plannedRun({kind: 'bench', code, measure}), options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'worker exited: the block called process.exit(1)');
    assert.equal(result.exitCode, 1);
    assert.equal(result.stdout, 'bye\n');
    const next = await executeJs(plannedRun({code: "console.log('still here')"}), options);
    assert.equal(next.status, 'ok', next.reason);
    assert.equal(next.stdout, 'still here\n');
  });

  await t.test('reports an error thrown from a timer callback', async () => {
    const code = "setTimeout(() => { throw new TypeError('later') }, 1);\nawait new Promise((resolve) => setTimeout(resolve, 50));";
    const result = await executeJs(plannedRun({blockId: 'late', code}), options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'TypeError: later');
    assert.match(result.stderr, /late\.js:1:/);
  });

  await t.test('caps huge output with a marker', async () => {
    const code = "const line = 'x'.repeat(99);\nfor (let i = 0; i < 1000; i++) console.log(line);";
    const result = await executeJs(plannedRun({code}), {...options, maxOutputBytes: 1000});
    assert.equal(result.status, 'ok', result.reason);
    assert.equal(result.stdout, `${'x'.repeat(99)}\n`.repeat(10) + '[benchbook: output truncated, 99000 bytes dropped]\n');
    assert.equal(result.stderr, '');
  });

  await t.test('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await executeJs(plannedRun({code: 'while (true) {}'}), {...options, signal: controller.signal});
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'aborted');
    assert.equal(result.timedOut, false);
    const already = await executeJs(plannedRun({code: '1'}), {...options, signal: AbortSignal.abort()});
    assert.equal(already.reason, 'aborted');
  });

  await t.test('leaves no temporary modules behind', async () => {
    assert.deepEqual(await readdir(path.join(options.cacheDir, 'js')), []);
  });

  await t.test('rejects runs it cannot execute with a TypeError', async () => {
    await assert.rejects(executeJs(plannedRun({runtime: 'python', code: ''}), options), {
      name: 'TypeError',
      message: /executeJs runs js and ts blocks, not "python"/
    });
    const measure = {repeat: 0, warmup: 0, processes: 1, minSampleMs: 1, fn: 'bench'};
    await assert.rejects(executeJs(plannedRun({kind: 'bench', code: '', measure}), options), {
      name: 'TypeError',
      message: 'run.measure.repeat must be a positive integer, got 0'
    });
  });
});
