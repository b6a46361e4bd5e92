/**
 * `npm run notebook -- lab x.md -- <jupyter options>` with the real JupyterLab of the project venv:
 * started on a port with a token and no browser, it serves the notebook, and stops when told to.
 */
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {copyFile, mkdtemp, rm} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {venvDir} from '../../src/runtimes/python.js';
import {bin, runCli} from '../cli/helpers.js';
import {fixture} from '../helpers/paths.js';

const jupyter = path.join(venvDir, 'bin', 'jupyter');
const missing = existsSync(jupyter) ? undefined : `JupyterLab is not installed in ${venvDir}: run npm run setup`;

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** GETs a URL; the status and body, or undefined while nothing answers. */
async function get(url: string): Promise<{status: number; body: string} | undefined> {
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
    return {status: response.status, body: await response.text()};
  } catch {
    return undefined;
  }
}

test('notebook lab passes options after -- to JupyterLab, which serves the notebook on that port', {skip: missing, timeout: 180_000}, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-lab-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  await copyFile(fixture('notebook', 'jupyter.md'), path.join(dir, 'jupyter.md'));
  const port = await freePort();
  const token = 'benchbook-test-token';
  // Jupyter's own folders in the scratch folder: the test neither reads nor changes the user's.
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(dir, 'workspaces')
  };
  const child = spawn(process.execPath, [bin, 'notebook', 'lab', 'jupyter.md', '--', '--port', String(port), '--no-browser', `--IdentityProvider.token=${token}`, '--ServerApp.port_retries=0'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => {
    // Only if the test failed before stopping it: the CLI passes SIGTERM on to JupyterLab.
    if (child.exitCode === null) child.kill('SIGTERM');
  });

  let status: {status: number; body: string} | undefined;
  for (let tries = 0; tries < 120 && child.exitCode === null; tries++) {
    status = await get(`http://127.0.0.1:${port}/api/status?token=${token}`);
    if (status?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(status?.status, 200, `JupyterLab answers on port ${port}:\n${output}`);
  assert.match(output, /benchbook: wrote jupyter\.ipynb/, 'the notebook was exported first');
  assert.ok(existsSync(path.join(dir, 'jupyter.ipynb')));

  // The token is the one given: without it the API refuses, with it the notebook is there.
  assert.equal((await get(`http://127.0.0.1:${port}/api/contents/jupyter.ipynb`))?.status, 403);
  const contents = await get(`http://127.0.0.1:${port}/api/contents/jupyter.ipynb?token=${token}&content=0`);
  assert.equal(contents?.status, 200);
  assert.equal((JSON.parse(contents!.body) as {type: string}).type, 'notebook');
  const lab = await get(`http://127.0.0.1:${port}/lab?token=${token}`);
  assert.equal(lab?.status, 200);
  assert.match(lab!.body, /JupyterLab/);

  child.kill('SIGTERM');
  assert.notEqual(await exited, null, 'the CLI exits once JupyterLab has stopped');
  assert.equal(await get(`http://127.0.0.1:${port}/api/status`), undefined, 'nothing serves on the port any more');
});

test('notebook lab: Jupyter options before the second -- are an error that says where they go', async () => {
  const run = await runCli(['notebook', 'lab', 'notebooks/x.md', '--port', '8899']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown flag --port: JupyterLab's options go after a second --, e\.g\. npm run notebook -- lab notebooks\/x\.md -- --port 8899/);
  const elsewhere = await runCli(['notebook', 'export', 'notebooks/x.md', '--', '--port', '1']);
  assert.equal(elsewhere.code, 2);
  assert.match(elsewhere.stderr, /only notebook lab passes options on to Jupyter/);
});
