import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readdir, readFile, rm, stat, symlink} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {execa} from 'execa';
import {runtimeNames} from '../../src/runtimes/index.js';
import {venvDir} from '../../src/runtimes/python.js';
import {packageRoot} from '../../src/paths.js';
import {coreRuntimes, notebookRuntimes, readStamp, runSetup, stampFile} from '../../src/setup/index.js';

// Only check here: a test never provisions (that is npm run setup's job, and takes minutes).
const stamp = await readStamp(venvDir);
const notReady = stamp ? false : `the project venv is not ready (${stampFile(venvDir)} is missing): run npm run setup first`;
const bin = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

test('runSetup on this project', {skip: notReady}, async (t) => {
  await t.test('a second run is a no-op that reports every runtime in a table', async () => {
    const before = {text: await readFile(stampFile(venvDir), 'utf8'), mtime: (await stat(stampFile(venvDir))).mtimeMs};
    const lines: string[] = [];
    // Never install system packages nor build CPython from a test, even as root.
    const result = await runSetup({apt: {canInstall: false}, cpython: {build: false}}, {log: (line) => lines.push(line)});
    assert.equal(result.ready, true, lines.join('\n'));
    assert.equal(result.venv?.status, 'up-to-date', lines.join('\n'));
    assert.deepEqual(result.apt?.installed, []);
    assert.equal(await readFile(stampFile(venvDir), 'utf8'), before.text);
    assert.equal((await stat(stampFile(venvDir))).mtimeMs, before.mtime);

    // One row per runtime, ready or missing, in registry order; a missing one says what brings it and why it is missing.
    assert.deepEqual(result.rows.map((row) => row.name), runtimeNames());
    const rowLines = lines.filter((line) => /^[a-z0-9.-]+\*? +(ready|missing) {2}/.test(line));
    assert.deepEqual(rowLines.map((line) => line.split(/\s+/)[0]!.replace(/\*$/, '')), runtimeNames(), lines.join('\n'));
    for (const row of result.rows) {
      if (row.status === 'ready') {
        assert.ok(row.executable && path.isAbsolute(row.executable), `${row.name}: ${row.executable}`);
        assert.ok(row.version);
      } else {
        assert.ok(row.command && row.reason, `${row.name} says what brings it and why it is missing`);
        const at = lines.findIndex((line) => line.startsWith(row.name) && line.includes(`run: ${row.command}`));
        assert.ok(at >= 0, `${row.name}'s row names the command`);
        assert.match(lines[at + 1] ?? '', /^ +why: /);
      }
    }
    for (const name of ['numba', 'nuitka']) assert.ok(result.found[name], `${name} is in the provisioned venv: ${result.missing[name]}`);
    // The venv is made from a CPython the lock supports, and numba runs on it.
    assert.equal(result.found['numba']?.version.endsWith(`on ${result.venvPython?.version}`), true, `${result.found['numba']?.version} vs ${result.venvPython?.version}`);
  });

  await t.test('the notebooks\' runtimes are marked', async () => {
    const used = await notebookRuntimes(path.join(packageRoot, 'notebooks'));
    for (const name of ['python', 'python3.12', 'python3.13', 'python-ft', 'go']) assert.ok(used.has(name), `a notebook runs on ${name}`);
    assert.ok(!used.has('cobol'));
  });
});

test('npm run setup as a process', {skip: existsSync(bin) ? notReady : `${bin} is not built`}, async (t) => {
  // PATH as it is but without pypy3: each folder that holds it is replaced by a folder of links to the rest.
  const shadows = await mkdtemp(path.join(tmpdir(), 'benchbook-path-'));
  t.after(() => rm(shadows, {recursive: true, force: true}));
  const folders: string[] = [];
  for (const [index, dir] of (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '').entries()) {
    if (!['pypy3', 'pypy'].some((name) => existsSync(path.join(dir, name)))) {
      folders.push(dir);
      continue;
    }
    const shadow = path.join(shadows, String(index));
    await mkdir(shadow);
    for (const name of await readdir(dir)) if (!name.startsWith('pypy')) await symlink(path.join(dir, name), path.join(shadow, name));
    folders.push(shadow);
  }
  const PATH = folders.join(path.delimiter);
  const run = (...args: string[]) => execa(process.execPath, [bin, 'setup', '--check', ...args], {cwd: packageRoot, env: {PATH}, reject: false});

  await t.test('reports a missing runtime with its command and exits 0: only core runtimes are required', async () => {
    const result = await run();
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
    const row = result.stdout.split('\n').find((line) => /^pypy\*? +missing {2}/.test(line));
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    assert.match(row ?? '', new RegExp(`run: ${sudo}apt-get install -y pypy3$`), result.stdout);
    assert.match(result.stdout, /^benchbook: setup done: \d+ runtimes ready, \d+ missing \(.*pypy.*\), \d+ problems, in [\d.]+ s$/m);
    for (const name of coreRuntimes) assert.match(result.stdout, new RegExp(`^${name}\\*? +ready {2}`, 'm'));
  });

  await t.test('--strict makes the missing runtime an error', async () => {
    const result = await run('--strict');
    assert.equal(result.exitCode, 1, result.stdout);
    assert.match(result.stdout, /^benchbook: setup failed \(--strict\): .*pypy/m);
  });

  await t.test('an unknown flag is a usage error that names it', async () => {
    const result = await run('--strikt');
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /unknown flag --strikt: did you mean --strict\?/);
  });
});
