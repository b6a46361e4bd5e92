import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {venvPython} from '../../src/runtimes/python.js';
import {ensureVenv, readStamp, stampFile} from '../../src/setup/python-venv.js';

const {found, missing} = await resolveRuntimes(['python']);
const python = found['python'];

test('ensureVenv', {skip: python ? false : `python not found: ${missing['python']}`}, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-venv-test-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const venvDir = path.join(dir, 'venv');
  const requirementsFile = path.join(dir, 'requirements.txt');
  // Nothing to download: the test runs without a network; the pip step still runs for real.
  await writeFile(requirementsFile, '# nothing pinned\n');
  const options = {python: python!, venvDir, requirementsFile};

  await t.test('makes the venv with the given CPython and stamps it', async () => {
    const outcome = await ensureVenv(options);
    assert.equal(outcome.status, 'created', outcome.reason);
    assert.equal(outcome.reason, 'no finished venv');
    const stamp = await readStamp(venvDir);
    assert.equal(stamp?.python, python!.executable);
    assert.equal(stamp?.version, python!.version);
    assert.match(stamp?.requirements ?? '', /^[0-9a-f]{64}$/);
    const config = await readFile(path.join(venvDir, 'pyvenv.cfg'), 'utf8');
    assert.match(config, new RegExp(`^home = ${path.dirname(python!.executable).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.ok((await stat(venvPython(venvDir))).isFile());
  });

  await t.test('a second run changes nothing', async () => {
    const before = {text: await readFile(stampFile(venvDir), 'utf8'), mtime: (await stat(stampFile(venvDir))).mtimeMs};
    const lines: string[] = [];
    const outcome = await ensureVenv({...options, log: (line) => lines.push(line)});
    assert.equal(outcome.status, 'up-to-date');
    assert.deepEqual(lines, []);
    assert.equal(await readFile(stampFile(venvDir), 'utf8'), before.text);
    assert.equal((await stat(stampFile(venvDir))).mtimeMs, before.mtime);
    t.diagnostic(`up-to-date check took ${outcome.durationMs.toFixed(1)} ms`);
  });

  await t.test('a changed requirements file makes the venv stale', async () => {
    const before = await readStamp(venvDir);
    await writeFile(requirementsFile, '# nothing pinned, still\n');
    // Checked only: making it anew is what the next test does, with a requirement pip rejects.
    const outcome = await ensureVenv({...options, install: false});
    assert.equal(outcome.status, 'stale');
    assert.equal(outcome.reason, 'requirements.txt changed');
    assert.deepEqual(await readStamp(venvDir), before, 'a check changes nothing');
  });

  await t.test('a failed pip install is reported and leaves no stamp', async () => {
    await writeFile(requirementsFile, 'this is not a requirement!\n');
    const outcome = await ensureVenv(options);
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /^pip install exited with code 1: /);
    assert.doesNotMatch(outcome.reason ?? '', /\n/);
    assert.equal(await readStamp(venvDir), undefined);
    // Not finished, so the next run makes it anew instead of trusting it.
    await writeFile(requirementsFile, '# fixed\n');
    assert.deepEqual({...(await ensureVenv({...options, install: false})), durationMs: 0}, {status: 'stale', reason: 'no finished venv', durationMs: 0});
  });

  await t.test('never deletes a folder that is not a venv', async () => {
    const other = path.join(dir, 'precious');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'keep me');
    const outcome = await ensureVenv({...options, venvDir: other});
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /exists and is not a venv \(no pyvenv\.cfg\)/);
    assert.equal(await readFile(path.join(other, 'notes.txt'), 'utf8'), 'keep me');
  });

  await t.test('a missing requirements file is a failure that names it', async () => {
    const outcome = await ensureVenv({...options, requirementsFile: path.join(dir, 'nope.txt')});
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /^cannot read .*nope\.txt \(ENOENT\)$/);
  });
});
