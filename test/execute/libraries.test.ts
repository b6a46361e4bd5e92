import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {libraryEnvName} from '../../src/execute/libraries.js';
import {withMainFunction} from '../../src/runtimes/go.js';
import {lockfileFor, pyo3Lockfile, resolveMaturin, withPymodule} from '../../src/runtimes/pyo3.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import type {RunResult} from '../../src/model/index.js';
import {formatMessage, parseNotebook} from '../../src/parse/index.js';
import type {Notebook} from '../../src/parse/types.js';
import {planNotebook} from '../../src/plan/index.js';
import type {Plan} from '../../src/plan/types.js';
import {defaultCacheDir, packageRoot} from '../../src/paths.js';
import {temporaryCacheDir} from './helpers.js';

const fixtures = path.join(packageRoot, 'test/fixtures/libraries');
const {found, missing} = await resolveRuntimes(['python', 'go', 'c', 'rust']);
const maturin = await resolveMaturin();

/** Why a test cannot run here, naming what is missing, or `undefined` when everything is found. */
function lacking(...names: string[]): string | undefined {
  const reasons = names.flatMap((name) => (missing[name] ? [`${name}: ${missing[name]}`] : []));
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

async function readFixture(name: string): Promise<Notebook> {
  const file = path.join(fixtures, name);
  const {notebook, messages} = parseNotebook(await readFile(file, 'utf8'), file);
  assert.deepEqual(messages.filter((message) => message.fatal).map(formatMessage), []);
  return notebook!;
}

async function planFixture(name: string, runtimes = found): Promise<Plan> {
  return planNotebook(await readFixture(name), {runtimes, missing});
}

/** Runs one planned block as `npm run report` does, libraries built first. */
async function runBlock(plan: Plan, key: string, cacheDir: string): Promise<RunResult> {
  const run = plan.runs.find((candidate) => candidate.key === key);
  assert.ok(run, `no run ${key}`);
  return executeRun(run, plan.runtimes[run.runtime]!, {cacheDir, runtimes: plan.runtimes, missing: plan.missing});
}

test('parseNotebook reads lib blocks and checks what uses them', async () => {
  const notebook = await readFixture('gsum.md');
  const libs = notebook.blocks.filter((block) => block.kind === 'lib');
  assert.deepEqual(
    libs.map((block) => [block.id, block.runtime]),
    [
      ['gosum', 'go'],
      ['cgsum', 'c']
    ]
  );
  assert.deepEqual(notebook.blocks.find((block) => block.id === 'check')?.options.uses, ['gosum', 'cgsum']);

  const file = path.join(fixtures, 'bad-uses.md');
  const {messages} = parseNotebook(await readFile(file, 'utf8'), file);
  assert.deepEqual(messages.map(formatMessage), [
    `${file}:5:4: error: a lib block is written in go, c, cpp or rust, not \`python\` [unknown-runtime]`,
    `${file}:9:13: error: a rust lib's id is its Python module name (\`-\` read as \`_\`): \`mod.name\` may hold only letters, digits, \`_\` and \`-\` [invalid-option]`,
    `${file}:17:23: error: \`user\` uses \`nowhere\`, which is not a lib block of this notebook [unknown-block-ref]`,
    `${file}:17:23: error: \`user\` uses \`user\`, which is not a lib block of this notebook [unknown-block-ref]`,
    `${file}:18:24: error: placeholder \`{{lib:other}}\` needs \`uses=other\` in the block's options [unknown-block-ref]`,
    `${file}:22:8: error: placeholder \`{{lib:clib}}\` needs \`uses=clib\` in the block's options [unknown-block-ref]`
  ]);
});

test('planNotebook folds each used library into the hash of the runs that use it', async () => {
  const notebook = await readFixture('gsum.md');
  const plan = planNotebook(notebook, {runtimes: found, missing});
  const hashes = (of: Plan) => Object.fromEntries(of.runs.map((run) => [run.key, run.hash]));
  const before = hashes(plan);
  assert.deepEqual(
    plan.runs.find((run) => run.key === 'check')?.libraries?.map((library) => library.id),
    ['gosum', 'cgsum']
  );
  assert.equal(plan.runs.find((run) => run.key === 'gsum-python')?.libraries, undefined);

  const edit = (id: string, code: (old: string) => string): Notebook => ({
    ...notebook,
    blocks: notebook.blocks.map((block) => (block.id === id ? {...block, code: code(block.code)} : block))
  });
  const afterGo = hashes(planNotebook(edit('gosum', (code) => code.replace('i <= n', 'i < n+1')), {runtimes: found, missing}));
  assert.notEqual(afterGo['check'], before['check']);
  assert.notEqual(afterGo['gsum-go'], before['gsum-go']);
  assert.equal(afterGo['gsum-c'], before['gsum-c']);
  assert.equal(afterGo['gsum-python'], before['gsum-python']);

  // A new compiler is a new library too.
  const newGcc = found['c'] ? {...found, c: {...found['c'], version: 'gcc 99.0.0'}} : {...found};
  const afterGcc = hashes(planNotebook(notebook, {runtimes: newGcc, missing}));
  assert.notEqual(afterGcc['gsum-c'], before['gsum-c']);
  assert.equal(afterGcc['gsum-go'], before['gsum-go']);
});

test('the helpers that prepare library sources', () => {
  assert.equal(libraryEnvName('gosum'), 'BENCHBOOK_LIB_GOSUM');
  assert.equal(libraryEnvName('mult-rs.v2'), 'BENCHBOOK_LIB_MULT_RS_V2');
  assert.equal(withMainFunction('package main\nfunc main() {}\n'), 'package main\nfunc main() {}\n');
  assert.match(withMainFunction('package main\n\nimport "C"\n'), /func main\(\) \{\}\n$/);
  const declared = 'use pyo3::prelude::*;\n#[pymodule]\nfn m(_m: &Bound<PyModule>) -> PyResult<()> { Ok(()) }\n';
  assert.equal(withPymodule(declared, 'm'), declared);
  const generated = withPymodule('#[pyfunction]\nfn a() {}\n#[pyfunction(signature = (x))]\npub fn b(x: i32) {}\nfn c() {}\n', 'mod_a');
  assert.match(generated, /#\[pyo3\(name = "mod_a"\)\]/);
  assert.deepEqual([...generated.matchAll(/wrap_pyfunction!\((\w+), m\)/g)].map((match) => match[1]), ['a', 'b']);
});

test('lockfileFor renames the root package and keeps cargo order', async () => {
  const lock = lockfileFor('mult_rs', await readFile(pyo3Lockfile, 'utf8'));
  const names = [...lock.matchAll(/^name = "([^"]+)"$/gm)].map((match) => match[1]!);
  assert.ok(names.includes('mult_rs'));
  assert.ok(!names.includes('benchbook_lib'));
  assert.deepEqual(names, [...names].sort());
  assert.match(lock, /^name = "pyo3"\nversion = "0\.30\.1"$/m);
});

test('Go c-shared and C shared libraries called from Python through ctypes', {skip: lacking('python', 'go', 'c')}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const plan = await planFixture('gsum.md');

  await t.test('a run block loads both by {{lib:id}} and by BENCHBOOK_LIB_<ID>', async () => {
    const result = await runBlock(plan, 'check', cacheDir);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.stdout, '5050\n5050\nTrue\n');
    assert.ok((result.libraryBuildMs ?? 0) > 0);
    assert.ok(result.durationMs >= result.libraryBuildMs!);
  });

  await t.test('bench blocks call GSum(100) and are timed; the libraries come from the cache', async () => {
    for (const key of ['gsum-go', 'gsum-c']) {
      const result = await runBlock(plan, key, cacheDir);
      assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
      assert.equal(result.stdout, '5050\n');
      assert.ok((result.samples?.length ?? 0) >= 3);
      assert.ok(result.samples!.every((sample) => sample > 0));
      assert.equal(result.libraryBuildMs, 0);
    }
  });

  await t.test('a library that does not compile fails the block that uses it, with the compiler message', async () => {
    const broken = await planFixture('broken.md');
    const result = await runBlock(broken, 'user', cacheDir);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'library `broken` did not build: compile error');
    assert.match(result.stderr, /block\.c:2:14: error: .missing. undeclared/);
    assert.equal(result.stdout, '');
  });

  await t.test('without the resolved runtimes, executeRun resolves the libraries\' compilers itself', async () => {
    const run = plan.runs.find((candidate) => candidate.key === 'check')!;
    const result = await executeRun(run, plan.runtimes['python']!, {cacheDir});
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.stdout, '5050\n5050\nTrue\n');
  });

  await t.test('a library whose compiler is missing skips the block, saying which', async () => {
    const {go: _go, ...withoutGo} = plan.runtimes;
    const run = plan.runs.find((candidate) => candidate.key === 'gsum-go')!;
    const result = await executeRun(run, plan.runtimes['python']!, {cacheDir, runtimes: withoutGo, missing: {go: 'go not found on PATH — install Go'}});
    assert.equal(result.status, 'skipped');
    assert.equal(result.reason, 'library `gosum` needs go: go not found on PATH — install Go');
  });
});

