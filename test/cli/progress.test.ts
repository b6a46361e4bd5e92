import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {createProgress, progressMode, useColor} from '../../src/cli/progress.js';
import {formatDuration} from '../../src/model/index.js';
import type {MeasureSettings} from '../../src/model/index.js';
import {parseNotebook} from '../../src/parse/index.js';
import {packageRoot} from '../../src/paths.js';
import {planNotebook} from '../../src/plan/index.js';
import {applyMeasureOverrides} from '../../src/plan/overrides.js';
import type {ReportEvent} from '../../src/report.js';
import {estimateRunMs} from '../../src/run/index.js';
import type {StoredResult} from '../../src/model/index.js';
import {assertSnapshot} from '../helpers/snapshot.js';
import {bin, runCli, scratchCopy, VirtualTerminal} from './helpers.js';

const summaryPattern = /^benchbook: 1 notebook, (\d+) run, (\d+) reused, (\d+) failed, (\d+) skipped\b.* in \d+\.\d\d s$/m;

test('report command line, not a terminal', async (t) => {
  const scratch = await scratchCopy('fast.md', 'broken.md');
  t.after(() => scratch.dispose());
  const report = (...args: string[]) => runCli(['report', ...args, '--data', scratch.data, '--out', scratch.out]);

  await t.test('prints one line per event on stderr and the summary alone on stdout, exit 0', async () => {
    const run = await report(scratch.file('fast.md'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^queued {2}fast: 2 to run \(about .+\)$/m);
    for (const key of ['py', 'js']) {
      assert.match(run.stderr, new RegExp(`^running fast/${key}$`, 'm'));
      assert.match(run.stderr, new RegExp(`^done {4}fast/${key} in \\d+(?:\\.\\d+)? m?s: median .+$`, 'm'));
    }
    assert.ok(run.stderr.indexOf('running fast/py') < run.stderr.indexOf('done    fast/py'), run.stderr);
    assert.doesNotMatch(run.stderr, /\x1B\[/, 'no escape codes outside a terminal');
    assert.deepEqual(summaryPattern.exec(run.stdout)?.slice(1), ['2', '0', '0', '0'], run.stdout);
    assert.equal(run.stdout.trim().split('\n').length, 1, 'stdout holds the summary line only');
  });

  await t.test('a second run reuses both blocks and says so', async () => {
    const run = await report(scratch.file('fast.md'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^queued {2}fast: nothing to run, 2 reused$/m);
    assert.match(run.stderr, /^reused {2}fast\/py$/m);
    assert.match(run.stderr, /^reused {2}fast\/js$/m);
    assert.doesNotMatch(run.stderr, /^running/m);
    assert.deepEqual(summaryPattern.exec(run.stdout)?.slice(1), ['0', '2', '0', '0']);
  });

  await t.test('--quiet prints only the summary when nothing went wrong', async () => {
    const run = await report(scratch.file('fast.md'), '--quiet');
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, summaryPattern);
  });

  await t.test('--verbose adds the executable and the calibration of each run', async () => {
    const run = await report(scratch.file('fast.md'), '--verbose', '--rerun', '--filter', 'py');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.split('\n');
    const running = lines.indexOf('running fast/py (--rerun)');
    assert.ok(running >= 0, run.stderr);
    assert.match(lines[running + 1]!, /^ {8}\/\S+ \(python .+\) · 1 process × 5 samples, 0 warm-up, samples of at least 1 ms$/);
    // Sampling stops once the samples settle: at least `repeat` of them, usually twice as many.
    assert.match(run.stderr, /^ {8}calibrated to [\d,]+ loops per sample · timer resolution .+ · \d+ samples$/m);
  });

  await t.test('a failed block exits 1 and is printed even with --quiet', async () => {
    const run = await report(scratch.file('broken.md'), '--quiet');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^failed {2}broken\/raises: .+$/m);
    assert.doesNotMatch(run.stderr, /^done/m);
    assert.match(run.stdout, /1 run, 0 reused, 1 failed/);
  });

  await t.test('an unknown flag exits 2 with a suggestion, before anything runs', async () => {
    const run = await report(scratch.file('fast.md'), '--verbos');
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'benchbook: unknown flag --verbos: did you mean --verbose? (see --help)');
    assert.equal(run.stdout, '');
  });

  await t.test('a bad value exits 2 naming the flag and an example', async () => {
    for (const [flag, value, expected] of [
      ['--runs', '0', /invalid --runs "0": expected a whole number >= 1, e.g. --runs 3/],
      ['--min-time', '5', /invalid --min-time "5": expected a duration with its unit/],
      ['--fail-on-regression', '10', /--fail-on-regression needs --baseline NAME/]
    ] as const) {
      const run = await report(scratch.file('fast.md'), flag, value);
      assert.equal(run.code, 2, `${flag} ${value}`);
      assert.match(run.stderr, expected);
    }
  });

  await t.test('--help documents every flag with its default', async () => {
    const run = await runCli(['report', '--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--verbose', '--warmup <n>', '--runs <n>', '--min-time <duration>', '--baseline <name>', '--save-baseline <name>', '--noise <percent>', '--fail-on-regression <percent>', '--export-json <file>', '--export-csv <file>', '--export-markdown <file>', '--export-benchbook-json <file>']) {
      assert.ok(run.stdout.includes(`  ${flag} `), `${flag} in help`);
    }
    assert.match(run.stdout, /--noise <percent> +.+\(default: "5"\)/);
    assert.match(run.stdout, /3 a regression \(--fail-on-regression\)/);
  });
});

