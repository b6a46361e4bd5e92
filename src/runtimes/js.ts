import {readFile, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import type {RuntimeInfo} from '../model/index.js';
import {fileFacts} from '../system/probe.js';
import type {Language, PrepareContext, PreparedBlock, ProgramSource, RuntimeEntry} from './types.js';

let typescript: Promise<typeof import('typescript')> | undefined;

/**
 * Transpile a block (types stripped, not checked) and list its syntax errors as `file:line:col: error TSn:
 * message` lines. Also used on JS blocks that failed with a SyntaxError, because V8's error for a module
 * carries no location.
 */
export async function transpile(code: string, fileName: string): Promise<{code: string; errors: string[]}> {
  // Loaded on first use only: importing typescript costs a few hundred milliseconds.
  const ts = await (typescript ??= import('typescript'));
  const output = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, allowJs: true}
  });
  const errors = (output.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${fileName}${where ? `:${where.line + 1}:${where.character + 1}` : ''}: error TS${d.code}: ${message}`;
    });
  return {code: output.outputText, errors};
}

/**
 * A JS or TS block as a program of its own, `node block.mjs` (TypeScript transpiled first, by the
 * same transpiler as the pool's): what process mode and instruction counts run.
 */
async function prepareJsProgram(source: ProgramSource, runtime: RuntimeInfo, context: PrepareContext, language: 'js' | 'ts'): Promise<PreparedBlock> {
  const started = performance.now();
  let code = source.code;
  if (language === 'ts') {
    context.onBuild();
    const label = `${source.blockId}.ts`;
    const transpiled = await transpile(code, label);
    if (transpiled.errors.length > 0) {
      const stderr = `${transpiled.errors.join('\n')}\n`;
      return {buildFailure: {exitCode: 2, timedOut: false, aborted: false, durationMs: 0, stdout: '', stderr}, buildMs: performance.now() - started};
    }
    code = transpiled.code;
  }
  const file = path.join(context.workDir, 'block.mjs');
  await writeFile(file, code);
  return {command: {file: runtime.executable, args: [file]}, buildMs: language === 'ts' ? performance.now() - started : 0};
}

/** JavaScript blocks. */
export const jsLanguage: Language = {name: 'js', label: 'JavaScript', aliases: ['js', 'javascript', 'mjs']};
/** TypeScript blocks. */
export const tsLanguage: Language = {name: 'ts', label: 'TypeScript', aliases: ['ts', 'typescript']};

const jsEntryFields = {
  workerPool: true,
  emptyProgram: '',
  noInstructions: 'V8 compiles them as they run; measure time instead',
  install: {apt: ['nodejs'], how: 'install Node.js 20 or later'}
} satisfies Partial<RuntimeEntry>;

/** JavaScript on this Node, in a worker pool (inline) or as a program of its own (process mode). */
export const js: RuntimeEntry = {
  ...jsEntryFields,
  name: 'js',
  language: jsLanguage,
  description: 'this Node.js: blocks run as ES modules in a piscina worker pool (one fresh worker per process), or as `node block.mjs` in process mode',
  resolve: async () => ({name: 'js', executable: process.execPath, version: `node ${process.version}`}),
  probeKey: async () => `${process.execPath} ${process.version}`,
  prepare: (source, runtime, context) => prepareJsProgram(source, runtime, context, 'js')
};

/** TypeScript: types stripped by the typescript package next to benchbook, then run as JavaScript. */
export const ts: RuntimeEntry = {
  ...jsEntryFields,
  name: 'ts',
  language: tsLanguage,
  description: 'TypeScript transpiled (types stripped, not checked) by the typescript package installed with benchbook, then run as JavaScript',
  resolve: resolveTypeScript,
  probeKey: async () => `${process.execPath} ${process.version}\n${await fileFacts(createRequire(import.meta.url).resolve('typescript/package.json'))}`,
  prepare: (source, runtime, context) => prepareJsProgram(source, runtime, context, 'ts'),
  install: {then: 'npm ci', how: 'run npm ci (typescript is a dependency of benchbook)'}
};

/** TypeScript runs on this Node with the typescript package installed next to benchbook. */
async function resolveTypeScript(): Promise<RuntimeInfo | string> {
  const require = createRequire(import.meta.url);
  let version: unknown;
  try {
    // Read the version without loading the compiler: importing typescript costs ~100 ms.
    const manifest = require.resolve('typescript/package.json');
    version = (JSON.parse(await readFile(manifest, 'utf8')) as {version?: unknown}).version;
  } catch {
    return 'typescript not installed — run npm install';
  }
  if (typeof version !== 'string') return 'typescript/package.json has no version — run npm install';
  return {name: 'ts', executable: process.execPath, version: `node ${process.version} + typescript ${version}`};
}
