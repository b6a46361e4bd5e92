import {claimReferences} from '../parse/claim-expression.js';
import {formatMessage, parseNotebook} from '../parse/index.js';
import {tokenizeInfoString} from '../parse/info-string.js';
import type {Block, BlockKind, Notebook, NotebookMessage} from '../parse/types.js';
import {renderNotice} from '../render/outcome.js';
import {listOption} from '../render/rows.js';
import type {ResultRow} from '../render/types.js';
import {
  carrySession,
  currentOutcomes,
  display,
  prepareNotebook,
  renderBlock,
  resolveSettings,
  results,
  runBlockAsIs,
  showRendered,
  tslabDisplay,
  tslabKernel,
  type LoadedNotebook,
  type NotebookOptions,
  type NotebookSettings,
  type TslabDisplay
} from './library.js';
import {joinFenced} from './segments.js';
import {decodeTemplate} from './template.js';

/** One block as its cell last gave it. */
interface Slot {
  /** The explicit `id=`, when the info string has one. */
  id?: string;
  /** The info line, without its line break. */
  info: string;
  /** The block's Markdown text. */
  text: string;
}

/** Kinds of block whose cell draws from other blocks' results, and so can go stale. */
const drawingKinds: ReadonlySet<BlockKind> = new Set(['table', 'plot', 'claim']);

/** What a table, plot or claim cell drew, to say so under it when a block it draws from gets new results. */
interface Drawn {
  /** The display of the cell's HTML part, updated in place (Jupyter's `update_display_data`). */
  status: TslabDisplay;
  /** The HTML it showed. */
  html: string;
  kind: BlockKind;
  /** The blocks it draws from (`all`: every bench and run block, those added later too). */
  dependsOn: string[] | 'all';
  /** What each of those had when it was drawn: its results' keys, hashes and dates. */
  stamps: Map<string, string>;
  stale: boolean;
}

/**
 * A notebook assembled from the cells of a Jupyter notebook exported by `npm run notebook -- export`:
 * the setup cell gives the front matter, and each block cell gives its block when it runs. Blocks are
 * kept in the order their cells first ran; running a cell again replaces its block (found by `id=`,
 * else by its unchanged text or info line). Run the setup cell again to start over.
 */
export class JupyterNotebook {
  readonly file: string;
  readonly settings: NotebookSettings;
  private frontMatterText: string | undefined;
  private readonly slots: Slot[] = [];
  private current: LoadedNotebook | undefined;
  /** The table, plot and claim cells drawn so far, by block id. */
  private readonly drawn = new Map<string, Drawn>();

  constructor(file: string, options: NotebookOptions = {}) {
    if (typeof file !== 'string' || file === '') throw new TypeError('openNotebook(file): file must be the Markdown file\'s name, e.g. "example.md"');
    this.file = file;
    // In Jupyter, progress lines are cell output; a script passes `log` to choose.
    this.settings = resolveSettings({log: (line: string) => console.log(line), ...options});
  }

  /** Tag of the setup cell: ``nb.frontMatter`---\ntitle: ...\n---` ``. Sets the front matter (YAML between `---` lines). */
  frontMatter = (strings: TemplateStringsArray, ...values: never[]): void => {
    if (values.length > 0) throw new TypeError('nb.frontMatter takes a plain template: write `\\${` for the characters ${');
    this.frontMatterText = decodeTemplate(strings.raw[0] ?? '');
    this.current = undefined;
    // Say at once what is wrong with the YAML, rather than when the first block runs.
    const {messages} = parseNotebook(`${this.frontMatterText}\n`, this.file);
    const name = this.file.replace(/\.md$/i, '');
    // Blocks it refers to (published figures) come with their cells: not a problem yet.
    for (const message of messages.filter((candidate) => candidate.rule !== missingRef)) {
      console.error(formatMessage({...message, file: `${name}#front-matter`}));
    }
  };

