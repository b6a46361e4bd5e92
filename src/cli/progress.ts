import cliProgress from 'cli-progress';
import type {RunPhase} from '../model/index.js';
import {describeResolution, formatChange, formatP} from '../render/baseline.js';
import {formatSignificant, formatTime} from '../render/format.js';
import {formatDuration, formatNs} from '../model/index.js';
import type {ReportEvent, ReportSummary} from '../report.js';
import {formatEvent} from '../run/index.js';
import {regressionsOf, resolutionOf, type BlockChange} from '../check/baseline.js';
import type {StoredResult} from '../model/index.js';

/** A stream the display writes to: stderr, or a fake terminal in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where the display goes (the CLI passes stderr: stdout keeps the summary line alone). */
  stream: ProgressStream;
  /** `live` redraws bars in place (a terminal), `plain` writes one line per event (CI, pipes). Default `plain`. */
  mode?: 'live' | 'plain';
  /** Only problems: failed and skipped runs, messages about notebooks (default false). */
  quiet?: boolean;
  /** Also each run's runtime and measurement settings, and its calibration once done (default false). */
  verbose?: boolean;
  /** ANSI colours in the live display (default false; the CLI honours `NO_COLOR`). */
  color?: boolean;
  /** The clock, in ms (default `performance.now`): tests pass a fake one to draw the same frames every time. */
  now?: () => number;
  /** Redraws per second of the live display, to keep its clocks moving (default 8); 0 redraws on events only. */
  fps?: number;
}

/** Where a build's output goes: event lines or a live display, and the lines that are not events. */
export interface Progress {
  /** A line from the build that is not an event (a problem in a notebook). */
  log(line: string): void;
  /** One event of the build. */
  onEvent(event: ReportEvent): void;
  /** A line of the CLI's own (baseline changes...), shown above the display while it is live. */
  print(line: string): void;
  /** Redraws the live display now (no-op in plain mode). */
  render(): void;
  /** Ends the live display, leaving its last frame on screen; idempotent. */
  stop(): void;
}

/**
 * `live` when both stdout and stderr are terminals, `CI` is not set and the terminal can move its
 * cursor; otherwise `plain` (one line per event, the format logs and tests read).
 */
export function progressMode(streams: {stdout: {isTTY?: boolean}; stderr: {isTTY?: boolean}}, env: NodeJS.ProcessEnv): 'live' | 'plain' {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return streams.stdout.isTTY === true && streams.stderr.isTTY === true && !ci && env.TERM !== 'dumb' ? 'live' : 'plain';
}

/** Colours unless `NO_COLOR` is set to anything (no-color.org) or the stream is not a terminal. */
export function useColor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** The progress display of a build: live bars on a terminal, event lines elsewhere. */
export function createProgress(options: ProgressOptions): Progress {
  return options.mode === 'live' ? new LiveProgress(options) : new PlainProgress(options);
}

/** Lines worth printing when `--quiet`: what went wrong. */
function isProblem(line: string): boolean {
  return /: (error|warning): |^failed|^skipped/.test(line);
}

class PlainProgress implements Progress {
  private readonly queued = new Map<string, {runs: number; toRun: number; estimateMs: number}>();
  private planPrinted = false;

  constructor(private readonly options: ProgressOptions) {}

  log(line: string): void {
    if (!this.options.quiet || isProblem(line)) this.write(line);
  }

  onEvent(event: ReportEvent): void {
    if (event.type === 'queued') {
      const entry = this.queued.get(event.notebook) ?? {runs: 0, toRun: 0, estimateMs: 0};
      entry.runs++;
      if (!event.reuse) {
        entry.toRun++;
        entry.estimateMs += event.estimateMs;
      }
      this.queued.set(event.notebook, entry);
      return;
    }
    this.printPlan();
    // Phases are too many for a log; `--verbose` shows them.
    const line = event.type === 'phase' ? (this.options.verbose ? `phase   ${event.notebook}/${event.key}: ${describePhase(event.phase)}` : undefined) : formatEvent(event);
    if (line !== undefined) this.log(line);
    if (this.options.verbose) for (const detail of verboseLines(event)) this.write(`        ${detail}`);
  }

