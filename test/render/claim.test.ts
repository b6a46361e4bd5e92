import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import {summarize} from '../../src/measure/index.js';
import {parseNotebook} from '../../src/parse/index.js';
import type {Notebook} from '../../src/parse/types.js';
import {packageRoot} from '../../src/paths.js';
import {renderClaim} from '../../src/render/claim.js';
import {countClaims, formatClaimFigure, renderClaimSummary} from '../../src/render/index.js';
import type {BlockOutcome} from '../../src/render/types.js';
import {checkClaims} from '../../src/check/index.js';
import type {Machine, StoredResult} from '../../src/model/index.js';
import {assertSnapshot} from '../helpers/snapshot.js';

const markdown = `---
title: Claims rendered
params:
  workers: [1, 2, 4, 16, 32]
---

\`\`\`python bench id=gsum-python label=Python
def bench(): return 1
\`\`\`

\`\`\`python bench id=gsum-go label="Go lib"
def bench(): return 1
\`\`\`

\`\`\`python bench id=count-len label=count_len
def bench(): return 1
\`\`\`

\`\`\`python bench id=count-for label=count_for
def bench(): return 1
\`\`\`

\`\`\`python bench id=naive label=naive
def bench(): return 1
\`\`\`

\`\`\`python bench id=pool label=pool sweep=workers
def bench(): return 1
\`\`\`

\`\`\`python run id=profile
print("most time of its own: slow_unique")
\`\`\`

\`\`\`claim id=go-slower
claim: "using the Go implementation (as a dynamic link library) is a lot slower than using the pure Python code"
check: slower(gsum-go, gsum-python)
published: 2.19× slower (2,336 ns vs 1,067 ns)
\`\`\`

\`\`\`claim id=memory tolerance=2x
claim: "count_len is allocating an array with a O(n) size"
check: peak(count-len) > 10 * peak(count-for) and ratio(count-len, count-for) < 1
published: 4,167,400 B vs 112 B
\`\`\`

\`\`\`claim id=spread
hypothesis: one timing of one call is not a measurement
check: spread(naive) > 10%
\`\`\`

\`\`\`claim id=scaling
claim: "there is virtually no improvement passed 5 parallel process"
check: same(pool@workers=(cores), pool@workers=(2 * cores), 15%)
published: 1.06×
\`\`\`

\`\`\`claim id=profiled
hypothesis: the profile names slow_unique
check: prints(profile, "most time of its own: slow_unique")
\`\`\`

\`\`\`claim id=unmeasured
claim: "the free-threaded build is faster"
check: faster(missing-block, gsum-python)
published: 4.9× faster
\`\`\`
`;

function notebookOf(source: string): Notebook {
  const {notebook, messages} = parseNotebook(source, 'claims.md');
  // `missing-block` is named on purpose: the claim that uses it is not measured.
  assert.deepEqual(messages.filter((message) => !message.message.includes('missing-block')).map((message) => message.message), []);
  return notebook!;
}

const machine = (physicalCores: number): Machine => ({
  fingerprint: `m${physicalCores}`,
  hostname: 'host',
  cpu: 'Test CPU',
  cores: physicalCores * 2,
  physicalCores,
  memoryGiB: 16,
  os: 'Linux',
  kernel: '6.1.0',
  arch: 'x64',
  loadavg: 0
});

/** A stored result with twenty samples ±1% around `centre` ns: fixed, so the page is too. */
function stored(key: string, centre: number, cores: number, extra: {peakBytes?: number; spread?: number; stdout?: string; kind?: 'run'} = {}): StoredResult {
  const [blockId, sweep] = key.split('@') as [string, string | undefined];
  const spread = extra.spread ?? 0.01;
  const samples = Array.from({length: 20}, (_, i) => centre * (1 - spread + (i % 5) * (spread / 2)));
  return {
    format: 1,
    notebook: 'claims',
    key,
    blockId,
    kind: extra.kind ?? 'bench',
    hash: key,
    ...(sweep ? {sweep: {name: 'workers', value: Number(sweep.split('=')[1])}} : {}),
    profile: 'quick',
    runtime: {name: 'python', executable: '/usr/bin/python3', version: '3.11.7'},
    machine: machine(cores),
    date: '2024-05-01T12:00:00.000Z',
    result: {
      status: 'ok',
      timedOut: false,
      durationMs: 100,
      stdout: extra.stdout ?? '',
      stderr: '',
      ...(extra.kind === 'run' ? {} : {samples}),
      ...(extra.peakBytes === undefined ? {} : {memory: {peakBytes: extra.peakBytes}})
    },
    ...(extra.kind === 'run' ? {} : {stats: summarize(samples)})
  };
}

function outcomesOn(cores: number): Record<string, BlockOutcome[]> {
  const records = [
    stored('gsum-python', 579, cores),
    stored('gsum-go', 365, cores),
    stored('count-len', 300, cores, {peakBytes: 41_928}),
    stored('count-for', 380, cores, {peakBytes: 112}),
    stored('naive', 50_000, cores, {spread: 0.2}),
    ...[1, 2, 4, 16, 32].map((workers) => stored(`pool@workers=${workers}`, workers <= cores ? 1e9 / workers : 1e9 / cores, cores)),
    stored('profile', 0, cores, {kind: 'run', stdout: 'most time of its own: slow_unique\n'})
  ];
  const outcomes: Record<string, BlockOutcome[]> = {};
  for (const record of records) (outcomes[record.blockId] ??= []).push({key: record.key, stored: record});
  return outcomes;
}

