import assert from 'node:assert/strict';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {assertCalibrated, plannedRun, quickMeasure, temporaryCacheDir} from '../execute/helpers.js';

const {found, missing} = await resolveRuntimes(['python']);
const python = found['python'];

test('executePython', {skip: missing['python']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};

  await t.test('times a bench block: repeat × processes samples, calibrated loops', async () => {
    const code = 'print("setup")\ndata = list(range(10))\n\ndef bench():\n    return len(data)\n';
    const result = await executeRun(plannedRun('python', 'bench', code), python!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assertCalibrated(result);
    assert.equal(result.stdout, 'setup\n', 'the output is that of the first process');
    assert.equal(result.buildMs, 0);
    assert.ok(result.durationMs > 0);
  });

  await t.test('times the function named by measure.fn', async () => {
    const code = 'def work():\n    return sum(range(100))\n';
    const result = await executeRun(plannedRun('python', 'bench', code, {measure: {fn: 'work', processes: 1}}), python!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assert.ok((result.samples?.length ?? 0) >= quickMeasure.repeat, `steady samples: ${result.samples?.length}`);
  });

  await t.test('runs a run block with the real interpreter and a fixed hash seed', async () => {
    const code = 'import os, sys\nprint(sys.executable)\nprint(os.environ["PYTHONHASHSEED"], os.environ["PYTHONDONTWRITEBYTECODE"])\n';
    const result = await executeRun(plannedRun('python', 'run', code), python!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assert.equal(result.stdout, `${python!.executable}\n0 1\n`);
    assert.equal(result.exitCode, 0);
    assert.equal(result.samples, undefined);
  });

  await t.test('a block named after a module does not shadow it', async () => {
    const code = 'import json\nprint(json.dumps([1]))\n';
    const result = await executeRun(plannedRun('python', 'run', code, {blockId: 'json'}), python!, options);
    assert.equal(result.stdout, '[1]\n', result.stderr);
  });

  await t.test('a non-zero exit is a failure with the exit code', async () => {
    const result = await executeRun(plannedRun('python', 'run', 'import sys\nprint("bye")\nsys.exit(3)\n'), python!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 3);
    assert.equal(result.reason, 'exited with code 3');
    assert.equal(result.stdout, 'bye\n');
  });

  await t.test('an exception in a bench block names the block in the traceback', async () => {
    const code = 'def bench():\n    return 1 / 0\n';
    const result = await executeRun(plannedRun('python', 'bench', code, {blockId: 'divide'}), python!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /File "<divide>", line 2, in bench\n\s+return 1 \/ 0/);
    assert.match(result.stderr, /ZeroDivisionError/);
  });

  await t.test('a missing bench function is a clear error with exit code 2', async () => {
    const result = await executeRun(plannedRun('python', 'bench', 'x = 1\n', {blockId: 'nofn'}), python!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /block nofn defines no function bench\(\)/);
  });

  await t.test('a harness that leaves no result is a failure', async () => {
    const code = 'import atexit, os\natexit.register(lambda: os.remove(os.environ["BENCHBOOK_RESULT"]))\ndef bench():\n    return 1\n';
    const result = await executeRun(plannedRun('python', 'bench', code), python!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'harness produced no result: the result file was not written');
  });

  await t.test('a harness result of the wrong shape is a failure that says what it saw', async () => {
    const code =
      'import atexit, os\ndef clobber():\n    open(os.environ["BENCHBOOK_RESULT"], "w").write("{\\"samples\\": 1}")\natexit.register(clobber)\ndef bench():\n    return 1\n';
    const result = await executeRun(plannedRun('python', 'bench', code), python!, options);
    assert.equal(result.status, 'failed');
    assert.match(result.reason ?? '', /^harness produced no result: expected .*saw "\{\\"samples\\": 1\}"$/);
  });

  await t.test('an endless loop is killed at the time limit', async () => {
    const started = performance.now();
    const result = await executeRun(plannedRun('python', 'run', 'while True:\n    pass\n', {timeoutMs: 1000}), python!, options);
    assert.equal(result.status, 'timed-out');
    assert.equal(result.reason, 'timed out after 1 s');
    assert.equal(result.timedOut, true);
    assert.ok(performance.now() - started < 4000);
  });

  await t.test('one deadline covers every process of a bench block', async () => {
    const code = 'import time\ntime.sleep(0.4)\ndef bench():\n    return 1\n';
    const run = plannedRun('python', 'bench', code, {timeoutMs: 1000, measure: {processes: 5}});
    const result = await executeRun(run, python!, options);
    assert.equal(result.status, 'timed-out');
    assert.ok(result.durationMs < 2500);
  });

  await t.test('large output is capped with a marker', async () => {
    const code = 'import sys\nsys.stdout.write("x" * 3_000_000)\nprint("done", file=sys.stderr)\n';
    const result = await executeRun(plannedRun('python', 'run', code), python!, options);
    assert.equal(result.status, 'ok');
    assert.ok(result.stdout.startsWith('x'.repeat(1024 * 1024) + '\n'));
    assert.match(result.stdout, /\[benchbook: output truncated, 1951424 bytes dropped\]\n$/);
    assert.equal(result.stderr, 'done\n');
  });

  await t.test('an abort stops the run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await executeRun(plannedRun('python', 'run', 'while True:\n    pass\n'), python!, {cacheDir, signal: controller.signal});
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'aborted');
  });
});