  /**
   * Tag of a block cell: ``await nb.block`python bench id=x\n...` ``: the first line is the fence's
   * info string, the rest is the code. Runs the block (bench and run blocks) with the same executors
   * as `npm run report`, reusing stored results, then displays its results, chart or table.
   */
  block = async (strings: TemplateStringsArray, ...values: never[]): Promise<void> => {
    if (values.length > 0) throw new TypeError('nb.block takes a plain template: write `\\${` for the characters ${');
    const template = decodeTemplate(strings.raw[0] ?? '');
    const lineBreak = /\r\n|\n|\r/.exec(template);
    const info = lineBreak ? template.slice(0, lineBreak.index) : template;
    const body = lineBreak ? template.slice(lineBreak.index + lineBreak[0].length) : '';
    const fenceText = joinFenced({open: '```', info: `${info}\n`, body, close: '```'});
    const index = this.place({...explicitId(info), info, text: fenceText});

    const loaded = await this.load();
    const start = this.slotLines()[index]!;
    const end = start + fenceText.split('\n').length - 1;
    const block = loaded.notebook.blocks.find((candidate) => candidate.start.line === start);
    const own = loaded.messages
      .filter((message) => message.line >= start && message.line <= end)
      // A block referred to may just not have run yet: say so, as a warning.
      .map((message) => (message.rule === missingRef ? {...message, fatal: false} : message));
    const elsewhere = loaded.messages.filter((message) => message.fatal && message.rule !== missingRef && (message.line < start || message.line > end));
    const where = `${loaded.notebook.name}#${block?.id ?? `cell-${index + 1}`}`;
    const refers = own.some((message) => message.rule === missingRef);
    await report(
      own.map((message) => ({...message, file: where, line: message.line - start + 1})),
      refers ? 'Cells make the notebook as they run: run the cells of the blocks it refers to first.' : undefined
    );
    if (own.some((message) => message.fatal) || !block) return;
    if (elsewhere.length > 0) {
      await report(elsewhere.map((message) => this.locate(message)), 'Fix the other cells first: a notebook with errors does not run.');
      return;
    }
    if (block.kind === 'bench' || block.kind === 'run') {
      // Without the library it uses, a block cannot be built.
      if (refers) return;
      await runBlockAsIs(loaded, block.id);
    }
    if (block.kind === 'lib') {
      await showHtml(`<p>Library <code>${escapeText(block.id)}</code>: built when a block that uses it runs.</p>`);
      return;
    }
    if (drawingKinds.has(block.kind)) await this.draw(loaded, block);
    else await display(loaded, block.id);
    if (block.kind === 'bench' || block.kind === 'run') await this.markStale(loaded, block.id);
  };

  /** The notebook as its cells have given it so far, parsed and planned (for `results`, `display`, `runAll`). */
  async loaded(): Promise<LoadedNotebook> {
    return this.load();
  }

  /** Result rows of the blocks run so far (`results` of the library). */
  async results(ids?: string[]): Promise<ResultRow[]> {
    return results(await this.load(), ids);
  }

  /** The Markdown the cells make so far (front matter and blocks; the prose is in the markdown cells). */
  get source(): string {
    const parts = [...(this.frontMatterText === undefined ? [] : [this.frontMatterText]), ...this.slots.map((slot) => slot.text)];
    return `${parts.join('\n\n')}\n`;
  }

  private async load(): Promise<LoadedNotebook> {
    if (this.current && this.current.source === this.source) return this.current;
    const next = await prepareNotebook(this.source, this.file, this.settings);
    if (this.current) carrySession(this.current, next);
    this.current = next;
    return next;
  }

  /** Draws a table, plot or claim cell, remembering what it drew from so that it can say when that changed. */
  private async draw(loaded: LoadedNotebook, block: Block): Promise<void> {
    const rendered = await renderBlock(loaded, block.id);
    const tslab = await tslabKernel();
    if (!tslab) return;
    // The HTML part gets a display of its own: updating it later marks the cell stale in place.
    const status = tslab.newDisplay?.();
    showRendered(rendered, tslab.display, status);
    if (!status) return;
    const dependsOn = dependenciesOf(block);
    this.drawn.set(block.id, {status, html: rendered.html, kind: block.kind, dependsOn, stamps: stampsOf(await currentOutcomes(loaded), loaded.notebook, dependsOn), stale: false});
  }

  /** After a block ran: every drawn cell that draws from it, and whose results of it changed, says it is stale. */
  private async markStale(loaded: LoadedNotebook, id: string): Promise<void> {
    const waiting = [...this.drawn.values()].filter((drawn) => !drawn.stale && (drawn.dependsOn === 'all' || drawn.dependsOn.includes(id)));
    if (waiting.length === 0) return;
    const now = stampsOf(await currentOutcomes(loaded), loaded.notebook, [id]).get(id);
    for (const drawn of waiting) {
      if (drawn.stamps.get(id) === now) continue;
      drawn.stale = true;
      const what = {table: 'table', plot: 'chart', claim: 'verdict'}[drawn.kind as 'table' | 'plot' | 'claim'];
      drawn.status.html(`${renderNotice(`Stale: ${id} has new results since this ${what} was drawn. Run this cell again to redraw it.`)}\n${drawn.html}`);
    }
  }