  print(line: string): void {
    this.write(line);
  }

  render(): void {}

  stop(): void {
    this.printPlan();
  }

  /** One line per notebook before its first event: how much will run and about how long it takes. */
  private printPlan(): void {
    if (this.planPrinted) return;
    this.planPrinted = true;
    if (this.options.quiet) return;
    for (const [notebook, {runs, toRun, estimateMs}] of this.queued) {
      const reused = runs - toRun;
      const work = toRun === 0 ? 'nothing to run' : `${toRun} to run (about ${formatDuration(estimateMs)})`;
      this.write(`queued  ${notebook}: ${work}${reused > 0 ? `, ${reused} reused` : ''}`);
    }
  }

  private write(line: string): void {
    this.options.stream.write(`${line}\n`);
  }
}

/** The live state of one notebook. */
interface NotebookState {
  name: string;
  runs: Map<string, {estimateMs: number; reuse: boolean; finished: boolean}>;
  done: number;
  failed: number;
  reused: number;
  skipped: number;
  startedAt?: number;
  finishedAt?: number;
}

/** The run being executed. */
interface Current {
  notebook: string;
  key: string;
  /** What it is doing: `measuring` or `running` as it starts, then its phase (`building`, `measuring 2/3`). */
  verb: string;
  detail: string;
  estimateMs: number;
  startedAt: number;
}

const ansi = {green: 32, red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1} as const;

