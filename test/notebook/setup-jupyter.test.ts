import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {registerTslabKernel, setupJupyter} from '../../src/setup/jupyter.js';

test('registerTslabKernel', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-kernel-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const venvDir = path.join(dir, 'venv');

  await t.test('skips, saying what to do, when the venv has no Jupyter', async () => {
    const outcome = await registerTslabKernel({venvDir});
    assert.equal(outcome.status, 'skipped');
    assert.match(outcome.reason ?? '', /JupyterLab is not installed in .*: .*npm run setup/);
    assert.match(await setupJupyter({venvDir}), /^jupyter  tslab kernel not registered: /);
  });

  await t.test("writes the kernelspec into the venv, running this Node.js and the project's tslab, once", async () => {
    await mkdir(path.join(venvDir, 'bin'), {recursive: true});
    await writeFile(path.join(venvDir, 'bin', 'jupyter'), '');
    const first = await registerTslabKernel({venvDir});
    assert.equal(first.status, 'registered');
    assert.equal(first.kernelDir, path.join(venvDir, 'share', 'jupyter', 'kernels', 'tslab'));
    const spec = JSON.parse(await readFile(path.join(first.kernelDir, 'kernel.json'), 'utf8')) as {argv: string[]; language: string};
    assert.deepEqual(spec.argv, [process.execPath, path.join(packageRoot, 'node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', '{connection_file}']);
    assert.equal(spec.language, 'typescript');
    assert.equal((await registerTslabKernel({venvDir})).status, 'up-to-date');
    assert.match(await setupJupyter({venvDir}), /^jupyter  tslab kernel up to date: /);
  });
});