const label = (key: string) => {
  const names: Record<string, string> = {'gsum-python': 'Python', 'gsum-go': 'Go lib', 'count-len': 'count_len', 'count-for': 'count_for'};
  const [id, sweep] = key.split('@') as [string, string | undefined];
  return `${names[id] ?? id}${sweep ? `, ${sweep}` : ''}`;
};

test('renderClaim', async (t) => {
  const notebook = notebookOf(markdown);
  const claims = checkClaims(notebook, outcomesOn(2));
  const html = notebook.blocks
    .filter((block) => block.claim)
    .map((block) => renderClaim(block, claims[block.id], {label}))
    .join('\n\n');

  await t.test('matches the reviewed snapshot', async () => {
    await assertSnapshot(path.join(packageRoot, 'test', 'render', 'snapshots', 'claims.html'), `${html}\n\n${renderClaimSummary(countClaims(Object.values(claims)))}\n`);
  });
  await t.test('says a ratio in words: faster or slower, with both medians', () => {
    assert.match(html, /Go lib is 1\.59× faster than Python: 365 ns vs 579 ns/);
    assert.match(html, /<span class="verdict verdict-fails">does not hold<\/span>/);
    assert.match(html, /differs: ours is 0\.288× the article&#39;s figure/);
  });
  await t.test('lists every term of a compound check, bytes with units and both sides', () => {
    assert.match(html, /<code>peak\(count-len\)<\/code> = 40\.9 KiB \(41,928 B\) &gt; 1\.09 KiB \(1,120 B\) = <code>10 \* peak\(count-for\)<\/code>/);
    assert.match(html, /count_len is 1\.27× faster than count_for/);
  });
  await t.test('shows a spread as a percentage, without an interval', () => {
    const box = html.slice(html.indexOf('id="spread"'), html.indexOf('id="scaling"'));
    assert.match(box, /= 40\.0%/);
    assert.doesNotMatch(box, /95%/);
    assert.match(box, /<span class="claim-kind">Hypothesis<\/span>/);
  });
  await t.test('prints the margin of an equivalence and the cores it used', () => {
    assert.match(html, /equivalent within ±15% \(0\.870×–1\.15×\)/);
    assert.match(html, /pool, workers=2 takes as long as pool, workers=4: 500 ms vs 500 ms/);
    assert.match(html, /2 physical cores on the machine that measured/);
  });
  await t.test('counts claims and hypotheses apart', () => {
    const counts = countClaims(Object.values(claims));
    assert.deepEqual(
      {holds: counts.holds, fails: counts.fails, inconclusive: counts.inconclusive, unmeasured: counts.unmeasured, hypotheses: counts.hypotheses},
      {holds: 2, fails: 1, inconclusive: 0, unmeasured: 1, hypotheses: {holds: 2, fails: 0, inconclusive: 0, unmeasured: 0}}
    );
    assert.deepEqual(counts.magnitude, {agrees: 1, differs: 2, inconclusive: 0, noFigure: 1});
  });
});

test('a check on cores keeps its meaning on a 2-core and on a 16-core machine', () => {
  const notebook = notebookOf(markdown);
  const small = checkClaims(notebook, outcomesOn(2)).scaling!;
  const large = checkClaims(notebook, outcomesOn(16)).scaling!;
  assert.equal(small.verdict, 'holds');
  assert.deepEqual(small.cores, {value: 2, logical: false});
  assert.deepEqual(small.terms[0]!.pair && [small.terms[0]!.pair.a, small.terms[0]!.pair.b], ['pool@workers=2', 'pool@workers=4']);
  assert.equal(large.verdict, 'holds');
  assert.deepEqual(large.cores, {value: 16, logical: false});
  assert.deepEqual(large.terms[0]!.pair && [large.terms[0]!.pair.a, large.terms[0]!.pair.b], ['pool@workers=16', 'pool@workers=32']);
  // A fixed pair of worker counts would have said the opposite on the large machine.
  const fixed = notebookOf(markdown.replace('same(pool@workers=(cores), pool@workers=(2 * cores), 15%)', 'same(pool@workers=2, pool@workers=4, 15%)'));
  assert.equal(checkClaims(fixed, outcomesOn(16)).scaling!.verdict, 'does not hold');
});

test('formatClaimFigure gives an interval only where one exists', () => {
  assert.equal(formatClaimFigure({value: 31.7, low: 30.1, high: 33, unit: 'x', interval: true}), '31.7× (95% CI 30.1×–33.0×)');
  assert.equal(formatClaimFigure({value: 41_928, low: 41_928, high: 41_928, unit: 'B', interval: false}), '40.9 KiB (41,928 B)');
  assert.equal(formatClaimFigure({value: 0.236, low: 0.236, high: 0.236, unit: '%', interval: false}), '23.6%');
  assert.equal(formatClaimFigure({value: 1060, low: 1000, high: 1100, unit: 'ns', interval: true}), '1.06 µs (95% CI 1.00 µs–1.10 µs)');
});
