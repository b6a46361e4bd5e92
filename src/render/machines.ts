/**
 * Every machine side by side, when more than one has results for a notebook: the machines table,
 * tables with a column group per machine, charts faceted by machine, each claim's verdict per
 * machine and the machine x claim matrix of the index. With one machine none of this is drawn: the
 * page is the one-machine page. Everything from a result (CPU names, versions, host names) is text
 * from elsewhere and is escaped like any output.
 */
import type {ClaimResult, ClaimVerdict} from '../measure/claims.js';
import type {Machine} from '../model/index.js';
import type {Block, Notebook} from '../parse/types.js';
import {formatClaimFigure} from './claim.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatDay, formatPercent, formatRatio, formatSignificant, formatTimeValue, pickTimeUnit} from './format.js';
import {renderNotice} from './outcome.js';
import {listOption, resultRows} from './rows.js';
import {tableColumns} from './table.js';
import type {BlockOutcome, IndexEntry, MachineView, ResultRow} from './types.js';

const verdictClass: Record<ClaimVerdict, string> = {holds: 'holds', 'does not hold': 'fails', inconclusive: 'inconclusive', 'not measured': 'unmeasured'};

/** Whether a page shows machines side by side: more than one has results. */
export function isMultiMachine(machines: readonly MachineView[] | undefined): machines is MachineView[] {
  return machines !== undefined && machines.length > 1;
}

/**
 * A short label per machine, unique among them: the CPU without its trademarks and clock, and the
 * cores (`Xeon Platinum 8375C · 2 cores`); then memory, OS, and at last the fingerprint if needed.
 */
export function machineLabels(machines: readonly Machine[]): Map<string, string> {
  const cpu = (machine: Machine): string =>
    machine.cpu
      .replace(/\((R|TM|tm|r)\)/g, '')
      .replace(/\b(CPU|Processor|[0-9]+-Core)\b/g, '')
      .replace(/@\s*[\d.]+\s*GHz/i, '')
      .replace(/\s+/g, ' ')
      .trim() || 'unknown CPU';
  const cores = (machine: Machine): string => `${machine.cores} ${machine.cores === 1 ? 'core' : 'cores'}`;
  const candidates: Array<(machine: Machine) => string> = [
    (machine) => `${cpu(machine)} · ${cores(machine)}`,
    (machine) => `${cpu(machine)} · ${cores(machine)} · ${machine.memoryGiB} GiB`,
    (machine) => `${cpu(machine)} · ${cores(machine)} · ${machine.memoryGiB} GiB · ${machine.os}`,
    (machine) => `${cpu(machine)} · ${cores(machine)} (${machine.fingerprint})`
  ];
  for (const candidate of candidates) {
    const labels = machines.map(candidate);
    if (new Set(labels).size === labels.length || candidate === candidates.at(-1)) return new Map(machines.map((machine, index) => [machine.fingerprint, labels[index]!]));
  }
  return new Map();
}

/** Typical spread of a machine's results: the median over its bench results of MAD ÷ median. */
export function machineNoise(outcomes: Record<string, BlockOutcome[]>): {spread: number; results: number} | undefined {
  const spreads = Object.values(outcomes)
    .flat()
    .flatMap((outcome) => {
      const stats = outcome.stored?.result.status === 'ok' ? outcome.stored.stats : undefined;
      return stats && stats.median > 0 ? [stats.mad / stats.median] : [];
    })
    .sort((a, b) => a - b);
  if (spreads.length === 0) return undefined;
  const middle = Math.floor(spreads.length / 2);
  const spread = spreads.length % 2 === 1 ? spreads[middle]! : (spreads[middle - 1]! + spreads[middle]!) / 2;
  return {spread, results: spreads.length};
}

/**
 * The page's "Machines" section, under the title: one row per machine (CPU, cores, memory, OS,
 * runtime versions, noise, results and date), then how each claim came out on each.
 */
