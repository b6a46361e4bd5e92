/**
 * `npm run bench:baseline`: how often `--baseline` cries wolf, and how often it sees a real change.
 * A benchmark, not a test: it asserts nothing and prints both rates with every comparison's ratio.
 *
 * Two notebooks (the real `example-gauss-sum`, fixed at 2 processes, and `loops`, written here with
 * the default measurement design: two loops and four other blocks) are measured and saved as a
 * baseline; then
 *   - `--no-change N` times (default 5) everything is measured again, unchanged, and compared: every
 *     "faster" or "slower" is a false flag (the issue asks for at most 1 in 20 at the default band);
 *   - `--slowed N` times (default 10) two blocks of `loops` do 10% more work (a loop of 22,000 instead
 *     of 20,000), everything is measured again, and each "slower" of theirs is a real change seen (at
 *     least 9 in 10 asked).
 *
 *   npm run bench:baseline
 *   npm run bench:baseline -- --no-change 3 --slowed 5
 *   npm run bench:baseline -- --trace /tmp/comparisons.jsonl   every comparison as a JSON line too
 */
import {appendFile, copyFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {resolutionOf, type BlockChange} from '../../src/check/baseline.js';
import {describeResolution} from '../../src/render/baseline.js';
import {closeExecutors} from '../../src/execute/index.js';
import {packageRoot} from '../../src/paths.js';
import {scratchProject} from '../helpers/build.js';

const {values} = parseArgs({options: {'no-change': {type: 'string', default: '5'}, slowed: {type: 'string', default: '10'}, trace: {type: 'string'}}});
const noChangeRuns = Number(values['no-change']);
const slowedRuns = Number(values.slowed);

/** A loop-bound notebook: its time is the loop's, so 10% more iterations is 10% more time. */
const loops = (n: number) => `---
title: Loops for the baseline benchmark
params:
  n: 20000
---

\`\`\`python bench id=py-loop label=Python
def bench():
    total = 0
    for i in range(${n}):
        total += i
    return total
\`\`\`

\`\`\`c bench id=c-loop label=C
long bench(void) {
  long total = 0;
  for (volatile long i = 0; i < ${n}; i++) total += i;
  return total;
}
\`\`\`

\`\`\`js bench id=js-sort label="JavaScript sort"
const values = Array.from({length: 2000}, (_, i) => (i * 7919) % 2003);

export function bench() {
  return [...values].sort((a, b) => a - b)[1000];
}
\`\`\`

\`\`\`python bench id=py-join label="Python join"
words = [str(i) for i in range(2000)]

def bench():
    return len(",".join(words))
\`\`\`

\`\`\`go bench id=go-map label="Go map"
func bench() int {
	m := make(map[int]int, 1000)
	for i := 0; i < 1000; i++ {
		m[i*7] = i
	}
	return len(m)
}
\`\`\`

\`\`\`c bench id=c-qsort label="C qsort"
#include <stdlib.h>

static int order(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int bench(void) {
  int values[1000];
  for (int i = 0; i < 1000; i++) values[i] = (i * 7919) % 1009;
  qsort(values, 1000, sizeof values[0], order);
  return values[500];
}
\`\`\`
`;

const scratch = await scratchProject();
try {
  const gauss = path.join(scratch.dir, 'example-gauss-sum.md');
  const loopsFile = path.join(scratch.dir, 'loops.md');
  await copyFile(path.join(packageRoot, 'notebooks', 'example-gauss-sum.md'), gauss);
  await writeFile(loopsFile, loops(20000));
  const notebooks = [gauss, loopsFile];

  const saved = await scratch.build(notebooks, {saveBaseline: 'bench'});
  console.log(`baseline: ${saved.savedBaseline?.results ?? 0} results saved (${saved.run} measured)`);

  const changes = (summary: Awaited<ReturnType<typeof scratch.build>>): BlockChange[] => summary.baseline?.comparisons.flatMap((comparison) => comparison.blocks) ?? [];
  const line = (change: BlockChange) =>
    `${change.notebook}/${change.key}: ${change.verdict}${change.ratio === undefined ? '' : ` (${change.ratio.toFixed(3)}x${change.ci ? `, 95% CI ${change.ci[0].toFixed(3)}-${change.ci[1].toFixed(3)}` : ''}${change.drift ? `; raw ${change.rawRatio!.toFixed(3)}x, machine ${change.drift.ratio.toFixed(3)}x over ${change.drift.blocks} blocks` : ''})`}`;

  /** `--trace FILE`: every comparison of every build as a JSON line, its ratio and interval before any correction, to study other rules offline. */
  const trace = async (phase: string, round: number, all: BlockChange[]) => {
    if (!values.trace) return;
    const lines = all.map((change) => JSON.stringify({phase, round, notebook: change.notebook, key: change.key, verdict: change.verdict, ratio: change.rawRatio ?? change.ratio, ci: change.rawCi ?? change.ci, corrected: change.drift ? {ratio: change.ratio, ci: change.ci} : null, runSpread: change.runSpread ?? null}));
    await appendFile(values.trace, lines.map((text) => `${text}\n`).join(''));
  };

  let compared = 0;
  let flagged = 0;
  for (let round = 1; round <= noChangeRuns; round++) {
    const summary = await scratch.build(notebooks, {rerun: true, baseline: 'bench'});
    await trace('no change', round, changes(summary));
    const measured = changes(summary).filter((change) => change.verdict !== 'new' && change.verdict !== 'not comparable');
    compared += measured.length;
    const wrong = measured.filter((change) => change.verdict === 'faster' || change.verdict === 'slower');
    flagged += wrong.length;
    console.log(`no change, run ${round}: ${measured.length} compared, ${wrong.length} flagged${wrong.length ? `: ${wrong.map(line).join('; ')}` : ''}`);
  }

  await writeFile(loopsFile, loops(22000));
  const slowedChanges: BlockChange[] = [];
  let slowedCompared = 0;
  let seen = 0;
  for (let round = 1; round <= slowedRuns; round++) {
    // Everything measured again, as a CI job would: the unchanged blocks tell how the machine moved.
    const summary = await scratch.build(notebooks, {rerun: true, baseline: 'bench'});
    await trace('slowed', round, changes(summary));
    const slowed = changes(summary).filter((change) => change.blockId === 'py-loop' || change.blockId === 'c-loop');
    slowedCompared += slowed.length;
    seen += slowed.filter((change) => change.verdict === 'slower').length;
    slowedChanges.push(...slowed);
    console.log(`10% slower, run ${round}: ${slowed.map(line).join('; ')}`);
  }

  console.log(`\nfalse flags: ${flagged} of ${compared} no-change comparisons (${((100 * flagged) / Math.max(1, compared)).toFixed(1)}%; at most 5% asked)`);
  console.log(`real 10% slowdown flagged: ${seen} of ${slowedCompared} (${((100 * seen) / Math.max(1, slowedCompared)).toFixed(0)}%; at least 90% asked)`);
  const resolution = resolutionOf(slowedChanges);
  if (resolution) console.log(`the slowed loops' comparisons: ${describeResolution(resolution)}`);
  console.log(`load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs`);
} finally {
  await closeExecutors();
  await scratch.dispose();
}
