import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {
  buildFailureFile,
  buildStampName,
  findCPython,
  newestInstall,
  parseInstallName,
  projectBuilds,
  pyenvInstalls,
  pyenvRoot,
  readBuildFailure
} from '../../src/runtimes/python-discovery.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';

/** Makes `<dir>/<name>/bin/<interpreter>` a link to a real interpreter (or an empty executable file). */
async function install(dir: string, name: string, interpreter: string, target?: string): Promise<string> {
  const bin = path.join(dir, name, 'bin');
  await mkdir(bin, {recursive: true});
  const file = path.join(bin, interpreter);
  if (target) await symlink(target, file);
  else await writeFile(file, '', {mode: 0o755});
  return file;
}

test('python discovery', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-discovery-'));
  t.after(() => rm(dir, {recursive: true, force: true}));

  await t.test('parseInstallName: final releases, with the GIL or free-threaded', () => {
    assert.deepEqual(parseInstallName('3.13.5'), {minor: '3.13', micro: 5, freeThreaded: false});
    assert.deepEqual(parseInstallName('3.13.5t'), {minor: '3.13', micro: 5, freeThreaded: true});
    assert.deepEqual(parseInstallName('3.12.10'), {minor: '3.12', micro: 10, freeThreaded: false});
    for (const name of ['3.13-dev', '3.13t-dev', '3.14.0rc1', 'pypy3.10-7.3.17', 'system', '3.13']) assert.equal(parseInstallName(name), undefined, name);
  });

  await t.test('pyenvInstalls reads versions/ and newestInstall picks the newest micro of the wanted kind', async () => {
    const root = path.join(dir, 'pyenv');
    await install(path.join(root, 'versions'), '3.13.0', 'python3.13');
    await install(path.join(root, 'versions'), '3.13.2t', 'python3.13t');
    const newest = await install(path.join(root, 'versions'), '3.13.10t', 'python3.13t');
    await install(path.join(root, 'versions'), '3.13-dev', 'python3.13');
    // A free-threaded install whose interpreter is missing is not an install.
    await mkdir(path.join(root, 'versions', '3.13.11t', 'bin'), {recursive: true});
    const installs = await pyenvInstalls(root);
    assert.deepEqual(installs.map((found) => found.name), ['3.13.0', '3.13.10t', '3.13.2t']);
    assert.equal(newestInstall(installs, {minor: '3.13', freeThreaded: true})?.executable, newest);
    assert.equal(newestInstall(installs, {minor: '3.13', freeThreaded: false})?.name, '3.13.0');
    assert.equal(newestInstall(installs, {minor: '3.12', freeThreaded: false}), undefined);
  });

  await t.test('projectBuilds counts only finished builds (stamped)', async () => {
    const builds = path.join(dir, 'cpython');
    await install(builds, '3.13.5t', 'python3.13t');
    await install(builds, '3.13.5', 'python3.13');
    await writeFile(path.join(builds, '3.13.5t', buildStampName), '{}\n');
    assert.deepEqual((await projectBuilds(builds)).map((found) => `${found.name} ${found.source}`), ['3.13.5t project']);
  });

  await t.test('findCPython: pyenv first, then the project cache, then PATH', async () => {
    const root = path.join(dir, 'pyenv');
    const builds = path.join(dir, 'cpython');
    const found = await findCPython({minor: '3.13', freeThreaded: true}, {pyenvRoot: root, projectDir: builds, path: false});
    assert.deepEqual(found, [path.join(root, 'versions', '3.13.10t', 'bin', 'python3.13t'), path.join(builds, '3.13.5t', 'bin', 'python3.13t')]);
    assert.deepEqual(await findCPython({minor: '3.13', freeThreaded: true}, {pyenvRoot: undefined, projectDir: builds, path: false}), [path.join(builds, '3.13.5t', 'bin', 'python3.13t')]);
    assert.deepEqual(await findCPython({minor: '3.12', freeThreaded: false}, {pyenvRoot: root, projectDir: builds, path: false}), []);
  });

  await t.test('a recorded build failure is read back, and nothing when none is recorded', async () => {
    const builds = path.join(dir, 'failures');
    await mkdir(builds);
    assert.equal(await readBuildFailure('python-ft', builds), undefined);
    await writeFile(buildFailureFile('python-ft', builds), JSON.stringify({name: '3.13.5t', reason: 'make exited with code 2: error: no zlib'}));
    assert.deepEqual(await readBuildFailure('python-ft', builds), {name: '3.13.5t', reason: 'make exited with code 2: error: no zlib'});
    await writeFile(buildFailureFile('python-ft', builds), 'not json');
    assert.equal(await readBuildFailure('python-ft', builds), undefined);
  });

  await t.test('python-ft finds a pyenv *t install by itself, and refuses one that runs with the GIL', async (t) => {
    const withGil = (await resolveRuntimes(['python3.13'])).found['python3.13'];
    if (!withGil) return t.skip('no CPython 3.13 here to stand in for a mislabelled *t install');
    const root = path.join(dir, 'pyenv-gil');
    await install(path.join(root, 'versions'), '3.13.9t', 'python3.13t', withGil.executable);
    const saved = {root: process.env['PYENV_ROOT'], ft: process.env['BENCHBOOK_PYTHON_FT'], path: process.env['PATH']};
    try {
      process.env['PYENV_ROOT'] = root;
      delete process.env['BENCHBOOK_PYTHON_FT'];
      // PATH without python3.13t, so that only the pyenv root above can answer.
      process.env['PATH'] = (saved.path ?? '').split(path.delimiter).filter((folder) => !folder.includes('pyenv')).join(path.delimiter);
      const [first] = await findCPython({minor: '3.13', freeThreaded: true}, {projectDir: path.join(dir, 'none')});
      assert.equal(first, path.join(root, 'versions', '3.13.9t', 'bin', 'python3.13t'));
      const {missing} = await resolveRuntimes(['python-ft']);
      // Unless the project cache holds a real free-threaded build, the pyenv one is tried, and refused.
      if (missing['python-ft']) assert.match(missing['python-ft'], /3\.13\.9t\/bin\/python3\.13t is CPython 3\.13\.\d+ with the GIL enabled: not a free-threaded build/);
    } finally {
      for (const [name, value] of [['PYENV_ROOT', saved.root], ['BENCHBOOK_PYTHON_FT', saved.ft], ['PATH', saved.path]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  await t.test('a free-threaded CPython that npm run setup installed is found and runs without the GIL', async (t) => {
    const root = await pyenvRoot();
    const installs = root ? await pyenvInstalls(root) : [];
    const builds = await projectBuilds();
    const freeThreaded = [...installs, ...builds].filter((found) => found.freeThreaded);
    if (freeThreaded.length === 0) return t.skip('no free-threaded CPython installed here yet: npm run setup builds one');
    const saved = process.env['BENCHBOOK_PYTHON_FT'];
    delete process.env['BENCHBOOK_PYTHON_FT'];
    try {
      const {found, missing} = await resolveRuntimes(['python-ft']);
      assert.ok(found['python-ft'], missing['python-ft']);
      assert.match(found['python-ft'].version, /^CPython 3\.13\.\d+ free-threaded \(GIL disabled\)$/);
      assert.ok(freeThreaded.some((install) => install.executable === found['python-ft']!.executable), found['python-ft'].executable);
    } finally {
      if (saved !== undefined) process.env['BENCHBOOK_PYTHON_FT'] = saved;
    }
  });
});