export function renderMachinesSection(machines: MachineView[], notebook: Notebook): string {
  const labels = machineLabels(machines.map((view) => view.machine));
  const rows = machines.map((view, index) => {
    const {machine} = view;
    const stored = Object.values(view.outcomes).flat().flatMap((outcome) => (outcome.stored ? [outcome.stored] : []));
    const runtimes = [...new Set(stored.map((record) => `${record.runtime.name} ${record.runtime.version}`))];
    const newest = stored.reduce((latest, record) => (record.date > latest ? record.date : latest), '');
    const noise = machineNoise(view.outcomes);
    const noiseText = noise === undefined ? '—' : `±${formatPercent(noise.spread)}`;
    const noiseTitle = noise === undefined ? 'no bench results' : `median of MAD ÷ median over ${noise.results} results; load ${machine.loadavg} when measured`;
    const cells = [
      `<th scope="row">${escapeHtml(labels.get(machine.fingerprint)!)}${index === 0 ? ' <span class="machine-default">default view</span>' : ''}<code>${escapeHtml(machine.fingerprint)}</code></th>`,
      `<td>${escapeHtml(machine.cpu)}</td>`,
      `<td class="num">${escapeHtml(String(machine.cores))}</td>`,
      `<td class="num">${escapeHtml(`${machine.memoryGiB} GiB`)}</td>`,
      `<td>${escapeHtml(`${machine.os} (${machine.arch})`)}</td>`,
      `<td class="runtimes">${runtimes.map(escapeHtml).join('<br>')}</td>`,
      `<td class="num" title="${escapeHtml(noiseTitle)}">${escapeHtml(noiseText)}</td>`,
      `<td class="num">${escapeHtml(`${formatCount(stored.length)}${newest ? `, ${formatDay(newest)}` : ''}`)}</td>`
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  const headers = ['Machine', 'CPU', 'Cores', 'Memory', 'OS', 'Runtimes', 'Noise', 'Results'];
  const claims = notebook.blocks.flatMap((block) => (block.claim ? [{id: block.id, text: block.claim.text}] : []));
  return [
    '<section class="machines" aria-labelledby="machines-heading">',
    `<h2 id="machines-heading">Measured on ${machines.length} machines</h2>`,
    '<p class="facts">Each block below shows the first machine; tables have a column group per machine, charts a panel per machine, and each claim a verdict per machine. Cores are those the benchmark could use (its CPU affinity).</p>',
    '<section class="table-scroll" aria-label="Machines" tabindex="0">',
    '<table class="machines-table">',
    `<thead><tr>${headers.map((header) => `<th scope="col">${header}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    '</section>',
    claims.length > 0 ? renderClaimMatrix(claims, machines.map((view) => ({machine: view.machine, verdicts: verdictsOf(view.claims)})), {link: true}) : '',
    '</section>'
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function verdictsOf(claims: Record<string, ClaimResult>): Record<string, ClaimVerdict> {
  return Object.fromEntries(Object.entries(claims).map(([id, result]) => [id, result.verdict]));
}

/** "holds on 2 of 3 machines": how many machines a claim holds on, of those that measured it. */
export function holdsOn(verdicts: ClaimVerdict[]): string {
  const measured = verdicts.filter((verdict) => verdict !== 'not measured').length;
  const holds = verdicts.filter((verdict) => verdict === 'holds').length;
  if (measured === 0) return 'not measured on any machine';
  return `holds on ${holds} of ${measured} machine${measured === 1 ? '' : 's'}`;
}

/**
 * The machine x claim matrix: a row per claim (its words, how many machines it holds on), a
 * column per machine with the verdict. On a page each claim links to its block.
 */
export function renderClaimMatrix(
  claims: Array<{id: string; text: string}>,
  machines: Array<{machine: Machine; verdicts: Record<string, ClaimVerdict>}>,
  options: {link?: boolean; href?: string; label?: string} = {}
): string {
  const labels = machineLabels(machines.map((item) => item.machine));
  const head = machines.map((item) => `<th scope="col">${escapeHtml(labels.get(item.machine.fingerprint)!)}</th>`).join('');
  const rows = claims.map((claim) => {
    const verdicts = machines.map((item) => item.verdicts[claim.id] ?? 'not measured');
    const words = escapeHtml(claim.text.length > 90 ? `${claim.text.slice(0, 89)}…` : claim.text);
    const target = options.link ? `#${claim.id}` : options.href === undefined ? undefined : `${options.href}#${claim.id}`;
    const name = target === undefined ? words : `<a href="${escapeHtml(target)}">${words}</a>`;
    const cells = verdicts.map((verdict) => `<td><span class="verdict verdict-${verdictClass[verdict]}">${escapeHtml(verdict)}</span></td>`);
    return `<tr><th scope="row">${name}</th><td>${escapeHtml(holdsOn(verdicts))}</td>${cells.join('')}</tr>`;
  });
  const label = options.label ?? 'Claims by machine';
  return [
    `<section class="table-scroll" aria-label="${escapeHtml(label)}" tabindex="0">`,
    '<table class="claim-matrix">',
    `<thead><tr><th scope="col">Claim</th><th scope="col">Machines</th>${head}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    '</section>'
  ].join('\n');
}

/** A claim block's verdict on each machine, added inside its box after the first machine's figures. */
export function withMachineVerdicts(html: string, block: Block, machines: MachineView[] | undefined): string {
  if (!isMultiMachine(machines) || !block.claim) return html;
  const labels = machineLabels(machines.map((view) => view.machine));
  const items = machines.map((view) => {
    const result = view.claims[block.id];
    const verdict: ClaimVerdict = result?.verdict ?? 'not measured';
    const figure = result?.figure ? ` — ${escapeHtml(formatClaimFigure(result.figure))}` : '';
    return `<li><span class="verdict verdict-${verdictClass[verdict]}">${escapeHtml(verdict)}</span> on ${escapeHtml(labels.get(view.machine.fingerprint)!)}${figure}</li>`;
  });
  const verdicts = machines.map((view) => view.claims[block.id]?.verdict ?? 'not measured');
  const list = [`<p class="machine-verdicts-head">By machine: ${escapeHtml(holdsOn(verdicts))}</p>`, '<ul class="machine-verdicts">', ...items, '</ul>'].join('\n');
  const at = html.lastIndexOf('</div>');
  return at === -1 ? html + list : `${html.slice(0, at)}${list}\n${html.slice(at)}`;
}

/** Columns that name a row (shown once), not a measure of one machine (shown per machine). */
const IDENTITY_COLUMNS = new Set(['label', 'key', 'block', 'runtime', 'param', 'value', 'published']);
/** Per-machine columns this table knows how to show. */
const MACHINE_COLUMNS = new Set(['version', 'status', 'n', 'min', 'median', 'mean', 'max', 'stddev', 'mad', 'ci', 'speedup', 'efficiency', 'ideal']);
const HEADERS: Record<string, string> = {
  label: 'Benchmark', key: 'Run', block: 'Block', runtime: 'Runtime', param: 'Parameter', value: 'Value', published: 'Published',
  version: 'Version', status: 'Status', n: 'Samples', min: 'Min', median: 'Median', mean: 'Mean', max: 'Max', stddev: 'Std dev', mad: 'MAD',
  ci: '95% CI', speedup: 'Speed-up', efficiency: 'Efficiency', ideal: 'Ideal', vs: '÷ first'
};
const TIME = new Set(['min', 'median', 'mean', 'max', 'stddev', 'mad', 'ci', 'published']);

/**
 * A `table` block over several machines: the row's names once, then a column group per machine
 * (median by default, speed-up and efficiency for a sweep, and each machine after the first
 * divided by the first). `columns=` picks the per-machine columns as it picks a table's columns.
 * One time unit for the whole table, in the headers.
 */
export function renderMachineTable(block: Block, machines: MachineView[], notebook: Notebook): string[] {
  const blockIds = listOption(block, 'blocks');
  const perMachine = machines.map((view) => resultRows(view.outcomes, notebook, blockIds));
  const all = perMachine.flat();
  if (all.length === 0) return [];
  const requested = listOption(block, 'columns') ?? tableColumns(block, all);
  const identity = requested.filter((column) => IDENTITY_COLUMNS.has(column));
  const measures = listOption(block, 'columns')
    ? requested.filter((column) => MACHINE_COLUMNS.has(column))
    : ['median', ...requested.filter((column) => column === 'speedup' || column === 'efficiency')];
  if (!identity.includes('label')) identity.unshift('label');
  // A name column no row fills (no published figures here) only takes room from the machines.
  for (const column of [...identity]) if (column !== 'label' && all.every((row) => identityText(row, column, pickTimeUnit(1)) === '')) identity.splice(identity.indexOf(column), 1);
  // Row order: as the first machine that has the row lists it.
  const keys: string[] = [];
  for (const rows of perMachine) for (const row of rows) if (!keys.includes(row.key)) keys.push(row.key);
  const byKey = perMachine.map((rows) => new Map(rows.map((row) => [row.key, row])));
  const unit = pickTimeUnit(Math.min(...all.filter((row) => row.unit !== 'instructions').map((row) => row.median)));
  const labels = machineLabels(machines.map((view) => view.machine));
  const groups = machines.map((view, index) => ({view, columns: index === 0 ? measures : [...measures, 'vs']}));
  const header = (column: string): string => {
    const name = column === 'value' ? (all.find((row) => row.param)?.param ?? 'Value') : column === 'vs' ? `÷ ${labels.get(machines[0]!.machine.fingerprint)}` : HEADERS[column] ?? column;
    return TIME.has(column) ? `${name} (${unit.name})` : name;
  };
  const caption = block.options['caption'];
  const label = caption === undefined ? `Table ${block.id} by machine` : `Table ${block.id}: ${String(caption)}`;
  const lines = [`<section class="table-scroll" aria-label="${escapeHtml(label)}" tabindex="0">`, '<table class="by-machine">'];
  if (caption !== undefined) lines.push(`<caption>${escapeHtml(String(caption))}</caption>`);
  lines.push(`<colgroup span="${identity.length}"></colgroup>`, ...groups.map((group) => `<colgroup class="machine" span="${group.columns.length}"></colgroup>`));
  lines.push(
    '<thead>',
    `<tr><td colspan="${identity.length}"></td>${groups.map((group) => `<th scope="colgroup" colspan="${group.columns.length}">${escapeHtml(labels.get(group.view.machine.fingerprint)!)}</th>`).join('')}</tr>`,
    `<tr>${identity.map((column) => `<th scope="col">${escapeHtml(header(column))}</th>`).join('')}${groups.flatMap((group) => group.columns.map((column) => `<th scope="col" class="num">${escapeHtml(header(column))}</th>`)).join('')}</tr>`,
    '</thead>',
    '<tbody>'
  );
  for (const key of keys) {
    const any = byKey.map((map) => map.get(key)).find((row) => row !== undefined)!;
    const first = byKey[0]!.get(key);
    const names = identity.map((column) => `<td>${escapeHtml(identityText(any, column, unit))}</td>`);
    const cells = groups.flatMap((group, index) => {
      const row = byKey[index]!.get(key);
      return group.columns.map((column) => `<td class="num">${escapeHtml(row === undefined ? '—' : measureText(row, column, unit, first))}</td>`);
    });
    lines.push(`<tr>${names.join('')}${cells.join('')}</tr>`);
  }
  lines.push('</tbody>', '</table>', '</section>');
  const missing = machines.filter((_, index) => perMachine[index]!.length === 0);
  if (missing.length > 0) lines.push(renderNotice(`No results on ${missing.map((view) => labels.get(view.machine.fingerprint)).join(', ')} for this table.`));
  return [lines.join('\n')];
}

function identityText(row: ResultRow, column: string, unit: ReturnType<typeof pickTimeUnit>): string {
  if (column === 'published') return row.published === undefined ? '' : formatTimeValue(row.published, unit);
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  return value === undefined ? '' : String(value);
}

function measureText(row: ResultRow, column: string, unit: ReturnType<typeof pickTimeUnit>, first: ResultRow | undefined): string {
  const time = (ns: number): string => (row.unit === 'instructions' ? `${formatCount(Math.round(ns))} instr.` : formatTimeValue(ns, unit));
  switch (column) {
    case 'vs':
      return first === undefined || !(first.median > 0) ? '—' : formatRatio(row.median / first.median);
    case 'ci':
      return `[${time(row.ciLow)}, ${time(row.ciHigh)}]`;
    case 'speedup':
    case 'ideal':
      return row[column] === undefined ? '' : formatRatio(row[column]);
    case 'efficiency':
      return row.efficiency === undefined ? '' : formatPercent(row.efficiency);
    case 'n':
      return formatCount(row.n);
  }
  const value: unknown = (row as unknown as Record<string, unknown>)[column];
  if (typeof value === 'number') return TIME.has(column) ? time(value) : formatSignificant(value);
  return value === undefined ? '' : String(value);
}

/**
 * A `plot` block over several machines: the block's chart drawn once per machine from that
 * machine's results (a facet per machine, side by side where there is room), each under its
 * machine's name. `renderOne` renders the one-machine figure of the given outcomes.
 */
export async function renderMachineFacets(block: Block, machines: MachineView[], renderOne: (outcomes: Record<string, BlockOutcome[]>) => Promise<string>): Promise<string> {
  const labels = machineLabels(machines.map((view) => view.machine));
  const id = escapeHtml(block.id);
  const facets: string[] = [];
  for (const view of machines) {
    const inner = await renderOne(view.outcomes);
    // Each facet is its own figure; the block's id stays on the outer one.
    const renamed = inner.replace(` id="${id}"`, ` id="${id}-on-${escapeHtml(view.machine.fingerprint)}"`);
    facets.push(`<div class="facet"><p class="facet-head">${escapeHtml(labels.get(view.machine.fingerprint)!)}</p>\n${renamed}\n</div>`);
  }
  return [`<div class="block block-plot machine-facets" id="${id}">`, '<p class="facet-title">One panel per machine:</p>', '<div class="facets">', ...facets, '</div>', '</div>'].join('\n');
}

/** An index entry with each claim's verdict per machine, when more than one machine has results. */
export function withMachineClaims(entry: IndexEntry, notebook: Notebook, machines: MachineView[]): IndexEntry {
  if (machines.length < 2) return entry;
  if (!notebook.blocks.some((block) => block.claim)) return {...entry, machines: machines.length};
  const claims = notebook.blocks.flatMap((block) => (block.claim ? [{id: block.id, text: block.claim.text}] : []));
  return {...entry, machines: machines.length, machineClaims: {claims, machines: machines.map(({machine, claims: verdicts}) => ({machine, verdicts: Object.fromEntries(Object.entries(verdicts).map(([id, result]) => [id, result.verdict]))}))}};
}
