import assert from 'node:assert/strict';
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {runtimeNames} from '../../src/runtimes/index.js';
import {venvDir} from '../../src/runtimes/python.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {packageRoot} from '../../src/paths.js';
import {ensureVenv, runSetup, stampFile} from '../../src/setup/index.js';

// Only check here: a test never provisions (that is npm run setup's job, and takes minutes).
const python = (await resolveRuntimes(['python'])).found['python'];
const venv = python && (await ensureVenv({python, venvDir, requirementsFile: path.join(packageRoot, 'requirements.txt'), install: false}));
const notReady = !venv ? 'no python to check the project venv with' : venv.status === 'up-to-date' ? false : `the project venv is not ready (${venv.reason}): run npm run setup first`;

test('runSetup on this project', {skip: notReady}, async (t) => {
  await t.test('a second run is a no-op that reports every runtime', async () => {
    const before = {text: await readFile(stampFile(venvDir), 'utf8'), mtime: (await stat(stampFile(venvDir))).mtimeMs};
    const lines: string[] = [];
    // Never install system packages from a test, even as root.
    const result = await runSetup({apt: {canInstall: false}}, {log: (line) => lines.push(line)});
    assert.equal(result.failed, false, lines.join('\n'));
    assert.equal(result.venv?.status, 'up-to-date');
    assert.deepEqual(result.apt?.installed, []);
    assert.equal(await readFile(stampFile(venvDir), 'utf8'), before.text);
    assert.equal((await stat(stampFile(venvDir))).mtimeMs, before.mtime);

    // One line per runtime, found or missing, in registry order; a missing one says what to do.
    const runtimeLines = lines.filter((line) => /^(ok|missing) {2,}/.test(line));
    assert.deepEqual(runtimeLines.map((line) => line.split(/\s+/)[1]), runtimeNames());
    for (const line of runtimeLines.filter((line) => line.startsWith('missing'))) assert.match(line, / — /);
    for (const name of ['numba', 'nuitka']) assert.ok(result.found[name], `${name} is in the provisioned venv: ${result.missing[name]}`);
    assert.ok(lines.includes(`venv     up to date: ${lines.find((line) => line.startsWith('venv     up to date: '))?.slice(21)}`));
    t.diagnostic(`second setup took ${(result.durationMs / 1000).toFixed(2)} s`);
  });
});
