import assert from 'node:assert/strict';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {assertCalibrated, plannedRun, temporaryCacheDir} from '../execute/helpers.js';

const {found, missing} = await resolveRuntimes(['c']);
const gcc = found['c'];

test('executeC', {skip: missing['c']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};

  await t.test('times a bench block: repeat × processes samples, calibrated loops', async () => {
    const code = '#include <stdint.h>\n\nstatic uint32_t data[64];\n\nuint32_t bench(void) {\n  uint32_t s = 0;\n  for (int i = 0; i < 64; i++) s += data[i] * 3u;\n  return s;\n}\n';
    const result = await executeRun(plannedRun('c', 'bench', code), gcc!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assertCalibrated(result);
    assert.ok((result.buildMs ?? 0) > 0);
  });

  await t.test('runs a run block, and reuses its cached build', async () => {
    const code = '#include <stdio.h>\n#include <math.h>\n\nint main(void) {\n  printf("%.0f\\n", sqrt(49.0));\n  return 0;\n}\n';
    const first = await executeRun(plannedRun('c', 'run', code), gcc!, options);
    assert.equal(first.status, 'ok', first.stderr);
    assert.equal(first.stdout, '7\n');
    assert.ok((first.buildMs ?? 0) > 0);
    const second = await executeRun(plannedRun('c', 'run', code), gcc!, options);
    assert.equal(second.stdout, '7\n');
    assert.equal(second.buildMs, 0);
  });

  await t.test('concurrent runs of a new block share one complete build', async () => {
    const code = '#include <stdio.h>\nint main(void) { puts("raced"); return 0; }\n';
    const results = await Promise.all([1, 2, 3].map(() => executeRun(plannedRun('c', 'run', code), gcc!, options)));
    for (const result of results) assert.equal(result.stdout, 'raced\n', result.stderr);
  });

  await t.test('a compile error is a failure with the compiler message', async () => {
    const result = await executeRun(plannedRun('c', 'run', 'int main(void) {\n  return nope;\n}\n'), gcc!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /block\.c:2:10: error: .nope. undeclared/);
  });

  await t.test('a void bench function is a compile error that says why', async () => {
    const result = await executeRun(plannedRun('c', 'bench', 'void bench(void) {}\n'), gcc!, options);
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /must return a value/);
  });

  await t.test('a non-zero exit is a failure with the exit code', async () => {
    const result = await executeRun(plannedRun('c', 'run', 'int main(void) { return 3; }\n'), gcc!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 3);
    assert.equal(result.reason, 'exited with code 3');
  });

  await t.test('a crash is a failure naming the signal', async () => {
    const result = await executeRun(plannedRun('c', 'run', 'int main(void) { volatile int *p = 0; *p = 1; return 0; }\n'), gcc!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.signal, 'SIGSEGV');
    assert.equal(result.reason, 'killed by SIGSEGV');
  });

  await t.test('an endless loop is killed at the time limit', async () => {
    const started = performance.now();
    const code = 'int main(void) { for (volatile int i = 0;; i++) {} }\n';
    const result = await executeRun(plannedRun('c', 'run', code, {timeoutMs: 1000}), gcc!, options);
    assert.equal(result.status, 'timed-out');
    assert.equal(result.reason, 'timed out after 1 s');
    assert.ok(performance.now() - started < 4000);
  });

  await t.test('large output is capped with a marker', async () => {
    const code = '#include <stdio.h>\nint main(void) { for (int i = 0; i < 3000000; i++) putchar(120); return 0; }\n';
    const result = await executeRun(plannedRun('c', 'run', code), gcc!, {...options, maxOutputBytes: 4096});
    assert.equal(result.status, 'ok', result.stderr);
    assert.equal(result.stdout, `${'x'.repeat(4096)}\n[benchbook: output truncated, 2995904 bytes dropped]\n`);
  });
});