test('measurement flags change what is measured, and so re-run', async (t) => {
  const scratch = await scratchCopy('fast.md');
  t.after(() => scratch.dispose());
  const report = (...args: string[]) => runCli(['report', scratch.file('fast.md'), '--filter', 'js', ...args, '--data', scratch.data, '--out', scratch.out, '--export-benchbook-json', path.join(scratch.dir, 'run.json')]);
  assert.equal((await report()).code, 0);
  const run = await report('--runs', '7', '--warmup', '0');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^running fast\/js \(code, options or parameters changed\)$/m);
  const exported = JSON.parse(await readFile(path.join(scratch.dir, 'run.json'), 'utf8')) as {notebooks: Array<{runs: Array<{key: string; samples: number[]}>}>};
  // Each process samples until steady: --runs 7 asks for at least 7 steady samples (repeat), not exactly 7.
  const samples = exported.notebooks[0]!.runs.find((entry) => entry.key === 'js')!.samples.length;
  assert.ok(samples >= 7, `--runs 7 gives at least 7 samples per process (inline), got ${samples}`);
  // The same settings again: nothing new to measure.
  assert.match((await report('--runs', '7', '--warmup', '0')).stderr, /^reused {2}fast\/js$/m);
});

/** A stored result with the fields the display reads. */
function storedOf(median: number): StoredResult {
  return {stats: {median, n: 5}, result: {status: 'ok', loops: [1000], timerResolutionNs: 30}} as unknown as StoredResult;
}

const runtime = {name: 'python', version: 'CPython 3.11.7', executable: '/usr/bin/python3'};
const measure: MeasureSettings = {repeat: 5, warmup: 0, processes: 1, minSampleMs: 1, fn: 'bench', mode: 'inline'};

/** Two notebooks: one run measured, one reused, one run that fails; 100 ms between events. */
const events: ReportEvent[] = [
  {type: 'queued', notebook: 'fast', key: 'py', kind: 'bench', reuse: false, estimateMs: 400, estimatedFrom: 'previous run'},
  {type: 'queued', notebook: 'fast', key: 'js', kind: 'bench', reuse: true, estimateMs: 0, estimatedFrom: 'previous run'},
  {type: 'queued', notebook: 'broken', key: 'ok', kind: 'bench', reuse: false, estimateMs: 300, estimatedFrom: 'settings'},
  {type: 'queued', notebook: 'broken', key: 'raises', kind: 'bench', reuse: false, estimateMs: 300, estimatedFrom: 'settings'},
  {type: 'running', notebook: 'fast', key: 'py', kind: 'bench', runtime, measure, estimateMs: 400},
  {type: 'done', notebook: 'fast', key: 'py', durationMs: 200, stored: storedOf(650)},
  {type: 'reused', notebook: 'fast', key: 'js', stored: storedOf(42)},
  {type: 'running', notebook: 'broken', key: 'ok', kind: 'bench', runtime, measure, estimateMs: 300},
  {type: 'done', notebook: 'broken', key: 'ok', durationMs: 280, stored: storedOf(26)},
  {type: 'running', notebook: 'broken', key: 'raises', kind: 'bench', runtime, measure, estimateMs: 300},
  {type: 'failed', notebook: 'broken', key: 'raises', reason: 'exited with code 1', stored: storedOf(1)}
];

