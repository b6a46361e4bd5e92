import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {get, type IncomingMessage} from 'node:http';
import {test} from 'node:test';
import {withLiveReload, withProblems} from '../../src/cli/preview.js';
import {packageRoot} from '../../src/paths.js';
import {bin, runCli, scratchCopy} from './helpers.js';

/** Output of a long-running process, with a way to wait for what it prints. */
class Output {
  text = '';
  private waiters: Array<() => void> = [];
  add(chunk: string): void {
    this.text += chunk;
    for (const waiter of this.waiters) waiter();
  }
  /** Resolves with the first match of `pattern` in the output from `from` on. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(this.text.slice(from));
        if (match) resolve(match);
        return match !== null;
      };
      if (check()) return;
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${this.text.slice(from)}`)), timeoutMs);
      const waiter = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((other) => other !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }
}

function request(url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
    }).on('error', reject);
  });
}

test('preview', async (t) => {
  const scratch = await scratchCopy('fast.md');
  const notebook = scratch.file('fast.md');
  const stdout = new Output();
  const stderr = new Output();
  const child: ChildProcess = spawn(process.execPath, [bin, 'preview', notebook, '--port', '0', '--data', scratch.data, '--out', scratch.out], {
    cwd: packageRoot,
    env: {...process.env, CI: '1'},
    stdio: ['ignore', 'pipe', 'pipe']
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.add(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.add(chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let events: IncomingMessage | undefined;
  t.after(async () => {
    events?.destroy();
    // Always stop the server, whatever failed.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await scratch.dispose();
  });

  const url = (await stdout.waitFor(/preview at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  const eventText = new Output();

  await t.test('builds once, then serves the site with a live-reload script that the files do not have', async () => {
    assert.match(stdout.text, /^benchbook: 1 notebook, 2 run, 0 reused/m);
    const page = await request(`${url}fast.html`);
    assert.equal(page.status, 200);
    assert.match(page.body, /says nothing much/);
    assert.match(page.body, /<script nonce="[^"]+">new EventSource\("\/__benchbook\/events"\)/);
    assert.match(page.body, /content="default-src 'none';[^"]*; script-src 'nonce-[^']+'; connect-src 'self'"/);
    const onDisk = await readFile(`${scratch.out}/fast.html`, 'utf8');
    assert.doesNotMatch(onDisk, /<script/i, 'the published page stays script-free');
    assert.match((await request(url)).body, /<h1>Benchmark notebooks<\/h1>/, '/ serves index.html');
    assert.equal((await request(`${url}missing.html`)).status, 404);
    assert.equal((await request(`${url}..%2F..%2Fetc%2Fpasswd`)).status, 403, 'nothing outside the output folder');

    events = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}__benchbook/events`, resolve).on('error', reject));
    assert.equal(events.headers['content-type'], 'text/event-stream; charset=utf-8');
    events.setEncoding('utf8').on('data', (chunk: string) => eventText.add(chunk));
    await eventText.waitFor(/: connected/);
  });

  await t.test('an edit of prose rebuilds, reloads the page and re-runs no block', async () => {
    const [outMark, errMark, eventMark] = [stdout.text.length, stderr.text.length, eventText.text.length];
    const source = await readFile(notebook, 'utf8');
    await writeFile(notebook, source.replace('says nothing much', 'now says something else'));
    await eventText.waitFor(/event: reload\ndata: \{"build":2\}/, eventMark);
    const summary = await stdout.waitFor(/^benchbook: 1 notebook, (\d+) run, (\d+) reused.*$/m, outMark);
    assert.deepEqual(summary.slice(1), ['0', '2'], summary[0]);
    assert.doesNotMatch(stderr.text.slice(errMark), /^running/m);
    assert.match(stderr.text.slice(errMark), /fast\.md changed: rebuilding/);
    assert.match((await request(`${url}fast.html`)).body, /now says something else/);
  });

  await t.test("an edit of one block's code re-runs exactly that block", async () => {
    const [outMark, errMark, eventMark] = [stdout.text.length, stderr.text.length, eventText.text.length];
    const source = await readFile(notebook, 'utf8');
    await writeFile(notebook, source.replace('return sum(range(100))', 'return sum(range(101))'));
    await eventText.waitFor(/event: reload\ndata: \{"build":3\}/, eventMark);
    const summary = await stdout.waitFor(/^benchbook: 1 notebook, (\d+) run, (\d+) reused.*$/m, outMark);
    assert.deepEqual(summary.slice(1), ['1', '1'], summary[0]);
    const log = stderr.text.slice(errMark);
    assert.match(log, /^running fast\/py \(code, options or parameters changed\)$/m);
    assert.match(log, /^reused {2}fast\/js$/m);
    assert.doesNotMatch(log, /^running fast\/js/m);
  });

  await t.test('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

test('withLiveReload', () => {
  const page = '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body><p>x</p></body></html>';
  const served = withLiveReload(page, 'abc');
  assert.equal(
    served,
    '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'nonce-abc\'; connect-src \'self\'"></head><body><p>x</p>' +
      '<script nonce="abc">new EventSource("/__benchbook/events").addEventListener(\'reload\', () => location.reload());</script>\n</body></html>'
  );
});

test('preview of one notebook keeps the whole index, and shows a broken notebook\'s errors on its page until fixed', async (t) => {
  const scratch = await scratchCopy();
  await mkdir(path.join(scratch.dir, 'notebooks'));
  const source = await readFile(path.join(packageRoot, 'test/fixtures/cli/fast.md'), 'utf8');
  const fast = path.join(scratch.dir, 'notebooks', 'fast.md');
  await writeFile(fast, source);
  await writeFile(path.join(scratch.dir, 'notebooks', 'other.md'), source.replace('title: Two fast blocks', 'title: Another notebook'));
  const built = await runCli(['report', '--data', scratch.data, '--out', scratch.out], {}, scratch.dir);
  assert.equal(built.code, 0, built.stderr);

  // A copy of a notebook kept outside notebooks/ has the same name, so the same page: listed once.
  await mkdir(path.join(scratch.dir, 'elsewhere'));
  await writeFile(path.join(scratch.dir, 'elsewhere', 'fast.md'), source);
  const copy = await runCli(['report', 'elsewhere/fast.md', '--data', scratch.data, '--out', scratch.out], {}, scratch.dir);
  assert.equal(copy.code, 0, copy.stderr);
  const index = await readFile(path.join(scratch.out, 'index.html'), 'utf8');
  const list = /<ul class="notebooks">[\s\S]*?<\/ul>/.exec(index)?.[0] ?? '';
  assert.equal(list.match(/href="fast\.html"/g)?.length, 1, 'one entry per notebook name');
  assert.match(index, /Another notebook/);

  const stdout = new Output();
  const child = spawn(process.execPath, [bin, 'preview', 'notebooks/fast.md', '--port', '0', '--data', scratch.data, '--out', scratch.out], {
    cwd: scratch.dir,
    env: {...process.env, CI: '1'},
    stdio: ['ignore', 'pipe', 'pipe']
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.add(chunk));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await scratch.dispose();
  });
  const url = (await stdout.waitFor(/preview at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  const served = (await request(url)).body;
  assert.match(served, /Two fast blocks/);
  assert.match(served, /Another notebook/, 'the notebooks not previewed stay on the index');

  let mark = stdout.text.length;
  await writeFile(fast, source.replace('```python bench id=py label=Python', '```python bench id=py label=Python repeat=zero'));
  await stdout.waitFor(/^benchbook: .*error/m, mark);
  const broken = (await request(`${url}fast.html`)).body;
  assert.match(broken, /class="error preview-problems" role="alert"/);
  assert.match(broken, /notebooks\/fast\.md:\d+:\d+: error: .*repeat.*\[[\w-]+\]/);
  assert.match(broken, /says nothing much/, 'the last good page is still shown below the errors');
  assert.doesNotMatch((await request(url)).body, /preview-problems/, 'other pages are not marked');

  mark = stdout.text.length;
  await writeFile(fast, source);
  await stdout.waitFor(/^benchbook: 1 notebook, /m, mark);
  assert.doesNotMatch((await request(`${url}fast.html`)).body, /preview-problems/, 'fixed: the box is gone');
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('withProblems', () => {
  const page = '<html><body class="x"><p>old</p></body></html>';
  assert.equal(withProblems(page, []), page);
  const shown = withProblems(page, ['a.md:1:1: error: <bad> [rule]']);
  assert.match(shown, /^<html><body class="x">\n<div class="error preview-problems" role="alert">.*<pre>a\.md:1:1: error: &lt;bad&gt; \[rule\]<\/pre><\/div><p>old<\/p>/);
});
