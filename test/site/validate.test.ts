import assert from 'node:assert/strict';
import {readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {FileSystemConfigLoader, HtmlValidate} from 'html-validate';
import {packageRoot} from '../../src/paths.js';
import {renderNotebookPages} from './notebook-pages.js';
import {buildSite, SITE_NOTEBOOKS, type BuiltSite} from './site.js';

let site: BuiltSite;
before(async () => {
  site = await buildSite();
});
after(() => site?.scratch.dispose());

async function readAll(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const file of site.files) files.set(file, await readFile(path.join(site.scratch.outputDir, file)));
  return files;
}

test('html-validate runs its recommended rules with none turned off or relaxed', async () => {
  const config = (await import(path.join(packageRoot, '.htmlvalidate.mjs'))) as {default: {extends: string[]; rules?: Record<string, unknown>}};
  assert.deepEqual(config.default.extends, ['html-validate:recommended']);
  assert.deepEqual(config.default.rules ?? {}, {});
});

test('every page of the real notebooks passes html-validate', async (t) => {
  const pages = await renderNotebookPages();
  try {
    const validator = new HtmlValidate(new FileSystemConfigLoader());
    for (const page of pages.pages) {
      await t.test(page, async () => {
        const html = await readFile(path.join(pages.dir, page), 'utf8');
        const report = await validator.validateString(html, path.join(packageRoot, 'output', page));
        assert.deepEqual(report.results.flatMap((result) => result.messages.map((message) => `${page}:${message.line}:${message.column}: ${message.message} [${message.ruleId}]`)), []);
      });
    }
  } finally {
    await pages.dispose();
  }
});

test('every generated page passes html-validate', async (t) => {
  // Validated as if it were in the project's output/, so the repository's .htmlvalidate.* applies,
  // as it does to `npx html-validate output/*.html`.
  const validator = new HtmlValidate(new FileSystemConfigLoader());
  for (const page of site.pages) {
    await t.test(page, async () => {
      const html = await readFile(path.join(site.scratch.outputDir, page), 'utf8');
      const report = await validator.validateString(html, path.join(packageRoot, 'output', page));
      const problems = report.results.flatMap((result) =>
        result.messages.map((message) => `${page}:${message.line}:${message.column}: ${message.message} [${message.ruleId}]`)
      );
      assert.deepEqual(problems, []);
    });
  }
});

test('a rebuild from unchanged results writes byte-identical files', async (t) => {
  const first = await readAll();
  assert.ok(site.files.includes('showcase.json') && site.files.includes('showcase.csv'), 'exports are written beside the page');

  await t.test('with the rendered-chart cache', async () => {
    await site.scratch.build(SITE_NOTEBOOKS, {fromData: true});
    assert.deepEqual([...(await readAll())], [...first]);
  });

  await t.test('with every chart rendered again', async () => {
    await rm(site.scratch.chartDir, {recursive: true, force: true});
    await site.scratch.build(SITE_NOTEBOOKS, {fromData: true});
    const again = await readAll();
    for (const [file, bytes] of first) assert.ok(again.get(file)?.equals(bytes), `${file} changed`);
  });
});
