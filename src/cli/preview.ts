import {randomBytes} from 'node:crypto';
import {watch, type FSWatcher} from 'node:fs';
import {readFile, stat} from 'node:fs/promises';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {packageRoot} from '../paths.js';
import type {NotebookMessage} from '../parse/types.js';
import {formatMessage} from '../parse/index.js';
import {escapeHtml} from '../render/escape.js';
import {parsePreviewArgs, previewHelp, type PreviewArgs} from './args.js';
import {CliError} from './errors.js';
import {baselineLines} from './progress.js';
import {buildSite, checkBaseline, findNotebooks, summaryLine, terminalProgress} from './report.js';

/** Path of the live-reload event stream (Server-Sent Events); nothing in a published site uses it. */
export const eventsPath = '/__benchbook/events';

/** A running preview: its address, how many builds it made, and how to stop it. */
export interface PreviewServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Builds so far, the first included. */
  builds(): number;
  /** Rebuilds now (as a change would), resolving when that build is done. */
  rebuild(reason: string): Promise<void>;
  /** Stops watching, ends the event streams and closes the server. */
  close(): Promise<void>;
}

/** `benchbook preview`: builds, serves `output/` with live reload, rebuilds on change until Ctrl-C. */
export async function previewCommand(argv: string[]): Promise<number> {
  const args = parsePreviewArgs(argv);
  if (args.help) {
    console.log(previewHelp());
    return 0;
  }
  await checkBaseline(args);
  const preview = await startPreview(args);
  console.log(`benchbook: preview at ${preview.url} (rebuilds when notebooks or templates change; Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.error('benchbook: stopping the preview');
  await preview.close();
  return 0;
}

/**
 * Builds once, then serves `args.out` on 127.0.0.1 and rebuilds through the same `buildReport` when a
 * notebook or a template changes (debounced); unchanged blocks are reused by hash. Pages are served
 * with a small live-reload script that the files on disk never contain.
 */
export async function startPreview(args: PreviewArgs): Promise<PreviewServer> {
  const nonce = randomBytes(12).toString('base64');
  const clients = new Set<ServerResponse>();
  const send = (event: string, data: unknown): void => {
    for (const client of clients) client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  let builds = 0;
  // The last build's problems by page name ('' for every page), shown on the served pages until fixed.
  let problems = new Map<string, string[]>();
  let running: Promise<void> | undefined;
  let pending: string | undefined;
  let controller = new AbortController();
  const buildOnce = async (reason: string | undefined): Promise<void> => {
    if (reason !== undefined) console.error(`benchbook: ${reason}: rebuilding`);
    send('building', {reason: reason ?? 'start'});
    const progress = terminalProgress(args);
    try {
      const notebooks = args.notebooks.length > 0 ? args.notebooks : await findNotebooks('notebooks');
      if (notebooks.length === 0) throw new CliError('no notebooks to build: pass a file, or add .md files to notebooks/');
      const {summary} = await buildSite(args, notebooks, progress, controller.signal);
      problems = problemsByPage(summary.messages);
      for (const line of baselineLines(summary)) progress.print(line);
      console.log(summaryLine(summary));
    } catch (error) {
      progress.stop();
      // A broken edit must not end the preview: say what is wrong and wait for the next change.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`benchbook: build failed: ${message}`);
      problems = new Map([['', [`the build failed: ${message}`]]]);
    } finally {
      builds++;
      send('reload', {build: builds});
    }
  };
  const rebuild = (reason: string): Promise<void> => {
    if (running) {
      // One build at a time (benchmarks never share the machine); changes during it make one more.
      pending = reason;
      return running;
    }
    running = (async () => {
      let next: string | undefined = reason;
      while (next !== undefined) {
        pending = undefined;
        await buildOnce(next);
        next = pending;
      }
      running = undefined;
    })();
    return running;
  };

  await buildOnce(undefined);

  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] === eventsPath) return openEvents(request, response, clients);
    serveFile(args.out, request, response, nonce, problems).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, {'content-type': 'text/plain; charset=utf-8'});
      response.end(`benchbook preview: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await listen(server, args.port);
  const {port} = server.address() as AddressInfo;

  const watchers = watchSources(args, (reason) => void rebuild(reason));
  return {
    url: `http://127.0.0.1:${port}/`,
    builds: () => builds,
    rebuild,
    async close() {
      for (const watcher of watchers) watcher.close();
      controller.abort();
      await running;
      controller = new AbortController();
      for (const client of clients) client.end();
      clients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}

/** Watches the notebooks' folders and the templates, calling `onChange` once per burst of changes. */
function watchSources(args: PreviewArgs, onChange: (reason: string) => void): FSWatcher[] {
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const debounced = (file: string): void => {
    changed.add(file);
    clearTimeout(timer);
    // Editors save in bursts (write, rename, chmod): one rebuild per save.
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      onChange(`${files.join(', ')} changed`);
    }, 150);
  };
  const explicit = new Set(args.notebooks.map((file) => path.resolve(file)));
  const folders = explicit.size > 0 ? [...new Set([...explicit].map((file) => path.dirname(file)))] : [path.resolve('notebooks')];
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    watchers.push(
      watch(folder, (_type, name) => {
        if (!name) return;
        const file = path.join(folder, name.toString());
        // Only the notebooks being built: an editor's swap files and the build's own output are not changes.
        if (explicit.size > 0 ? explicit.has(file) : file.endsWith('.md')) debounced(path.relative(process.cwd(), file) || file);
      })
    );
  }
  const templates = path.join(packageRoot, 'templates');
  watchers.push(watch(templates, (_type, name) => name && !name.toString().endsWith('~') && debounced(path.relative(process.cwd(), path.join(templates, name.toString())))));
  return watchers;
}

