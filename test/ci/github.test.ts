/**
 * The generated GitHub Actions workflow: its shape, actionlint (when installed), and the same
 * commands its steps run, run here in the same order (shards into separate folders, merge, build).
 */
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {cp, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {parse} from 'yaml';
import {actionlintConfig, githubWorkflow, measureJob, parseCiConfig} from '../../src/ci/index.js';
import {fixture} from '../helpers/paths.js';
import {hasCommand, scratchPackage} from '../helpers/project.js';

const config = parseCiConfig(
  ['profile: quick', 'shards: 2', 'notebooks: [notebooks/two-machines.md]', 'setup: npm run setup', 'machines:', '  - {name: linux-2core, runs-on: [self-hosted, bench-2core]}', '  - {name: hosted, runs-on: ubuntu-latest}'].join('\n')
);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string[];
  strategy?: {'max-parallel'?: number; matrix: {shard: number[]}};
  concurrency?: {group: string; 'cancel-in-progress': boolean};
  'runs-on': string | string[];
  steps: Step[];
}

test('githubWorkflow: a measure job per machine over its shards, then one site job', () => {
  const workflow = parse(githubWorkflow(config)) as {jobs: Record<string, Job>; permissions: Record<string, string>};
  assert.deepEqual(Object.keys(workflow.jobs), ['measure-linux-2core', 'measure-hosted', 'site']);
  const measure = workflow.jobs['measure-linux-2core']!;
  assert.deepEqual(measure.strategy?.matrix.shard, [1, 2]);
  assert.equal(measure.strategy?.['max-parallel'], 1, 'one shard at a time on a machine');
  assert.deepEqual(measure.concurrency, {group: 'benchbook-linux-2core', 'cancel-in-progress': false});
  assert.deepEqual(measure['runs-on'], ['self-hosted', 'bench-2core']);
  assert.equal(workflow.jobs['measure-hosted']!['runs-on'], 'ubuntu-latest');
  assert.match(measure.steps.find((step) => step.name === 'Measure this shard')!.run!, /--shard \$\{\{ matrix\.shard \}\}\/2 --data results\/linux-2core-\$\{\{ matrix\.shard \}\}/);
  const site = workflow.jobs.site!;
  assert.deepEqual(site.needs, [measureJob('linux-2core'), measureJob('hosted')]);
  assert.deepEqual(site.steps.map((step) => step.uses?.replace(/@.*/, '') ?? step.name), ['actions/checkout', 'actions/setup-node', 'Install', 'actions/download-artifact', 'Merge the shards', 'Build the site', 'actions/upload-pages-artifact', 'actions/deploy-pages']);
  assert.equal(workflow.permissions.contents, 'read');
  assert.match(actionlintConfig(config)!, /bench-2core/);
  assert.deepEqual((parse(actionlintConfig(config)!) as {'self-hosted-runner': {labels: string[]}})['self-hosted-runner'].labels, ['bench-2core']);
});

test('the generated workflow passes actionlint', async (t) => {
  if (!(await hasCommand('actionlint'))) return t.skip('actionlint is not installed (go install github.com/rhysd/actionlint/cmd/actionlint@latest; .ci/run installs it)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-actionlint-'));
  try {
    await mkdir(path.join(dir, '.github', 'workflows'), {recursive: true});
    await writeFile(path.join(dir, '.github', 'workflows', 'benchmarks.yml'), githubWorkflow(config));
    await writeFile(path.join(dir, '.github', 'actionlint.yaml'), actionlintConfig(config)!);
    const result = await new Promise<{code: number | null; output: string}>((resolve) => {
      const child = spawn('actionlint', ['-config-file', '.github/actionlint.yaml', '.github/workflows/benchmarks.yml'], {cwd: dir});
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({code, output}));
    });
    assert.equal(result.code, 0, result.output);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

/** A step's `run:` with the matrix filled in, as the runner would see it. */
const expand = (run: string, shard: number): string => run.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(shard));

test('the workflow\'s commands, run here in its order, build the site from merged shards', async () => {
  const project = await scratchPackage([fixture('scale', 'two-machines.md')]);
  try {
    const workflow = parse(githubWorkflow(config)) as {jobs: Record<string, Job>};
    const ran: string[] = [];
    const sh = async (command: string): Promise<void> => {
      ran.push(command);
      const result = await project.sh(command);
      assert.equal(result.code, 0, `${command}\n${result.stdout}\n${result.stderr}`);
    };
    for (const [id, job] of Object.entries(workflow.jobs)) {
      if (id === 'site') continue;
      // Each matrix job on a fresh runner: the shard's folder is uploaded as an artifact (copied here).
      for (const shard of job.strategy!.matrix.shard) {
        for (const step of job.steps) {
          if (step.run !== undefined) await sh(expand(step.run, shard));
          if (step.uses?.startsWith('actions/upload-artifact')) {
            const name = expand(String(step.with!.name), shard);
            await cp(path.join(project.dir, expand(String(step.with!.path), shard)), path.join(project.dir, 'uploaded', name), {recursive: true});
            await rm(path.join(project.dir, 'results'), {recursive: true, force: true});
          }
        }
      }
    }
    for (const step of workflow.jobs.site!.steps) {
      // `npm ci` installs this checkout's dependencies, which the test runs from already.
      if (step.run === 'npm ci') continue;
      if (step.uses?.startsWith('actions/download-artifact')) await cp(path.join(project.dir, 'uploaded'), path.join(project.dir, String(step.with!.path)), {recursive: true});
      else if (step.run !== undefined) await sh(step.run);
    }
    assert.deepEqual(ran.filter((command) => command.includes('--shard')).map((command) => /--shard (\d\/\d) --data (\S+)/.exec(command)!.slice(1).join(' ')), [
      '1/2 results/linux-2core-1',
      '2/2 results/linux-2core-2',
      '1/2 results/hosted-1',
      '2/2 results/hosted-2'
    ]);
    assert.deepEqual(ran.slice(-2), ['npm run merge -- artifacts/*', 'npm run report -- notebooks/two-machines.md --from-data']);
    const page = await readFile(path.join(project.dir, 'output', 'two-machines.html'), 'utf8');
    // Both machine kinds ran on this one box: one fingerprint, every run measured once.
    assert.doesNotMatch(page, /Measured on \d machines/);
    assert.doesNotMatch(page, /machine-facets/, 'a one-machine page is the one-machine page, styles included');
    assert.doesNotMatch(page, /No results for|no stored result/);
    assert.match(page, /Python sum\(\)/);
  } finally {
    await project.dispose();
  }
});