test('live progress display', async (t) => {
  /** Feeds the events to a live display on a fake 72-column terminal, with a clock that moves 100 ms per event. */
  const play = (options: {color?: boolean; extraTick?: boolean} = {}): {frames: string[]; raw: string} => {
    const terminal = new VirtualTerminal(72);
    let raw = '';
    let clock = 0;
    const stream = {isTTY: true, columns: 72, write: (text: string) => ((raw += text), terminal.write(text), true)};
    const progress = createProgress({stream, mode: 'live', color: options.color ?? false, now: () => clock, fps: 0});
    const frames: string[] = [];
    for (const event of events) {
      clock += 100;
      progress.onEvent(event);
      frames.push(`after ${event.type} ${event.notebook}/${event.key}:\n${terminal.screen()}`);
      if (event.type === 'running' && event.key === 'py') {
        // The clocks move between events: a redraw shows the time spent and what is left.
        clock += 150;
        progress.render();
        frames.push(`150 ms later:\n${terminal.screen()}`);
      }
    }
    progress.stop();
    frames.push(`stopped:\n${terminal.screen()}`);
    return {frames, raw};
  };

  await t.test('draws a line per notebook and one for the run under way, with times and estimates', async () => {
    const {frames, raw} = play();
    assert.match(raw, /\x1B\[\d*A/, 'redraws in place (moves the cursor up)');
    assert.doesNotMatch(raw, /\x1B\[\d+m/, 'no colour unless asked');
    await assertSnapshot(path.join(packageRoot, 'test', 'cli', 'snapshots', 'progress-live.txt'), `${frames.join('\n\n')}\n`);
    const last = frames.at(-1)!;
    assert.match(last, /^✓ fast {4}█{16} {2}2\/2 runs · 1 reused · /m);
    assert.match(last, /^✗ broken {2}█{16} {2}2\/2 runs · 1 failed · /m);
    assert.doesNotMatch(last, /measuring/);
  });

  await t.test('colours only when asked, and no line is wider than the terminal', () => {
    const {frames, raw} = play({color: true});
    assert.match(raw, /\x1B\[32m✓\x1B\[0m/);
    for (const frame of frames) for (const line of frame.split('\n')) assert.ok([...line].length <= 72, line);
  });

  await t.test('modes: live only on a terminal outside CI; colour unless NO_COLOR', () => {
    const tty = {isTTY: true};
    const pipe = {isTTY: false};
    assert.equal(progressMode({stdout: tty, stderr: tty}, {}), 'live');
    assert.equal(progressMode({stdout: tty, stderr: tty}, {CI: 'true'}), 'plain');
    assert.equal(progressMode({stdout: pipe, stderr: tty}, {}), 'plain');
    assert.equal(progressMode({stdout: tty, stderr: tty}, {TERM: 'dumb'}), 'plain');
    assert.equal(useColor(tty, {}), true);
    assert.equal(useColor(tty, {NO_COLOR: '1'}), false);
    assert.equal(useColor(pipe, {}), false);
  });

  await t.test('plain mode prints the lines the report always printed', () => {
    let out = '';
    const progress = createProgress({stream: {write: (text: string) => (out += text)}});
    for (const event of events) progress.onEvent(event);
    progress.stop();
    assert.deepEqual(out.trim().split('\n'), [
      'queued  fast: 1 to run (about 400 ms), 1 reused',
      'queued  broken: 2 to run (about 600 ms)',
      'running fast/py',
      'done    fast/py in 200 ms: median 650 ns',
      'reused  fast/js',
      'running broken/ok',
      'done    broken/ok in 280 ms: median 26.0 ns',
      'running broken/raises',
      'failed  broken/raises: exited with code 1'
    ]);
  });

  /** A run that builds, then measures two processes. */
  const phased: ReportEvent[] = [
    {type: 'queued', notebook: 'fast', key: 'go', kind: 'bench', reuse: false, estimateMs: 400, estimatedFrom: 'settings'},
    {type: 'running', notebook: 'fast', key: 'go', kind: 'bench', runtime, measure: {...measure, processes: 2}, estimateMs: 400},
    {type: 'phase', notebook: 'fast', key: 'go', phase: {phase: 'building'}},
    {type: 'phase', notebook: 'fast', key: 'go', phase: {phase: 'measuring', process: 1, processes: 2}},
    {type: 'phase', notebook: 'fast', key: 'go', phase: {phase: 'measuring', process: 2, processes: 2}},
    {type: 'done', notebook: 'fast', key: 'go', durationMs: 300, stored: storedOf(12)}
  ];

  await t.test('the run under way shows its phase: building, measuring n/N', () => {
    const terminal = new VirtualTerminal(72);
    const stream = {isTTY: true, columns: 72, write: (text: string) => terminal.write(text)};
    const progress = createProgress({stream, mode: 'live', now: () => 0, fps: 0});
    const lines: string[] = [];
    for (const event of phased) {
      progress.onEvent(event);
      lines.push(terminal.screen().split('\n').find((line) => line.includes('fast/go')) ?? '');
    }
    progress.stop();
    assert.match(lines[1]!, /^ {2}measuring fast\/go /, 'before any phase: what kind of run it is');
    assert.match(lines[2]!, /^ {2}building fast\/go /);
    assert.match(lines[3]!, /^ {2}measuring 1\/2 fast\/go /);
    assert.match(lines[4]!, /^ {2}measuring 2\/2 fast\/go /);
    assert.doesNotMatch(terminal.screen(), /building|measuring/);
  });

  await t.test('plain mode logs phases with --verbose only', () => {
    const play = (verbose: boolean): string[] => {
      let out = '';
      const progress = createProgress({stream: {write: (text: string) => (out += text)}, verbose});
      for (const event of phased) progress.onEvent(event);
      progress.stop();
      return out.trim().split('\n').filter((line) => !line.startsWith(' '));
    };
    assert.deepEqual(play(false), ['queued  fast: 1 to run (about 400 ms)', 'running fast/go', 'done    fast/go in 300 ms: median 12.0 ns']);
    assert.deepEqual(play(true).slice(2, 5), ['phase   fast/go: building', 'phase   fast/go: measuring 1/2', 'phase   fast/go: measuring 2/2']);
  });

  await t.test('durations read like a person wrote them', () => {
    assert.deepEqual([850, 4210, 42_000, 185_000, 3_725_000].map(formatDuration), ['850 ms', '4.2 s', '42 s', '3m 05s', '1h 02m']);
  });
});

test('report under a real pseudo-terminal draws live progress', {skip: spawnSync('script', ['--version']).status !== 0 && 'script (util-linux) is not installed'}, async (t) => {
  const scratch = await scratchCopy('fast.md');
  t.after(() => scratch.dispose());
  const command = [process.execPath, bin, 'report', scratch.file('fast.md'), '--data', scratch.data, '--out', scratch.out].map((part) => `'${part}'`).join(' ');
  const env = {...process.env};
  delete env.CI;
  delete env.NO_COLOR;
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {cwd: packageRoot, env: {...env, TERM: 'xterm'}, encoding: 'utf8'});
  assert.equal(result.status, 0, result.stdout);
  const terminal = new VirtualTerminal(200);
  terminal.write(result.stdout.replace(/\x1B\[\d*m/g, ''));
  const screen = terminal.screen();
  assert.doesNotMatch(result.stdout, /^running /m, 'no event lines on a terminal');
  assert.match(result.stdout, /\x1B\[32m✓/, 'colours on a terminal');
  assert.match(screen, /^✓ fast\/py in \d+ ms {2}median .+$/m);
  assert.match(screen, /^✓ fast {2}█{16} {2}2\/2 runs · .+$/m);
  assert.match(screen, /^benchbook: 1 notebook, 2 run, 0 reused, 0 failed/m);
});

test('applyMeasureOverrides', async (t) => {
  const source = [
    '---',
    'title: T',
    'measure: {repeat: 5, warmup: 1, processes: 1, min-sample: 1ms}',
    '---',
    '',
    '```python bench id=inline',
    'def bench():',
    '    return 1',
    '```',
    '',
    '```python bench id=whole mode=process runs=10 min-time=500ms',
    'print(1)',
    '```',
    ''
  ].join('\n');
  const {notebook} = parseNotebook(source, 'overrides.md');
  const plan = planNotebook(notebook!, {runtimes: {python: {name: 'python', executable: '/usr/bin/python3', version: 'CPython 3.11.7'}}});
  const [inline, whole] = plan.runs;

  await t.test('--runs is repeat for inline blocks and an exact run count in process mode', () => {
    const [a, b] = applyMeasureOverrides(plan, {runs: 7, warmup: 0}).runs;
    assert.deepEqual([a!.measure.repeat, a!.measure.warmup], [7, 0]);
    assert.deepEqual([b!.measure.runs, b!.measure.minTimeMs, b!.measure.warmup], [7, 0, 0]);
    assert.notEqual(a!.hash, inline!.hash, 'measured differently: not the stored result');
    assert.notEqual(b!.hash, whole!.hash);
  });

  await t.test('--min-time is min-sample inline and min-time in process mode', () => {
    const [a, b] = applyMeasureOverrides(plan, {runs: 3, minTimeMs: 2000}).runs;
    assert.equal(a!.measure.minSampleMs, 2000);
    assert.deepEqual([b!.measure.runs, b!.measure.minTimeMs], [3, 2000]);
  });

  await t.test('settings that are already these keep the hash, so the stored result is reused', () => {
    const [a] = applyMeasureOverrides(plan, {runs: 5, warmup: 1}).runs;
    assert.equal(a!.hash, inline!.hash);
  });

  await t.test('a bad value is a TypeError naming the option', () => {
    assert.throws(() => applyMeasureOverrides(plan, {runs: 0}), /overrides\.runs must be an integer >= 1, got 0/);
    assert.throws(() => applyMeasureOverrides(plan, {warmup: 1.5}), /overrides\.warmup must be an integer >= 0/);
  });
});

test('estimateRunMs', () => {
  const {notebook} = parseNotebook(['---', 'title: T', 'measure: {repeat: 5, warmup: 1, processes: 2, min-sample: 10ms}', '---', '', '```python bench id=a', 'def bench():', '    return 1', '```', ''].join('\n'), 'e.md');
  const [run] = planNotebook(notebook!, {runtimes: {}}).runs;
  assert.deepEqual(estimateRunMs(run!), {ms: 2 * (200 + (1 + 5 + 2) * 10), from: 'settings'});
  const previous = {result: {durationMs: 1234}} as StoredResult;
  assert.deepEqual(estimateRunMs(run!, previous), {ms: 1234, from: 'previous run'});
});

test('estimateRunMs scales a result of the block at another size by size=', () => {
  const source = ['---', 'title: T', 'params: {n: 1000}', 'profiles:', '  full: {n: 100000}', 'measure: {repeat: 5, warmup: 1, processes: 1, min-sample: 10ms}', '---', '', '```python bench id=a mode=process size=n runs=3 min-time=1ms', 'print({{n}})', '```', ''].join('\n');
  const {notebook} = parseNotebook(source, 'e.md');
  const [quick] = planNotebook(notebook!, {runtimes: {}}).runs;
  const [full] = planNotebook(notebook!, {runtimes: {}, profile: 'full'}).runs;
  // A run of 10 ms at n = 1000 is one of 1 s at n = 100000: warm-up and 3 runs, and 3 runs of the empty program.
  const measured = {key: 'a', blockId: 'a', size: quick!.size, stats: {median: 10e6}, result: {durationMs: 500, process: {startupNs: 20e6}}} as unknown as StoredResult;
  const estimate = estimateRunMs(full!, undefined, [measured]);
  assert.equal(estimate.from, 'scaled');
  assert.equal(estimate.ms, Math.round((1 + 3) * 1000 + 3 * 20));
});

test('estimateRunMs does not take another profile\'s result of other sizes for this run\'s time when no size= scales it', () => {
  const source = ['---', 'title: T', 'params: {n: 1000}', 'profiles:', '  full: {n: 100000}', 'measure: {repeat: 5, warmup: 1, processes: 1, min-sample: 10ms}', '---', '', '```python bench id=a mode=process runs=3 min-time=1ms', 'print({{n}})', '```', ''].join('\n');
  const {notebook} = parseNotebook(source, 'e.md');
  const [quick] = planNotebook(notebook!, {runtimes: {}}).runs;
  const [full] = planNotebook(notebook!, {runtimes: {}, profile: 'full'}).runs;
  const measured = {key: 'a', blockId: 'a', hash: quick!.hash, profile: 'quick', stats: {median: 10e6}, result: {durationMs: 500}} as unknown as StoredResult;
  assert.equal(estimateRunMs(full!, measured, [], 'full').from, 'settings', 'the quick result is of n = 1000, this run of n = 100000');
  assert.deepEqual(estimateRunMs(quick!, measured, [], 'quick'), {ms: 500, from: 'previous run'}, 'the same profile still reuses it');
  assert.equal(estimateRunMs(full!, {...measured, hash: full!.hash}, [], 'quick').from, 'previous run', 'the same run, whichever profile stored it');
});