class LiveProgress implements Progress {
  private readonly bars: cliProgress.MultiBar;
  private readonly notebooks = new Map<string, {state: NotebookState; bar: cliProgress.SingleBar}>();
  private current: Current | undefined;
  private currentBar: cliProgress.SingleBar | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly restoreCursor = (): void => {
    if (this.bars.isActive) this.options.stream.write('\x1B[?25h');
  };

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    const fps = options.fps ?? 8;
    this.bars = new cliProgress.MultiBar({
      stream: options.stream as NodeJS.WritableStream,
      // Redrawn on every event; the timer only keeps the clocks moving (0: never, for tests).
      fps: fps > 0 ? fps : 0.001,
      hideCursor: true,
      linewrap: false,
      // cli-progress's last frame would be cut at 80 characters, colour codes counted: stop() writes its own.
      clearOnComplete: true,
      // Lines logged above push the bars down: every bar must be drawn again, changed or not.
      forceRedraw: true,
      // Each bar's payload draws its own line: the layout is ours, cli-progress moves the cursor.
      format: (_options: unknown, _params: unknown, payload: {draw(): string}) => payload.draw()
    } as cliProgress.Options);
    // A second Ctrl-C ends the process at once: give the cursor back anyway.
    process.once('exit', this.restoreCursor);
  }

  log(line: string): void {
    if (!this.options.quiet || isProblem(line)) this.print(line);
  }

  print(line: string): void {
    if (this.bars.isActive && !this.stopped) {
      this.bars.log(`${line}\n`);
      this.bars.update();
    } else {
      this.options.stream.write(`${line}\n`);
    }
  }

  onEvent(event: ReportEvent): void {
    const notebook = this.notebook(event.notebook);
    const {state} = notebook;
    const run = state.runs.get(event.key);
    const finish = (): void => {
      if (run) run.finished = true;
      if (this.current?.notebook === event.notebook && this.current.key === event.key) this.current = undefined;
      if ([...state.runs.values()].every((entry) => entry.finished)) state.finishedAt = this.now();
    };
    const label = `${event.notebook}/${event.key}`;
    switch (event.type) {
      case 'queued':
        state.runs.set(event.key, {estimateMs: event.reuse ? 0 : event.estimateMs, reuse: event.reuse, finished: false});
        break;
      case 'running':
        state.startedAt ??= this.now();
        if (run) run.estimateMs = event.estimateMs;
        this.current = {
          notebook: event.notebook,
          key: event.key,
          verb: event.kind === 'bench' ? 'measuring' : 'running',
          detail: describeRun(event),
          estimateMs: event.estimateMs,
          startedAt: this.now()
        };
        if (this.options.verbose) for (const detail of verboseLines(event)) this.print(this.paint('dim', `  ${label}: ${detail}`));
        break;
      case 'phase':
        if (this.current?.notebook === event.notebook && this.current.key === event.key) this.current.verb = describePhase(event.phase);
        break;
      case 'built':
        if (this.options.verbose) this.print(this.paint('dim', `  built ${label}: libraries ${event.libraries.join(', ')} in ${formatDuration(event.durationMs)}`));
        break;
      case 'done':
        state.done++;
        finish();
        if (!this.options.quiet) this.print(`${this.paint('green', '✓')} ${label} ${this.paint('dim', `in ${formatDuration(event.durationMs)}`)}${medianOf(event.stored)}`);
        if (this.options.verbose) for (const detail of verboseLines(event)) this.print(this.paint('dim', `    ${detail}`));
        break;
      case 'failed':
        state.failed++;
        finish();
        this.print(`${this.paint('red', '✗')} ${label}: ${this.paint('red', event.reason)}`);
        break;
      case 'reused':
        state.reused++;
        finish();
        // Reused runs are counted on the notebook's line; listing them all would bury what ran.
        if (this.options.verbose) this.print(this.paint('dim', `↺ ${label} reused`));
        break;
      case 'skipped':
        state.skipped++;
        finish();
        this.print(`${this.paint('yellow', '–')} ${label} skipped: ${event.reason}`);
        break;
    }
    this.syncCurrentBar();
    this.render();
  }

  render(): void {
    if (this.bars.isActive && !this.stopped) this.bars.update();
  }

  stop(): void {
    if (this.stopped) return;
    if (this.currentBar) this.bars.remove(this.currentBar);
    this.currentBar = undefined;
    this.current = undefined;
    for (const {state} of this.notebooks.values()) state.finishedAt ??= this.now();
    if (this.bars.isActive) {
      this.bars.stop();
      for (const {state} of this.notebooks.values()) this.options.stream.write(`${this.drawNotebook(state)}\n`);
    }
    this.stopped = true;
    process.off('exit', this.restoreCursor);
  }

  private notebook(name: string): {state: NotebookState; bar: cliProgress.SingleBar} {
    let entry = this.notebooks.get(name);
    if (!entry) {
      const state: NotebookState = {name, runs: new Map(), done: 0, failed: 0, reused: 0, skipped: 0};
      // The run's line stays last: notebooks are created before it (all are queued before any runs).
      const bar = this.bars.create(1, 0, {draw: () => this.drawNotebook(state)});
      entry = {state, bar};
      this.notebooks.set(name, entry);
    }
    return entry;
  }

  private syncCurrentBar(): void {
    if (this.current && !this.currentBar) this.currentBar = this.bars.create(1, 0, {draw: () => this.drawCurrent()});
    if (!this.current && this.currentBar) {
      this.bars.remove(this.currentBar);
      this.currentBar = undefined;
    }
  }

  /** `▸ mixed  ████████░░░░░░░░  5/8 runs · 1 failed · 3 reused · 12 s · ~30 s left` */
  private drawNotebook(state: NotebookState): string {
    const runs = [...state.runs.values()];
    const finished = runs.filter((run) => run.finished).length;
    const icon =
      state.finishedAt !== undefined
        ? state.failed > 0
          ? this.paint('red', '✗')
          : this.paint('green', '✓')
        : state.startedAt !== undefined
          ? this.paint('cyan', '▸')
          : this.paint('dim', '·');
    const width = Math.max(...[...this.notebooks.keys()].map((name) => name.length));
    const parts = [`${finished}/${runs.length} runs`];
    if (state.failed > 0) parts.push(this.paint('red', `${state.failed} failed`));
    if (state.skipped > 0) parts.push(`${state.skipped} skipped`);
    if (state.reused > 0) parts.push(`${state.reused} reused`);
    if (state.startedAt !== undefined) parts.push(formatDuration((state.finishedAt ?? this.now()) - state.startedAt));
    if (state.finishedAt === undefined) {
      const left = this.remainingMs(runs);
      if (left > 0) parts.push(`~${formatDuration(left)} left`);
    }
    return this.fit(`${icon} ${state.name.padEnd(width)}  ${this.drawBar(runs.length === 0 ? 1 : finished / runs.length, 16)}  ${parts.join(' · ')}`);
  }

  /** `  measuring 1/3 mixed/py  ███░░░░░  1.2 s of ~2.0 s · ~31 s left in all · CPython 3.11.2 · 1 process × 5 samples` */
  private drawCurrent(): string {
    const current = this.current;
    if (!current) return '';
    const elapsed = this.now() - current.startedAt;
    const fraction = current.estimateMs > 0 ? Math.min(1, elapsed / current.estimateMs) : 0;
    const clock = current.estimateMs > 0 ? `${formatDuration(elapsed)} of ~${formatDuration(current.estimateMs)}` : formatDuration(elapsed);
    const all = [...this.notebooks.values()].flatMap(({state}) => [...state.runs.values()]);
    const left = this.remainingMs(all);
    const overall = this.notebooks.size > 1 && left > 0 ? ` · ~${formatDuration(left)} left in all` : '';
    // The clocks come before the details: a narrow terminal cuts the details.
    return this.fit(`  ${this.paint('cyan', current.verb)} ${current.notebook}/${current.key}  ${this.drawBar(fraction, 10)}  ${clock}${overall} ${this.paint('dim', `· ${current.detail}`)}`);
  }

  /** What is left of these runs' estimates, the run under way counting what it has not used yet. */
  private remainingMs(runs: Array<{estimateMs: number; finished: boolean}>): number {
    let left = 0;
    for (const run of runs) if (!run.finished) left += run.estimateMs;
    const current = this.current;
    if (current) {
      const entry = this.notebooks.get(current.notebook)?.state.runs.get(current.key);
      if (entry && runs.includes(entry)) left -= Math.min(current.estimateMs, this.now() - current.startedAt);
    }
    return Math.max(0, left);
  }

  private drawBar(fraction: number, width: number): string {
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return this.paint('cyan', '█'.repeat(filled)) + this.paint('dim', '░'.repeat(width - filled));
  }

  private paint(colour: keyof typeof ansi, text: string): string {
    return this.options.color && text !== '' ? `\x1B[${ansi[colour]}m${text}\x1B[0m` : text;
  }

  /** Cuts a line to the terminal's width (escape codes take no room), so no line wraps and breaks the redraw. */
  private fit(line: string): string {
    const columns = (this.options.stream.columns ?? 80) - 1;
    let visible = 0;
    let out = '';
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\x1B') {
        const end = line.indexOf('m', i);
        out += line.slice(i, end + 1);
        i = end;
        continue;
      }
      if (visible === columns) continue;
      out += line[i];
      visible++;
    }
    return out;
  }
}

