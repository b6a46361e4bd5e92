/**
 * The generated Slurm script on a real single-node cluster, started here as root with its config
 * in a temporary folder: two `--exclusive` shards of a small notebook, one after the other, then
 * the merge job (`--dependency=afterok`) that builds the page. Every daemon it starts it stops.
 * Skipped, with the reason, where Slurm or munge is not installed or the test is not root.
 */
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {parseCiConfig, slurmScript} from '../../src/ci/index.js';
import {fixture} from '../helpers/paths.js';
import {hasCommand, scratchPackage} from '../helpers/project.js';

const commands = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'scontrol'];

/** Why the test cannot run here, or undefined. */
async function missing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the single-node cluster runs slurmd as root, and this is not root';
  for (const command of commands) if (!(await hasCommand(command))) return `${command} is not installed (apt-get install slurm-wlm munge; .ci/run does)`;
  return undefined;
}

/** The cluster's config: one node (this host), one partition whose jobs get the node to themselves. */
function slurmConf(dir: string, host: string, port: number): string {
  return [
    'ClusterName=benchbook-test',
    `SlurmctldHost=${host}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    `AuthInfo=socket=${dir}/munge.sock`,
    'CredType=cred/munge',
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    `SlurmctldPort=${port}`,
    `SlurmdPort=${port + 1}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'ReturnToService=2',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'MpiDefault=none',
    'SlurmdParameters=config_overrides',
    `NodeName=${host} CPUs=${os.cpus().length} State=UNKNOWN`,
    `PartitionName=bench Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE`,
    ''
  ].join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the generated Slurm script runs two exclusive shards, then the merge job builds the page', {timeout: 240_000}, async (t) => {
  const reason = await missing();
  if (reason) return t.skip(reason);
  const project = await scratchPackage([fixture('scale', 'two-machines.md')]);
  const dir = path.join(project.dir, 'cluster');
  await mkdir(path.join(dir, 'state'), {recursive: true});
  await mkdir(path.join(dir, 'spool'), {recursive: true});
  const host = os.hostname().split('.')[0]!;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const conf = path.join(dir, 'slurm.conf');
  await writeFile(conf, slurmConf(dir, host, port));
  const env = {SLURM_CONF: conf};
  const daemons: ChildProcess[] = [];
  const start = (command: string, args: string[]): void => {
    daemons.push(spawn(command, args, {stdio: 'ignore', env: {...process.env, ...env}}));
  };
  try {
    assert.equal((await project.sh(`mungekey -c -b 1024 -k ${dir}/munge.key && chmod 600 ${dir}/munge.key`)).code, 0);
    start('munged', ['-F', '--force', `--socket=${dir}/munge.sock`, `--key-file=${dir}/munge.key`, `--pid-file=${dir}/munged.pid`, `--log-file=${dir}/munged.log`, `--seed-file=${dir}/munged.seed`]);
    await sleep(500);
    start('slurmctld', ['-D', '-i', '-f', conf]);
    start('slurmd', ['-D', '-f', conf]);
    let idle = false;
    for (let i = 0; i < 60 && !idle; i++) {
      await sleep(500);
      idle = /idle/.test((await project.sh('sinfo -h -o %T', env)).stdout);
    }
    assert.ok(idle, `the node never became idle:\n${await readFile(path.join(dir, 'slurmctld.log'), 'utf8').catch(() => '')}`);

    const config = parseCiConfig('shards: 2\nsetup: npm run setup\ntimeout-minutes: 10\nmachines:\n  - {name: local, partition: bench}\n');
    await writeFile(path.join(project.dir, 'slurm-benchmarks.sh'), slurmScript(config));
    const submit = await project.sh('bash slurm-benchmarks.sh', env);
    assert.equal(submit.code, 0, submit.stderr);
    assert.match(submit.stdout, /submitted local: job array \d+ \(2 shards\)/);
    const array = /job array (\d+)/.exec(submit.stdout)![1]!;
    const merge = (await readFile(path.join(project.dir, 'results', 'merge-job-id'), 'utf8')).trim();
    let state = '';
    for (let i = 0; i < 360 && !/COMPLETED|FAILED|CANCELLED|TIMEOUT/.test(state); i++) {
      await sleep(500);
      state = /JobState=(\w+)/.exec((await project.sh(`scontrol show job ${merge}`, env)).stdout)?.[1] ?? '';
    }
    const log = async (name: string) => readFile(path.join(project.dir, 'slurm-logs', name), 'utf8').catch(() => '(no log)');
    assert.equal(state, 'COMPLETED', `merge job: ${state}\n${await log('benchbook-merge.out')}\n${await log('benchbook-local-1.out')}`);

    // --exclusive on one node: the second shard started only when the first had ended.
    const tasks = (await project.sh(`scontrol show job ${array}`, env)).stdout.split(/\n\s*\n/).flatMap((block) => {
      const task = /ArrayTaskId=(\d+)/.exec(block)?.[1];
      const times = /StartTime=(\S+) EndTime=(\S+)/.exec(block);
      return task && times ? [{task: Number(task), start: times[1]!, end: times[2]!}] : [];
    });
    assert.equal(tasks.length, 2, JSON.stringify(tasks));
    const [first, second] = tasks.sort((a, b) => a.start.localeCompare(b.start));
    assert.ok(second!.start >= first!.end, `shards overlapped: ${JSON.stringify(tasks)}`);

    assert.match(await log('benchbook-local-1.out'), /shard 1\/2 \(manifest/);
    assert.match(await log('benchbook-merge.out'), /2 of 2 folders merged; results 7 added/);
    const page = await readFile(path.join(project.dir, 'output', 'two-machines.html'), 'utf8');
    assert.match(page, /Python sum\(\)/);
    assert.doesNotMatch(page, /no stored result/);
  } finally {
    await project.sh('scancel --quiet --user=root', env).catch(() => undefined);
    for (const daemon of daemons.reverse()) {
      if (daemon.exitCode !== null || daemon.signalCode !== null) continue;
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => daemon.kill('SIGKILL'))]);
    }
    await project.dispose();
  }
});
