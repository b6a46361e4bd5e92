import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {formatTime} from '../../src/render/format.js';
import {fixture} from '../helpers/paths.js';
import {runCli, scratchCopy} from './helpers.js';

const run = promisify(execFile);

interface ScriptLine {
  command: string;
  median_of_times: number;
  median: number;
  runs: number;
  parameters: Record<string, string>;
}

test("--export-json is hyperfine's format: a script written against hyperfine's fields gets the page's medians", {timeout: 180_000}, async (t) => {
  const scratch = await scratchCopy('hyperfine.md');
  t.after(() => scratch.dispose());
  const file = (name: string): string => path.join(scratch.dir, name);
  const report = await runCli([
    'report', scratch.file('hyperfine.md'), '--data', scratch.data, '--out', scratch.out,
    '--export-json', file('run.json'), '--export-csv', file('run.csv'), '--export-markdown', file('run.md'), '--export-benchbook-json', file('benchbook.json')
  ]);
  assert.equal(report.code, 0, report.stderr);

  const {stdout} = await run('python3', [fixture('cli', 'hyperfine_medians.py'), file('run.json')]);
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as ScriptLine);
  assert.deepEqual(lines.map((line) => line.command), ['Python', 'JavaScript (n=100)', 'JavaScript (n=1000)', 'Python start-up']);
  assert.deepEqual(lines.map((line) => line.parameters), [{}, {n: '100'}, {n: '1000'}, {}]);

  const page = await readFile(path.join(scratch.out, 'hyperfine.html'), 'utf8');
  const own = JSON.parse(await readFile(path.join(scratch.out, 'hyperfine.json'), 'utf8')) as {runs: Array<{key: string; stats: {median: number; n: number}}>};
  const keys = ['py', 'js@n=100', 'js@n=1000', 'hello'];
  lines.forEach((line, index) => {
    const stats = own.runs.find((entry) => entry.key === keys[index])!.stats;
    // The median the script computes from `times` is the page's: the same figure, and the same text on the page.
    assert.ok(Math.abs(line.median_of_times * 1e9 - stats.median) <= stats.median * 1e-9, `${line.command}: ${line.median_of_times} s vs ${stats.median} ns`);
    assert.ok(Math.abs(line.median - line.median_of_times) <= line.median * 1e-9, `${line.command}: the median field is the median of times`);
    assert.equal(line.runs, stats.n);
    // The page writes a median with its unit, or in a column whose header holds the unit: the number is there either way.
    const shown = formatTime(line.median_of_times * 1e9).replace(/ \S+$/, '');
    assert.ok(page.includes(`>${shown}<`) || page.includes(`>${shown} `) || page.includes(`<strong>${shown} `), `${line.command}: ${shown} on the page`);
  });

  // The same runs in CSV (hyperfine's columns, seconds) and Markdown; benchbook's own JSON under its own flag.
  const csv = (await readFile(file('run.csv'), 'utf8')).trim().split('\n');
  assert.match(csv[0]!, /^command,mean,stddev,median,user,system,min,max,parameter_n,notebook,key,/);
  assert.equal(csv.length, 5);
  assert.ok(csv.slice(1).every((row, index) => Math.abs(Number(row.split(',')[3]) - lines[index]!.median) <= lines[index]!.median * 1e-9));
  assert.match(await readFile(file('run.md'), 'utf8'), /^\| Command \| Mean( \[(ns|µs|ms)\])? \| Min.* \| Relative \|/);
  const benchbook = JSON.parse(await readFile(file('benchbook.json'), 'utf8')) as {generator: string; notebooks: Array<{runs: unknown[]}>};
  assert.equal(benchbook.generator, 'benchbook');
  assert.equal(benchbook.notebooks[0]!.runs.length, 4);
});
