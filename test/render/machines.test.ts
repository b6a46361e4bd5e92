import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Machine, StoredResult} from '../../src/model/index.js';
import {parseNotebook} from '../../src/parse/index.js';
import {holdsOn, isMultiMachine, machineLabels, machineNoise, renderClaimMatrix, renderMachinesSection, renderMachineTable, withMachineVerdicts} from '../../src/render/machines.js';
import type {MachineView} from '../../src/render/types.js';

const machine = (fingerprint: string, cores: number, cpu = 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz'): Machine => ({fingerprint, hostname: 'h', cpu, cores, memoryGiB: 24, os: 'Debian 12', kernel: '6.1', arch: 'x64', loadavg: 0.5});

const source = '---\ntitle: T\n---\n\n```python bench id=a label=A\ndef bench(): pass\n```\n\n```table id=t\n```\n\n```claim id=c\nclaim: "A is quick <b>really</b>"\ncheck: median(a) < 1ms\n```\n';
const notebook = parseNotebook(source, 'nb.md').notebook!;

function stored(on: Machine, median: number): StoredResult {
  return {
    format: 1, notebook: 'nb', key: 'a', blockId: 'a', kind: 'bench', hash: 'h', profile: 'quick',
    runtime: {name: 'python', version: 'CPython 3.11.7', executable: '/usr/bin/python3'}, machine: on, date: '2026-01-01T00:00:00.000Z',
    result: {status: 'ok', timedOut: false, durationMs: 1, stdout: '', stderr: '', samples: [median]},
    stats: {n: 1, min: median, max: median, mean: median, median, stddev: 0, mad: median / 10, ci: [median, median], outliers: [], warnings: []}
  };
}
const view = (on: Machine, median: number, verdict: 'holds' | 'does not hold'): MachineView => ({
  machine: on,
  outcomes: {a: [{key: 'a', stored: stored(on, median)}]},
  claims: {c: {verdict, reason: 'r', figure: {value: median, low: median, high: median, unit: 'ns'}} as never}
});
const two = [view(machine('aaaaaaaaaaaa', 2), 1000, 'holds'), view(machine('bbbbbbbbbbbb', 1, 'Evil <script>x</script>'), 2000, 'does not hold')];

test('machineLabels are short and unique', () => {
  const labels = machineLabels([machine('a', 2), machine('b', 1), machine('c', 2, 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz')]);
  assert.equal(labels.get('a'), 'Intel Xeon Platinum 8375C · 2 cores (a)');
  assert.equal(new Set(labels.values()).size, 3);
  assert.equal(machineLabels([machine('a', 2), machine('b', 1)]).get('b'), 'Intel Xeon Platinum 8375C · 1 core');
});

test('holdsOn and machineNoise', () => {
  assert.equal(holdsOn(['holds', 'holds', 'does not hold']), 'holds on 2 of 3 machines');
  assert.equal(holdsOn(['holds', 'not measured']), 'holds on 1 of 1 machine');
  assert.equal(holdsOn(['not measured']), 'not measured on any machine');
  assert.equal(machineNoise(two[0]!.outcomes)?.spread, 0.1);
});

test('one machine draws nothing new', () => {
  assert.equal(isMultiMachine([two[0]!]), false);
  const html = '<div class="block block-claim" id="c"></div>';
  assert.equal(withMachineVerdicts(html, notebook.blocks.find((block) => block.id === 'c')!, [two[0]!]), html);
});

test('several machines: the machines section, a column group per machine, a verdict per machine, all escaped', () => {
  const section = renderMachinesSection(two, notebook);
  assert.match(section, /Measured on 2 machines/);
  assert.match(section, /Evil &lt;script&gt;x&lt;\/script&gt;/);
  assert.doesNotMatch(section, /<script>/);
  assert.match(section, /holds on 1 of 2 machines/);
  assert.match(section, /A is quick &lt;b&gt;really&lt;\/b&gt;/);
  const table = renderMachineTable(notebook.blocks.find((block) => block.id === 't')!, two, notebook).join('\n');
  assert.equal(table.match(/<colgroup class="machine"/g)?.length, 2);
  assert.match(table, /<td class="num">2.00×<\/td>|<td class="num">2×<\/td>|<td class="num">2\.0×<\/td>/);
  const claim = withMachineVerdicts('<div class="block block-claim" id="c">\n</div>', notebook.blocks.find((block) => block.id === 'c')!, two);
  assert.match(claim, /By machine: holds on 1 of 2 machines/);
  assert.equal(claim.match(/<li>/g)?.length, 2);
  assert.ok(claim.endsWith('</div>'), 'inside the claim box');
  const matrix = renderClaimMatrix([{id: 'c', text: '<i>x</i>'}], two.map((item) => ({machine: item.machine, verdicts: {c: item.claims.c!.verdict}})), {href: 'nb.html'});
  assert.match(matrix, /href="nb.html#c">&lt;i&gt;x&lt;\/i&gt;<\/a>/);
});