test('a PyO3 module built by maturin, imported by Python blocks', {skip: lacking('python', 'rust') ?? (typeof maturin === 'string' ? maturin : undefined)}, async (t) => {
  // The shared cache: PyO3 itself then compiles once per machine, not once per test run.
  const cacheDir = defaultCacheDir;
  const plan = await planFixture('pyo3.md');

  await t.test('the article\'s functions work as written, without a #[pymodule]', async () => {
    const result = await runBlock(plan, 'check', cacheDir);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.stdout, '144\nTrue\n999 999\nTrue\n');
  });

  await t.test('a bench block times square_rust', async () => {
    const result = await runBlock(plan, 'square-rs', cacheDir);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.stdout, '100000000\n');
    assert.ok((result.samples?.length ?? 0) >= 3);
    assert.equal(result.libraryBuildMs, 0);
  });

  await t.test('Rust bench and run blocks of the same notebook', async () => {
    const bench = await runBlock(plan, 'square-native', cacheDir);
    assert.equal(bench.status, 'ok', bench.stderr);
    assert.ok((bench.samples?.length ?? 0) >= 3);
    const run = await runBlock(plan, 'rust-version', cacheDir);
    assert.equal(run.stdout, '5050\n');
  });

  await t.test('a compile error in the Rust library is the block\'s failure, with cargo\'s message', async () => {
    const notebook = await readFixture('pyo3.md');
    const broken = {
      ...notebook,
      blocks: notebook.blocks.map((block) => (block.id === 'mult-rs' ? {...block, code: block.code.replace('x * x', 'x * y')} : block))
    };
    const result = await runBlock(planNotebook(broken, {runtimes: found, missing}), 'square-rs', cacheDir);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'library `mult-rs` did not build: compile error');
    assert.match(result.stderr, /cannot find value `y`/);
    assert.match(result.stderr, /block\.rs:6:9/);
  });

  await t.test('without maturin the block is skipped with what to do', async () => {
    const saved = process.env['BENCHBOOK_MATURIN'];
    process.env['BENCHBOOK_MATURIN'] = path.join(packageRoot, 'no-such-maturin');
    try {
      const result = await runBlock(plan, 'square-rs', cacheDir);
      assert.equal(result.status, 'skipped');
      assert.match(result.reason ?? '', /^library `mult-rs`: maturin not found — run npm run setup/);
    } finally {
      if (saved === undefined) delete process.env['BENCHBOOK_MATURIN'];
      else process.env['BENCHBOOK_MATURIN'] = saved;
    }
  });
});
