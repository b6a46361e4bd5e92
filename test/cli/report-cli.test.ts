/**
 * The real command line as a child process: exit statuses, the summary line, `--strict`, time and
 * memory limits, Ctrl-C, and two builds at once on one data folder.
 */
import assert from 'node:assert/strict';
import {access, constants, readFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {cliProject, listFiles, readJsonFiles, runCli, startCli, summaryOf, type CliProject} from './cli.js';

let project: CliProject;
before(async () => {
  project = await cliProject();
});
after(() => project.dispose());

const summaryPattern = /^benchbook: (\d+) notebooks?, (\d+) run, (\d+) reused, (\d+) failed, (\d+) skipped\b.* in \d+\.\d\d s$/;

/** The counts of a summary line: notebooks, run, reused, failed, skipped. */
function counts(line: string): {notebooks: number; run: number; reused: number; failed: number; skipped: number} {
  const match = summaryPattern.exec(line);
  assert.ok(match, `not a summary line: ${JSON.stringify(line)}`);
  const [notebooks, run, reused, failed, skipped] = match.slice(1).map(Number) as [number, number, number, number, number];
  return {notebooks, run, reused, failed, skipped};
}

const good = `---
title: Two quick blocks
---

\`\`\`python run id=hello
print("hello")
\`\`\`

\`\`\`js run id=world
console.log("world")
\`\`\`
`;

const failing = `---
title: One block fails
---

\`\`\`python run id=fine
print("fine")
\`\`\`

\`\`\`python run id=exits
import sys
sys.exit(4)
\`\`\`
`;

test('report exit status and summary line', async (t) => {
  await t.test('0 when every block ran, with one summary line on stdout', async () => {
    const notebook = await project.write('good.md', good);
    const result = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(counts(summaryOf(result)), {notebooks: 1, run: 2, reused: 0, failed: 0, skipped: 0});
    assert.equal(result.stdout.trim().split('\n').length, 1, 'stdout holds the summary line only');
    const again = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(counts(summaryOf(again)), {notebooks: 1, run: 0, reused: 2, failed: 0, skipped: 0});
  });

  await t.test('1 when a block failed, 0 with --allow-failures; the reason is printed', async () => {
    const notebook = await project.write('failing.md', failing);
    const result = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(counts(summaryOf(result)).failed, 1);
    assert.match(result.stderr, /^failed {2}failing\/exits: exited with code 4$/m);
    const allowed = await runCli(project.reportArgs(notebook, '--allow-failures'), project.dir);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(counts(summaryOf(allowed)).failed, 1);
  });

  await t.test('1 for a notebook with errors, each a located message; nothing of it runs', async () => {
    const notebook = await project.write('broken.md', '---\ntitle: Broken\n---\n\n```python bench id=x repeat=zero\ndef bench(): return 1\n```\n');
    const result = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /broken\.md:5:22: error: invalid repeat: `zero`: expected an integer >= 1 \[invalid-option\]/);
    assert.deepEqual(counts(summaryOf(result)), {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0});
    assert.match(summaryOf(result), /1 error, 0 warnings in notebooks/);
  });

  await t.test('1 for a --profile the notebook does not declare', async () => {
    const notebook = await project.write('profiles.md', '---\ntitle: Profiles\nparams:\n  n: 1\nprofiles:\n  full: {n: 2}\n---\n\n```python run id=p\nprint({{n}})\n```\n');
    const result = await runCli(project.reportArgs(notebook, '--profile', 'fulll'), project.dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /profiles\.md:1:1: error: profile `fulll` \(--profile\) is not declared in this notebook: expected one of full \[unknown-profile\]/);
    assert.equal(counts(summaryOf(result)).run, 0);
  });

  await t.test('--strict turns a warning into a failure', async () => {
    const notebook = await project.write('warns.md', '---\ntitle: Warns\n---\n\n```python run id=w\nprint("{{nope}}")\n```\n');
    const lenient = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /warns\.md:6:8: warning: placeholder `\{\{nope\}\}` names no parameter/);
    assert.equal(counts(summaryOf(lenient)).run, 1);
    const strict = await runCli(project.reportArgs(notebook, '--strict'), project.dir);
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stderr, /\[unknown-placeholder\]/);
    assert.deepEqual(counts(summaryOf(strict)), {notebooks: 0, run: 0, reused: 0, failed: 0, skipped: 0});
  });

  await t.test('--dry-run prints every run with its estimate and limit, and a total; it runs and writes nothing', async () => {
    const source = '---\ntitle: Dry\nparams:\n  n: 10\nprofiles:\n  full: {n: 1000}\n---\n\n```python bench id=loop size=n timeout=10s\ndef bench():\n    return sum(range({{n}}))\n```\n\n```python run id=hi\nprint("hi")\n```\n';
    const notebook = await project.write('dry.md', source);
    const result = await runCli(project.reportArgs(notebook, '--profile', 'full', '--dry-run'), project.dir);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, /^dry \(full profile\): 2 runs, 2 to measure in about .+, 0 reused, 0 skipped$/);
    // 100 times the quick profile's work: 100 times its limit.
    assert.match(lines[1]!, /^ {2}measure loop +~.+ \(settings\) +limit 16m 40s +inline, budget 5 s$/);
    assert.match(lines[2]!, /^ {2}measure hi +~500 ms \(settings\) +limit 1m 00s +run once$/);
    assert.match(lines.at(-2)!, /^total: 1 notebook, 2 runs to measure in about .+; nothing was run$/);
    assert.match(lines.at(-1)!, /^note: 2 runs have no stored result at any size, so their estimates count the measurement settings only/);
    const again = await runCli(project.reportArgs(notebook, '--profile', 'full'), project.dir);
    assert.equal(counts(summaryOf(again)).reused, 0, 'the dry run stored nothing');
  });

  await t.test('2 for a misused command line, with a suggestion', async () => {
    const notebook = path.join(project.dir, 'good.md');
    const typo = await runCli(project.reportArgs(notebook, '--stirct'), project.dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown flag --stirct: did you mean --strict\?/);
    const memory = await runCli(project.reportArgs(notebook, '--memory-limit', 'lots'), project.dir);
    assert.equal(memory.code, 2);
    assert.match(memory.stderr, /invalid --memory-limit "lots": expected a size/);
    const total = await runCli(project.reportArgs(notebook, '--timeout-total', '10'), project.dir);
    assert.equal(total.code, 2);
    assert.match(total.stderr, /invalid --timeout-total "10": expected a duration with its unit/);
    const command = await runCli(['reprot'], project.dir);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command reprot/);
    const misspelled = await runCli(project.reportArgs(path.join(project.dir, 'god.md')), project.dir);
    assert.equal(misspelled.code, 2);
    assert.match(misspelled.stderr, /cannot read notebook .*god\.md: no such file: did you mean .*good\.md\?/);
    for (const result of [typo, memory, total, command, misspelled]) assert.equal(result.stdout, '', 'nothing ran, no summary');
  });
});