  /** Puts a block in its slot: the one with its id, else its unchanged text or only id-less info twin, else a new one. */
  private place(slot: Slot): number {
    let index = slot.id === undefined ? -1 : this.slots.findIndex((other) => other.id === slot.id);
    if (index === -1 && slot.id === undefined) {
      index = this.slots.findIndex((other) => other.id === undefined && other.text === slot.text);
      if (index === -1) {
        const twins = this.slots.flatMap((other, at) => (other.id === undefined && other.info === slot.info ? [at] : []));
        if (twins.length === 1) index = twins[0]!;
      }
    }
    if (index === -1) {
      this.slots.push(slot);
      return this.slots.length - 1;
    }
    this.slots[index] = slot;
    return index;
  }

  /** The first line of each slot in {@link source}. */
  private slotLines(): number[] {
    let line = this.frontMatterText === undefined ? 1 : this.frontMatterText.split('\n').length + 2;
    return this.slots.map((slot) => {
      const start = line;
      line += slot.text.split('\n').length + 1;
      return start;
    });
  }

  /** A message located in the cell it comes from: the setup cell's front matter, or a block's cell. */
  private locate(message: NotebookMessage): NotebookMessage {
    const name = this.current?.notebook.name ?? this.file;
    const starts = this.slotLines();
    let slot = -1;
    for (const [index, start] of starts.entries()) if (message.line >= start) slot = index;
    if (slot === -1) return {...message, file: `${name}#front-matter`};
    const block = this.current?.notebook.blocks.find((candidate) => candidate.start.line === starts[slot]);
    return {...message, file: `${name}#${block?.id ?? `cell-${slot + 1}`}`, line: message.line - starts[slot]! + 1};
  }
}

/**
 * Opens a notebook in a Jupyter kernel: the setup cell of an exported notebook calls it, then gives
 * the front matter with `nb.frontMatter`; each block cell runs `await nb.block`...``.
 *
 * @param file the Markdown file's name: it names the notebook's folder of results
 */
export function openNotebook(file: string, options: NotebookOptions = {}): JupyterNotebook {
  return new JupyterNotebook(file, options);
}

/** The rule of a reference to a block the notebook does not have (yet, in Jupyter). */
const missingRef = 'unknown-block-ref';

/** The blocks a table, plot or claim draws from: its `blocks=`, a claim's references, or every one. */
function dependenciesOf(block: Block): string[] | 'all' {
  if (block.kind === 'claim') return block.claim ? [...new Set(claimReferences(block.claim.expression).map((ref) => ref.key.split('@')[0]!))] : [];
  return listOption(block, 'blocks') ?? 'all';
}

/** What the results of some blocks are now: one string per block, its runs' keys, hashes and dates, and a failed re-run's date. */
function stampsOf(outcomes: Awaited<ReturnType<typeof currentOutcomes>>, notebook: Notebook, ids: string[] | 'all'): Map<string, string> {
  const chosen = ids === 'all' ? notebook.blocks.filter((block) => block.kind === 'bench' || block.kind === 'run').map((block) => block.id) : ids;
  return new Map(
    chosen.map((id) => [id, (outcomes[id] ?? []).map((outcome) => [outcome.key, outcome.stored?.hash, outcome.stored?.date, outcome.failure?.date, outcome.skipped].join(' ')).join('\n')])
  );
}

function explicitId(info: string): {id?: string} {
  const token = tokenizeInfoString(`\`\`\`${info}`).tokens.find((candidate) => candidate.name === 'id' && candidate.value !== undefined);
  return token ? {id: token.value!} : {};
}

/** Shows messages under the cell: as HTML in Jupyter, and as text lines on stderr. */
async function report(messages: NotebookMessage[], advice?: string): Promise<void> {
  if (messages.length === 0) return;
  const lines = messages.map(formatMessage);
  if (advice) lines.push(advice);
  console.error(lines.join('\n'));
  const fatal = messages.some((message) => message.fatal);
  await showHtml(`<div class="${fatal ? 'error' : 'notice'}" role="alert"><pre>${escapeText(lines.join('\n'))}</pre></div>`);
}

async function showHtml(html: string): Promise<void> {
  (await tslabDisplay())?.html(html);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
