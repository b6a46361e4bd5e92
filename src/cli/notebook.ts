import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {venvDir} from '../runtimes/python.js';
import {exportIpynb, importIpynb} from '../notebook/ipynb.js';
import {formatMessage, parseNotebook, readPublishedFiles, sortMessages} from '../parse/index.js';
import {packageRoot} from '../paths.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {nearestPath, unreadableReason} from '../system/nearest-path.js';
import {readFlags} from './args.js';
import {CliError} from './errors.js';

/** Every flag of `benchbook notebook`, documented once: `name` (type, default) — purpose. */
export const notebookFlags = {
  out: {type: 'string', default: '', description: 'file to write (default: beside the input, .ipynb for export, .md for import)'},
  force: {type: 'boolean', default: false, description: 'export over a .ipynb whose edits are not in the Markdown yet'},
  debug: {type: 'boolean', default: false, description: 'print stack traces of internal errors'},
  help: {type: 'boolean', default: false, description: 'show this help'}
} as const;

/** The notebook's own help, generated from the flag table. */
export function notebookHelp(): string {
  return [
    'Usage: npm run notebook -- <command> <file> [flags] [-- jupyter options]',
    '',
    '  export notebooks/x.md     write notebooks/x.ipynb for JupyterLab with the tslab kernel',
    '  import notebooks/x.ipynb  write notebooks/x.md back from it (cell outputs are not copied)',
    '  lab notebooks/x.md        export, then open it in JupyterLab (the project venv\'s, see npm run setup)',
    '',
    'Options after a second -- go to jupyter lab as they are, e.g. on a remote or headless machine:',
    '  npm run notebook -- lab notebooks/x.md -- --port 8899 --no-browser --IdentityProvider.token=SECRET',
    '',
    ...Object.entries(notebookFlags).map(([name, flag]) => {
      const type = flag.type === 'boolean' ? '' : ` <${flag.type}>`;
      return `  --${name}${type}`.padEnd(26) + flag.description;
    }),
    '',
    'See docs/jupyter.md.'
  ].join('\n');
}

