import assert from 'node:assert/strict';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {resolveRuntimes, runtimeForLanguage} from '../../src/runtimes/index.js';
import {scratchProject} from '../helpers/build.js';
import {fixture} from '../helpers/paths.js';
import {assertCalibrated, plannedRun, temporaryCacheDir} from '../execute/helpers.js';

const {found, missing} = await resolveRuntimes(['cpp']);
const gpp = found['cpp'];

test('C++ blocks', {skip: missing['cpp']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);

  await t.test('cpp, c++ and cxx fences select g++ with -O2 -std=c++20', () => {
    for (const word of ['cpp', 'c++', 'cxx']) assert.equal(runtimeForLanguage(word), 'cpp');
    assert.match(gpp!.version, /^g\+\+ \d+\.\d+/);
    assert.deepEqual(gpp!.flags, ['-O2', '-std=c++20']);
  });

  await t.test('times a bench block returning a class type', async () => {
    const code = '#include <string>\nstd::string bench() { return std::string(40, \'x\'); }\n';
    const result = await executeRun(plannedRun('cpp', 'bench', code), gpp!, {cacheDir});
    assert.equal(result.status, 'ok', result.stderr);
    assertCalibrated(result);
  });

  await t.test('a void bench function is refused at compile time, saying why', async () => {
    const result = await executeRun(plannedRun('cpp', 'bench', 'void bench() {}\n'), gpp!, {cacheDir});
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /the bench function must return a value/);
  });

  await t.test('a notebook with bench, run, lib and process-mode blocks builds a page naming g++', async () => {
    const scratch = await scratchProject();
    t.after(() => scratch.dispose());
    const summary = await scratch.build([fixture('runtimes/cpp.md')]);
    assert.equal(summary.failed, 0, scratch.lines.join('\n'));
    assert.equal(summary.run, 4, scratch.lines.join('\n'));
    const html = await scratch.read('cpp.html');
    assert.match(html, /sum 5050/);
    assert.match(html, /triple 42/, 'the C++ library was built and called from Python');
    const version = gpp!.version.replace(/[+]/g, '\\+');
    assert.match(html, new RegExp(`<td>${version}</td>`), 'the table names the compiler version');
    assert.match(html, /C\+\+ program/);
  });
});
