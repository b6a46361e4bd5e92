import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {projectBuilds} from '../../src/runtimes/python-discovery.js';
import {buildFromSource, cpythonTargets, debianCPythonSources, outcomeLine, provideCPythons, pyenvDefinitionSha256} from '../../src/setup/cpython.js';

test('CPython provisioning', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-cpython-'));
  t.after(() => rm(dir, {recursive: true, force: true}));

  await t.test('pyenvDefinitionSha256 reads the tarball\'s sha256 from a definition, the free-threaded one from its base', async () => {
    const definitions = path.join(dir, 'pyenv', 'plugins', 'python-build', 'share', 'python-build');
    await mkdir(definitions, {recursive: true});
    const sha = 'a'.repeat(64);
    await writeFile(
      path.join(definitions, '3.13.5'),
      `install_package "openssl-3.5.1" "https://example.invalid/openssl-3.5.1.tar.gz#${'b'.repeat(64)}" mac_openssl\ninstall_package "Python-3.13.5" "https://example.invalid/Python-3.13.5.tar.xz#${sha}" standard\n`
    );
    assert.equal(await pyenvDefinitionSha256(path.join(dir, 'pyenv'), '3.13.5'), sha);
    assert.equal(await pyenvDefinitionSha256(path.join(dir, 'pyenv'), '3.13.5t'), sha);
    assert.equal(await pyenvDefinitionSha256(path.join(dir, 'pyenv'), '3.13.6'), undefined);
  });

  await t.test('a failed build says which step failed and why, keeps its log, and leaves no install behind', async () => {
    const buildsDir = path.join(dir, 'cpython');
    const orig = path.join(dir, 'python3.13_3.13.5.orig.tar.xz');
    await writeFile(orig, 'not a tarball\n');
    const lines: string[] = [];
    const outcome = await buildFromSource({
      name: '3.13.5t',
      source: {orig, version: '3.13.5-2', sha256: '0'.repeat(64)},
      target: {minor: '3.13', freeThreaded: true},
      buildsDir,
      log: (line) => lines.push(line)
    });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /^tar exited with code 2: .*\(log: .*3\.13\.5t\.log\)$/);
    assert.match(outcome.how ?? '', /^\.\/configure --prefix=\S+\/3\.13\.5t --disable-gil --without-ensurepip --disable-test-modules && make && make install$/);
    assert.match(await readFile(path.join(buildsDir, '3.13.5t.log'), 'utf8'), /^\$ tar -xf /);
    assert.equal(existsSync(path.join(buildsDir, '3.13.5t')), false);
    assert.equal(existsSync(path.join(buildsDir, '.build', '3.13.5t')), false);
    assert.deepEqual(await projectBuilds(buildsDir), []);
    assert.match(lines[0] ?? '', /^cpython  building 3\.13\.5t from python3\.13_3\.13\.5\.orig\.tar\.xz into /);
  });

  await t.test('a version no Debian suite carries is missing, and says so, without downloading anything', async (t) => {
    assert.equal(debianCPythonSources['3.12'], undefined);
    // As on a machine without pyenv: an empty pyenv root, and PATH without pyenv's shims.
    const saved = {root: process.env['PYENV_ROOT'], path: process.env['PATH']};
    process.env['PYENV_ROOT'] = path.join(dir, 'no-pyenv');
    process.env['PATH'] = (saved.path ?? '').split(path.delimiter).filter((folder) => !folder.includes('pyenv')).join(path.delimiter);
    t.after(() => {
      for (const [name, value] of [['PYENV_ROOT', saved.root], ['PATH', saved.path]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    const lines: string[] = [];
    const [outcome] = await provideCPythons({targets: [cpythonTargets['python3.12']!], cacheDir: dir, log: (line) => lines.push(line)});
    if (outcome?.status === 'present') return t.skip(`python3.12 is here (${outcome.executable})`);
    assert.equal(outcome?.status, 'missing');
    assert.match(outcome?.reason ?? '', /^python3\.12 not found .*; no Debian suite carries a python3\.12 source for setup to build it from$/);
    assert.deepEqual(lines, [outcomeLine(outcome!)]);
    assert.equal(existsSync(path.join(dir, 'apt')), false, 'apt was not run');
  });

  await t.test('checking only builds nothing and says what setup would do', async () => {
    const [outcome] = await provideCPythons({targets: [cpythonTargets['python-ft']!], cacheDir: path.join(dir, 'check'), build: false});
    if (outcome?.status === 'present') return;
    assert.equal(outcome?.status, 'missing');
    assert.match(outcome?.reason ?? '', /not built \(checking only\): npm run setup builds it from Debian trixie's python3\.13 source$/);
    assert.equal(existsSync(path.join(dir, 'check')), false);
  });
});
