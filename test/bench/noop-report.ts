/**
 * `npm run bench:noop`: the report of every notebook when everything is stored and nothing changed,
 * against a bare `node -e 0`, timed by hyperfine side by side (issue: a no-op report costs at most 5x
 * starting Node). A benchmark, not a test: it prints hyperfine's figures and the ratio of the medians.
 *
 * It first builds the report once (measuring what is not stored yet, as `npm run report` would), so
 * the timed runs are the no-op ones; then checks that a timed run measured nothing.
 */
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {packageRoot} from '../../src/paths.js';

const run = promisify(execFile);
const bin = path.join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
const report = `node ${bin} report`;

const primed = await run(process.execPath, [bin, 'report', '--quiet'], {cwd: packageRoot, maxBuffer: 64 << 20});
const last = `${primed.stdout}\n${primed.stderr}`.split('\n').find((line) => line.startsWith('benchbook:'));
console.log(`primed: ${last}`);

const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-noop-'));
try {
  const exported = path.join(dir, 'hyperfine.json');
  const {stdout} = await run('hyperfine', ['-N', '--warmup', '2', '--runs', '20', '--export-json', exported, report, 'node -e 0'], {cwd: packageRoot, maxBuffer: 64 << 20});
  console.log(stdout.trim());
  const {results} = JSON.parse(await readFile(exported, 'utf8')) as {results: Array<{command: string; median: number; mean: number; stddev: number}>};
  const [ours, node] = results as [(typeof results)[0], (typeof results)[0]];
  const after = await run(process.execPath, [bin, 'report'], {cwd: packageRoot, maxBuffer: 64 << 20});
  const summary = `${after.stdout}\n${after.stderr}`.split('\n').find((line) => line.startsWith('benchbook:')) ?? '(no summary line)';
  console.log(`\nno-op report: median ${(ours.median * 1e3).toFixed(0)} ms; node -e 0: median ${(node.median * 1e3).toFixed(0)} ms; ratio ${(ours.median / node.median).toFixed(2)}x (limit 5x)`);
  console.log(`load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs; a timed run said: ${summary}`);
  if (!/\b0 run\b/.test(summary)) console.log('warning: the timed report measured something: the figures are not those of a no-op report');
} finally {
  await rm(dir, {recursive: true, force: true});
}
