import {formatMessage, parseNotebook} from '../parse/index.js';
import {tokenizeInfoString} from '../parse/info-string.js';
import type {NotebookMessage} from '../parse/types.js';
import type {ResultRow} from '../render/types.js';
import {
  carrySession,
  display,
  prepareNotebook,
  resolveSettings,
  results,
  runBlockAsIs,
  tslabDisplay,
  type LoadedNotebook,
  type NotebookOptions,
  type NotebookSettings
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
    await display(loaded, block.id);
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