/**
 * What the terminal says about baselines after a build: one line per run that got faster or slower
 * and per claim whose verdict changed, the counts, the regressions that fail `--fail-on-regression`,
 * and what `--save-baseline` saved.
 */
export function baselineLines(summary: Pick<ReportSummary, 'baseline' | 'savedBaseline'>, failOnRegression?: number): string[] {
  const lines: string[] = [];
  if (summary.baseline) {
    const {name, comparisons} = summary.baseline;
    const changes = comparisons.flatMap((comparison) => comparison.blocks);
    for (const change of changes) {
      if (change.verdict !== 'faster' && change.verdict !== 'slower') continue;
      lines.push(`${change.verdict.padEnd(7)} ${change.notebook}/${change.key}: ${describeChange(change)} vs baseline ${name}`);
    }
    for (const claim of comparisons.flatMap((comparison) => comparison.claims)) {
      lines.push(`claim   ${claim.notebook}/${claim.blockId}: ${claim.before} → ${claim.after} vs baseline ${name}`);
    }
    const counts = (['slower', 'faster', 'no significant change', 'new', 'not comparable'] as const)
      .map((verdict) => [verdict, changes.filter((change) => change.verdict === verdict).length] as const)
      .filter(([, count]) => count > 0)
      .map(([verdict, count]) => `${count} ${verdict}`);
    const resolution = resolutionOf(changes);
    lines.push(`baseline ${name}: ${counts.length > 0 ? counts.join(', ') : 'no measured results to compare'}${resolution ? `; ${describeResolution(resolution)}` : ''}`);
    if (failOnRegression !== undefined) {
      for (const change of regressionsOf(changes, failOnRegression)) {
        lines.push(`regression: ${change.notebook}/${change.key} is ${formatChange(change.ratio!)} slower than baseline ${name}, more than the ${failOnRegression}% --fail-on-regression allows`);
      }
    }
  }
  if (summary.savedBaseline) {
    const {name, results} = summary.savedBaseline;
    lines.push(`saved baseline ${name}: ${results} ${results === 1 ? 'result' : 'results'} (compare later runs with --baseline ${name})`);
  }
  return lines;
}

