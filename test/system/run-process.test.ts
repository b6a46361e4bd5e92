import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import test from 'node:test';
import {runProcess} from '../../src/system/run-process.js';

const node = process.execPath;

/** Whether `pid` is alive (a zombie waiting for a reaper does not count). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('runProcess', async (t) => {
  await t.test('captures output and the exit code', async () => {
    const result = await runProcess(node, ['-e', 'process.stdout.write("out\\n"); console.error("err"); process.exit(3)']);
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.timedOut, false);
    assert.equal(result.aborted, false);
    assert.ok(result.durationMs > 0);
  });

  await t.test('passes input, cwd and extra environment', async () => {
    const result = await runProcess(
      node,
      ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s, process.cwd(), process.env.BB_TEST, !!process.env.PATH))'],
      {input: 'hello', cwd: '/', env: {BB_TEST: 'yes'}}
    );
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'hello / yes true\n');
  });

  await t.test('caps each stream without killing the child', async () => {
    const script = 'process.stdout.write("x".repeat(3_000_000)); process.stderr.write("y".repeat(50)); process.stdout.write("", () => process.exit(0))';
    const result = await runProcess(node, ['-e', script], {maxOutputBytes: 1000});
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, `${'x'.repeat(1000)}\n[benchbook: output truncated, 2999000 bytes dropped]\n`);
    assert.equal(result.stderr, 'y'.repeat(50));
  });

  await t.test('caps at 1 MiB by default', async () => {
    const result = await runProcess(node, ['-e', 'process.stdout.write("z".repeat(3 * 1024 * 1024))']);
    assert.equal(result.exitCode, 0);
    assert.ok(result.stdout.startsWith('z'.repeat(1024 * 1024) + '\n[benchbook: output truncated, '));
    assert.match(result.stdout, /2097152 bytes dropped\]\n$/);
  });

  await t.test('kills a child that runs past its time limit', async () => {
    const started = performance.now();
    const result = await runProcess(node, ['-e', 'console.log("started"); for (;;) {}'], {timeoutMs: 500});
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, undefined);
    assert.ok(result.signal);
    assert.equal(result.stdout, 'started\n');
    assert.ok(performance.now() - started < 3000);
  });

  await t.test('kills grandchildren too, so their open pipes cannot hold the run', async () => {
    const script = [
      'const {spawn} = require("node:child_process");',
      'const child = spawn("sleep", ["30"], {stdio: "inherit"});',
      'console.log(child.pid);',
      'for (;;) {}'
    ].join('\n');
    const started = performance.now();
    const result = await runProcess(node, ['-e', script], {timeoutMs: 500});
    assert.equal(result.timedOut, true);
    assert.ok(performance.now() - started < 3000, 'the run ends near its deadline');
    const grandchild = Number(result.stdout.trim());
    assert.ok(!isRunning(grandchild), `sleep ${grandchild} was left running`);
  });

  await t.test('does not start when the time is already up or the signal aborted', async () => {
    assert.equal((await runProcess(node, ['-e', ''], {timeoutMs: 0})).timedOut, true);
    assert.equal((await runProcess(node, ['-e', ''], {signal: AbortSignal.abort()})).aborted, true);
  });

  await t.test('kills the child when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runProcess(node, ['-e', 'for (;;) {}'], {signal: controller.signal});
    assert.equal(result.aborted, true);
    assert.equal(result.timedOut, false);
  });

  await t.test('reports a missing executable as data', async () => {
    const result = await runProcess('/nonexistent/benchbook-no-such-tool', []);
    assert.equal(result.spawnErrorCode, 'ENOENT');
    assert.match(result.spawnError ?? '', /ENOENT/);
    assert.equal(result.exitCode, undefined);
  });
});