test('report contains runaway blocks', async (t) => {
  await t.test('an infinite loop is killed at its timeout and stored as timed out', async () => {
    const notebook = await project.write('loop.md', '---\ntitle: Loop\n---\n\n```python run id=spin timeout=1s\nwhile True:\n    pass\n```\n');
    const started = performance.now();
    const result = await runCli(project.reportArgs(notebook), project.dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^failed {2}loop\/spin: timed out after 1 s$/m);
    assert.ok(performance.now() - started < 20_000, 'the loop did not hold the build');
    const records = await readJsonFiles(path.join(project.dir, 'data', 'loop'));
    const [record] = Object.values(records);
    assert.equal(record.result.status, 'timed-out');
    const page = await readFile(path.join(project.dir, 'out', 'loop.html'), 'utf8');
    assert.match(page, /timed out after 1 s/);
  });

  await t.test('a 2 GB allocation stops at --memory-limit with a reason that says so', async () => {
    const notebook = await project.write('hog.md', '---\ntitle: Hog\n---\n\n```python run id=hog\nx = bytearray(2 * 1024**3)\nprint(len(x))\n```\n');
    const result = await runCli(project.reportArgs(notebook, '--memory-limit', '256MiB'), project.dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^failed {2}hog\/hog: hit the memory limit of 256 MiB \(exited with code 1\)/m);
  });

  await t.test('--timeout-total stops the running block and skips the rest, keeping what finished', async () => {
    const slow = `---
title: Slow
---

\`\`\`python run id=quick
print("quick")
\`\`\`

\`\`\`python run id=sleepy
import time
time.sleep(60)
\`\`\`

\`\`\`python run id=never
print("never")
\`\`\`
`;
    const notebook = await project.write('slow.md', slow);
    const result = await runCli(project.reportArgs(notebook, '--timeout-total', '3s'), project.dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(counts(summaryOf(result)), {notebooks: 1, run: 1, reused: 0, failed: 0, skipped: 2});
    assert.match(result.stderr, /^skipped slow\/sleepy: stopped: the total time limit of 3 s was reached \(--timeout-total\)$/m);
    assert.match(result.stderr, /^skipped slow\/never: the total time limit of 3 s was reached \(--timeout-total\)$/m);
    assert.deepEqual((await listFiles(path.join(project.dir, 'data', 'slow'))).map((file) => path.basename(file)), ['quick.json']);
    const page = await readFile(path.join(project.dir, 'out', 'slow.html'), 'utf8');
    assert.match(page, /Not measured: the total time limit of 3 s was reached/);
  });
});

test('report keeps every finished result', async (t) => {
  const interruptible = `---
title: Interrupted
---

\`\`\`python run id=one
print(1)
\`\`\`

\`\`\`js run id=two
console.log(2)
\`\`\`

\`\`\`python run id=three
import time
print("started", flush=True)
time.sleep(60)
\`\`\`

\`\`\`python run id=four
print(4)
\`\`\`
`;

  await t.test('Ctrl-C after two blocks keeps those two, leaves no temp file, exits 130', async () => {
    const notebook = await project.write('interrupted.md', interruptible);
    const cli = startCli(project.reportArgs(notebook), project.dir);
    await cli.waitFor(/^running interrupted\/three$/m);
    // Long enough for the block's process to have started: Ctrl-C must stop it, not the CLI.
    await delay(500);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(summaryOf(result), /, interrupted in /);
    assert.equal((result.stderr.match(/^done {4}interrupted\//gm) ?? []).length, 2, result.stderr);
    const files = await project.dataFiles();
    assert.deepEqual(files.filter((file) => file.endsWith('.tmp')), [], result.stderr);
    const records = await readJsonFiles(path.join(project.dir, 'data', 'interrupted'));
    assert.deepEqual(Object.values(records).map((record) => record.key).sort(), ['one', 'two'], result.stderr);
    for (const record of Object.values(records)) assert.equal(record.result.status, 'ok');
    // The next build reuses them and runs the rest.
    const resumed = await runCli(project.reportArgs(notebook, '--timeout-total', '2s'), project.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(counts(summaryOf(resumed)).reused, 2, resumed.stderr);
  });

  await t.test('two builds at once on one notebook and data folder leave a valid store', async () => {
    const notebook = await project.write('twice.md', good.replace('Two quick blocks', 'Built twice at once'));
    const [first, second] = await Promise.all([runCli(project.reportArgs(notebook), project.dir), runCli(project.reportArgs(notebook), project.dir)]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    const files = await project.dataFiles();
    assert.deepEqual(files.filter((file) => !file.endsWith('.json')), [], 'no temp files');
    const records = await readJsonFiles(path.join(project.dir, 'data', 'twice'));
    assert.deepEqual(Object.values(records).map((record) => record.key).sort(), ['hello', 'world']);
    for (const record of Object.values(records)) assert.equal(record.result.status, 'ok');
    assert.deepEqual((await listFiles(path.join(project.dir, 'out'))).filter((file) => file.endsWith('.tmp')), []);
    const page = await readFile(path.join(project.dir, 'out', 'twice.html'), 'utf8');
    assert.match(page, /Built twice at once/);
  });
});

test('a runtime missing from PATH skips its blocks, says how to get it, and the rest is built', async () => {
  const project = await cliProject();
  try {
    const notebook = await project.write('mixed-runtimes.md', `---
title: One runtime missing
---

\`\`\`python run id=here
print("python is here")
\`\`\`

\`\`\`go run id=gone
package main

func main() {}
\`\`\`
`);
    // PATH without Go's folder: the go runtime cannot be found.
    const goDir = path.dirname(await which('go'));
    const env = {...process.env, PATH: (process.env.PATH ?? '').split(':').filter((dir) => path.resolve(dir) !== goDir).join(':')};
    const result = await runCli(project.reportArgs(notebook), project.dir, env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(counts(summaryOf(result)), {notebooks: 1, run: 1, reused: 0, failed: 0, skipped: 1});
    assert.match(result.stderr, /^skipped mixed-runtimes\/gone: .*go.*npm run setup/m);
    const page = await readFile(path.join(project.dir, 'out', 'mixed-runtimes.html'), 'utf8');
    assert.match(page, /python is here/);
    assert.match(page, /Not measured: this machine has no go runtime\./);
    assert.match(page, /<section class="reproduce"[^]*<li>gone was not measured: .*npm run setup/, 'what to do is in How to reproduce');
    // --strict turns a gap in the report into a failure.
    const strict = await runCli(project.reportArgs(notebook, '--strict'), project.dir, env);
    assert.equal(strict.code, 1, strict.stderr);
  } finally {
    await project.dispose();
  }
});

async function which(command: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = path.resolve(dir, command);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${command} is not on PATH`);
}