/** `+45.2% (1.23 µs → 1.79 µs, 95% CI ×1.40–1.50, p = 0.008)` */
function describeChange(change: BlockChange): string {
  const value = (x: number): string => (change.unit === 'instructions' ? `${Math.round(x).toLocaleString('en-US')} instructions` : formatTime(x));
  const details: string[] = [];
  if (change.baselineMedian !== undefined && change.median !== undefined) details.push(`${value(change.baselineMedian)} → ${value(change.median)}`);
  if (change.ci) details.push(`95% CI ×${formatSignificant(change.ci[0])}–${formatSignificant(change.ci[1])}`);
  if (change.p !== undefined) details.push(formatP(change.p));
  if (change.otherMachine) details.push('baseline from another machine');
  return `${formatChange(change.ratio!)} (${details.join(', ')})`;
}

/** `CPython 3.11.2 · 1 process × 5 samples` or `go1.22 · process mode, 10 runs or more`. */
function describeRun(event: Extract<ReportEvent, {type: 'running'}>): string {
  const runtime = event.runtime.version;
  if (event.kind === 'run') return runtime;
  const {processes, repeat, mode, runs} = event.measure;
  if (mode === 'process') return `${runtime} · process mode, ${runs ?? 10} runs or more`;
  return `${runtime} · ${processes} ${processes === 1 ? 'process' : 'processes'} × ${repeat} ${repeat === 1 ? 'sample' : 'samples'}`;
}

/** `building`, `warming up`, `measuring 2/3`, `running`. */
function describePhase(phase: RunPhase): string {
  return phase.phase === 'measuring' ? `measuring ${phase.process}/${phase.processes}` : phase.phase.replace('-', ' ');
}

/** `--verbose`: the runtime and settings of a run as it starts, its calibration once done. */
function verboseLines(event: ReportEvent): string[] {
  if (event.type === 'running') {
    const {warmup, minSampleMs, mode, minTimeMs} = event.measure;
    const settings =
      event.kind === 'run'
        ? 'run once'
        : mode === 'process'
          ? `process mode: ${warmup} warm-up runs, then timed runs for at least ${formatDuration(minTimeMs ?? 1000)}`
          : `${describeRun(event).split(' · ')[1]}, ${warmup} warm-up, samples of at least ${formatDuration(minSampleMs)}`;
    return [`${event.runtime.executable} (${event.runtime.name} ${event.runtime.version}${event.runtime.flags?.length ? ` ${event.runtime.flags.join(' ')}` : ''}) · ${settings}`];
  }
  if (event.type === 'done') {
    const {result} = event.stored;
    const facts: string[] = [];
    if (result.loops?.length) facts.push(`calibrated to ${[...new Set(result.loops)].map((loops) => loops.toLocaleString('en-US')).join(', ')} loops per sample`);
    if (result.timerResolutionNs !== undefined) facts.push(`timer resolution ${formatNs(result.timerResolutionNs)}`);
    if (result.buildMs) facts.push(`built in ${formatDuration(result.buildMs)}`);
    if (result.process?.startupNs !== undefined) facts.push(`start-up ${formatNs(result.process.startupNs)} per run`);
    if (event.stored.stats) facts.push(`${event.stored.stats.n} samples`);
    return facts.length > 0 ? [facts.join(' · ')] : [];
  }
  return [];
}

function medianOf(stored: StoredResult): string {
  return stored.stats ? `  median ${stored.stats.unit === 'instructions' ? `${Math.round(stored.stats.median).toLocaleString('en-US')} instructions` : formatNs(stored.stats.median)}` : '';
}