/** An event stream that tells open pages to reload after each build. */
function openEvents(request: IncomingMessage, response: ServerResponse, clients: Set<ServerResponse>): void {
  response.writeHead(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive'});
  response.write('retry: 1000\n: connected\n\n');
  clients.add(response);
  request.on('close', () => clients.delete(response));
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon'
};

/** Serves one file of the output folder (never outside it); HTML pages get the live-reload script. */
async function serveFile(root: string, request: IncomingMessage, response: ServerResponse, nonce: string, problems: Map<string, string[]>): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, {allow: 'GET, HEAD'}).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  const base = path.resolve(root);
  let file = path.resolve(base, `.${pathname}`);
  if (file !== base && !file.startsWith(base + path.sep)) {
    response.writeHead(403).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) file = path.join(file, 'index.html');
  else if (!info && path.extname(file) === '') file += '.html';
  const page = path.extname(file) === '.html' ? path.basename(file, '.html') : undefined;
  const shown = page === undefined ? [] : [...(problems.get('') ?? []), ...(problems.get(page) ?? [])];
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (shown.length > 0) {
      // A notebook with errors that never built has no page yet: its errors are the page.
      body = Buffer.from(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>${escapeHtml(page!)}</title></head><body></body></html>`);
    } else {
      response.writeHead(404, {'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store'});
      response.end(`Not found: ${pathname} (not in ${root}/)\n`);
      return;
    }
  }
  const type = contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const content = type.startsWith('text/html') ? Buffer.from(withLiveReload(withProblems(body.toString('utf8'), shown), nonce)) : body;
  response.writeHead(200, {'content-type': type, 'content-length': content.length, 'cache-control': 'no-store'});
  response.end(request.method === 'HEAD' ? undefined : content);
}

/** The last build's errors by page: each notebook's fatal messages under its page name (`notebooks/x.md` -> `x`). */
export function problemsByPage(messages: NotebookMessage[]): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  for (const message of messages.filter((candidate) => candidate.fatal)) {
    const page = path.basename(message.file).replace(/\.md$/i, '');
    problems.set(page, [...(problems.get(page) ?? []), formatMessage(message)]);
  }
  return problems;
}

/**
 * A page with the problems of its notebook in an error box at the top: the preview shows them where
 * the author is looking, above the last good build, until an edit fixes them. No problems, no box.
 */
export function withProblems(html: string, problems: string[]): string {
  if (problems.length === 0) return html;
  const box =
    '<div class="error preview-problems" role="alert"><p><strong>This notebook has problems; the page below is from the last build that worked.</strong></p>' +
    `<pre>${escapeHtml(problems.join('\n'))}</pre></div>`;
  const body = /<body[^>]*>/i.exec(html);
  return body ? `${html.slice(0, body.index + body[0].length)}\n${box}${html.slice(body.index + body[0].length)}` : box + html;
}

/**
 * A page as the preview serves it: a script that reloads it after each build, allowed by a nonce in
 * its Content-Security-Policy (the published page's policy forbids every script).
 */
export function withLiveReload(html: string, nonce: string): string {
  const script = `<script nonce="${nonce}">new EventSource(${JSON.stringify(eventsPath)}).addEventListener('reload', () => location.reload());</script>`;
  const policy = html.replace(
    /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/i,
    (_match, start: string, content: string, end: string) => `${start}${content}; script-src 'nonce-${nonce}'; connect-src 'self'${end}`
  );
  const at = policy.lastIndexOf('</body>');
  return at === -1 ? policy + script : `${policy.slice(0, at)}${script}\n${policy.slice(at)}`;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(`port ${port} is in use: pass another with --port, or --port 0 for any free one`, {cause: error})
          : error
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