/** `benchbook notebook`: converts between Markdown notebooks and Jupyter notebooks, or opens one in JupyterLab. */
export async function notebookCommand(argv: string[]): Promise<number> {
  // Everything after `--` is JupyterLab's: `lab notebooks/x.md -- --port 8899 --no-browser`.
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const jupyterArgs = split === -1 ? [] : argv.slice(split + 1);
  const parsed = readNotebookFlags(own);
  const values = parsed.values as unknown as {out: string; force: boolean; help: boolean};
  if (values.help) {
    console.log(notebookHelp());
    return 0;
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command === undefined) throw new CliError('expected a command: export, import or lab (see npm run notebook -- --help)');
  if (file === undefined) throw new CliError(`notebook ${command} needs a file, e.g. npm run notebook -- ${command} notebooks/x.${command === 'import' ? 'ipynb' : 'md'}`);
  if (extra.length > 0) throw new CliError(`notebook ${command} takes one file (saw also ${extra.join(' ')})${command === 'lab' ? `: JupyterLab's options go after --, e.g. npm run notebook -- lab ${file} -- ${extra.join(' ')}` : ''}`);
  if (jupyterArgs.length > 0 && command !== 'lab') throw new CliError(`only notebook lab passes options on to Jupyter (saw -- ${jupyterArgs.join(' ')} after notebook ${command})`);
  switch (command) {
    case 'export':
      return (await exportCommand(file, values.out || replaceExtension(file, '.ipynb'), values.force)) ? 0 : 1;
    case 'import':
      return importCommand(file, values.out || replaceExtension(file, '.md'));
    case 'lab': {
      const out = values.out || replaceExtension(file, '.ipynb');
      if (!(await exportCommand(file, out, values.force))) return 1;
      return openLab(out, jupyterArgs);
    }
    default:
      throw new CliError(`unknown notebook command ${command}: expected export, import or lab`);
  }
}

async function exportCommand(file: string, out: string, force: boolean): Promise<boolean> {
  if (!file.endsWith('.md')) throw new CliError(`notebook export reads a Markdown notebook (.md), got ${file}`);
  const markdown = await readText(file);
  // Jupyter edits not yet imported would be lost: a .ipynb is only replaced when it says what the Markdown says.
  if (!force && existsSync(out)) {
    const previous = importIpynb(await readText(out), out);
    if (previous.markdown !== undefined && previous.markdown !== markdown) {
      console.error(`benchbook: ${out} has changes that are not in ${file}: run npm run notebook -- import ${out} first, or pass --force to replace it`);
      return false;
    }
  }
  const ipynb = exportIpynb(markdown, file, {importFrom: librarySpecifier(path.dirname(path.resolve(out)))});
  await writeFileAtomic(out, ipynb);
  const cells = (JSON.parse(ipynb) as {cells: Array<{cell_type: string}>}).cells;
  const code = cells.filter((cell) => cell.cell_type === 'code').length;
  console.log(`benchbook: wrote ${out} (1 setup cell, ${count(code - 1, 'block cell')}, ${count(cells.length - code, 'markdown cell')})`);
  return true;
}

async function importCommand(file: string, out: string): Promise<number> {
  if (!file.endsWith('.ipynb')) throw new CliError(`notebook import reads a Jupyter notebook (.ipynb), got ${file}`);
  const {markdown, messages} = importIpynb(await readText(file), file);
  for (const message of messages) console.error(formatMessage(message));
  if (markdown === undefined) {
    console.error(`benchbook: ${out} not written`);
    return 1;
  }
  await writeFileAtomic(out, markdown);
  // What the report will say about the notebook now, so a mistake made in Jupyter shows at once.
  const parsed = parseNotebook(markdown, out);
  const published = parsed.notebook ? (await readPublishedFiles(parsed.notebook, {readFile: (name) => readFile(name), nearest: nearestPath})).messages : [];
  const problems = sortMessages([...parsed.messages, ...published]);
  for (const message of problems) console.error(formatMessage(message));
  console.log(`benchbook: wrote ${out}${problems.length > 0 ? ` (${problems.length} problem${problems.length === 1 ? '' : 's'} for npm run report)` : ''}`);
  return problems.some((message) => message.fatal) ? 1 : 0;
}

/** The notebook's flags; an unknown one of `lab` is most likely JupyterLab's, so the error says where those go. */
function readNotebookFlags(argv: string[]): ReturnType<typeof readFlags> {
  try {
    return readFlags(argv, notebookFlags);
  } catch (error) {
    const unknown = error instanceof CliError ? /^unknown flag (\S+?):?(?: |$)/.exec(error.message)?.[1] : undefined;
    const [command, file] = argv.filter((arg) => !arg.startsWith('-'));
    if (unknown === undefined || command !== 'lab') throw error;
    const rest = argv.slice(argv.indexOf(unknown)).join(' ');
    throw new CliError(`unknown flag ${unknown}: JupyterLab's options go after a second --, e.g. npm run notebook -- lab ${file ?? 'notebooks/x.md'} -- ${rest} (the notebook command's own flags: ${Object.keys(notebookFlags).map((name) => `--${name}`).join(', ')})`, {cause: error});
  }
}

/**
 * Runs the venv's JupyterLab on the notebook until it is stopped (Ctrl-C, or SIGTERM/SIGHUP, which
 * are passed on to it), with `options` given to `jupyter lab` as they are.
 */
async function openLab(ipynb: string, options: string[]): Promise<number> {
  const jupyter = path.join(venvDir, 'bin', 'jupyter');
  if (!existsSync(jupyter)) throw new CliError(`JupyterLab is not installed in ${venvDir}: run npm run setup`, {exitCode: 1});
  // JupyterLab refuses to start as root (containers, CI machines) unless told it is meant.
  const asRoot = process.getuid?.() === 0 && !options.includes('--allow-root') ? ['--allow-root'] : [];
  const child = spawn(jupyter, ['lab', ...asRoot, ...options, ipynb], {stdio: 'inherit'});
  // Ctrl-C reaches JupyterLab too (same process group); it asks, then stops, and so do we.
  const ignore = (): void => {};
  // A service manager or a terminal that closes stops us alone: stop JupyterLab with us, not leave it running.
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onTerm = forward('SIGTERM');
  const onHup = forward('SIGHUP');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new CliError(`cannot start ${jupyter}: ${error.message}`, {cause: error, exitCode: 1})));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  }
}

/** The module the setup cell imports, as a path from the notebook's folder to the built library. */
export function librarySpecifier(fromDir: string): string {
  const relative = path.relative(fromDir, path.join(packageRoot, 'dist', 'src', 'index.js')).split(path.sep).join('/');
  return relative.startsWith('../') ? relative : `./${relative}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function replaceExtension(file: string, extension: string): string {
  return file.replace(/\.(md|ipynb)$/i, '') + extension;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${unreadableReason(file, error)}`, {cause: error, exitCode: 1});
  }
}
