import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {pathToFileURL} from 'node:url';
import type {Browser, Page} from 'playwright-core';
import {packageRoot} from '../../src/paths.js';
import {renderNotebookPages, type NotebookPages} from './notebook-pages.js';
import {buildSite, type BuiltSite} from './site.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install it (apt-get install -y chromium) to check the site in a browser`;
const screenshots = path.join(packageRoot, 'output', 'screenshots');

let site: BuiltSite;
let notebooks: NotebookPages;
let browser: Browser;

before(async () => {
  if (skip) return;
  site = await buildSite();
  notebooks = await renderNotebookPages();
  const {chromium} = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  });
  await mkdir(screenshots, {recursive: true});
});

after(async () => {
  await browser?.close();
  await site?.scratch.dispose();
  await notebooks?.dispose();
});

/** What a page did while it loaded: console errors, requests, dialogs. */
interface Visit {
  page: Page;
  url: string;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function visit(file: string, width: number, colorScheme: 'light' | 'dark' = 'light', dir = site.scratch.outputDir): Promise<Visit> {
  const context = await browser.newContext({viewport: {width, height: 900}, colorScheme});
  const page = await context.newPage();
  const url = pathToFileURL(path.join(dir, file)).href;
  const seen: Visit = {page, url, errors: [], requests: [], dialogs: []};
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, {waitUntil: 'load'});
  return seen;
}

/** Tick labels drawn outside their chart's svg (Plot does not size margins; the render stage does). */
function labelsOutside(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.chart svg')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      if (box.width === 0) return [];
      return [...svg.querySelectorAll('[aria-label$="tick label"] text')].flatMap((text) => {
        const label = text.getBoundingClientRect();
        const outside = label.width > 0 && (label.left < box.left - 1 || label.right > box.right + 1);
        return outside ? [`${svg.closest('figure')?.id ?? ''}: ${text.textContent ?? ''}`] : [];
      });
    })
  );
}

/** Each `.chart`'s rendered variants that are displayed, with their size. */
function visibleCharts(page: Page): Promise<Array<{id: string; shown: Array<{width: number; height: number}>}>> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.chart')].map((chart) => ({
      id: chart.closest('figure')?.id ?? '',
      // A chart is its wide and narrow renderings, or one rendering when the author fixed the width.
      shown: [...(chart.querySelector(':scope > .chart-wide') === null ? chart.children : chart.querySelectorAll(':scope > .chart-wide, :scope > .chart-narrow'))]
        .map((rendering) => rendering.getBoundingClientRect())
        .filter((box) => box.width > 0 && box.height > 0)
        .map((box) => ({width: box.width, height: box.height}))
    }))
  );
}

/**
 * Tables (their scroll boxes, and the panels' of parameters and of this run beside the article), figures and `pre` whose content is wider than their box (it scrolls
 * or is cut), or whose box sticks out of the window; collapsed code is opened first.
 */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('.table-scroll, .params-scroll, figure, pre')].flatMap((element) => {
      const box = element.getBoundingClientRect();
      if (box.width === 0) return [];
      const name = `${element.tagName.toLowerCase()}.${element.classList[0] ?? ''} in #${element.closest('[id]')?.id ?? ''}`;
      const problems: string[] = [];
      if (element.scrollWidth > element.clientWidth + 1) problems.push(`${name}: ${element.scrollWidth} px of content in a ${element.clientWidth} px box`);
      if (box.left < -1 || box.right > width + 1) problems.push(`${name}: from ${Math.round(box.left)} to ${Math.round(box.right)} px, outside the ${width} px window`);
      return problems;
    });
  });
}

/** Captions (of tables and charts) not fully visible: outside the window, cut by a scrolling box, or wider than themselves. */
function hiddenCaptions(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('figcaption, caption, p.caption')].flatMap((element) => {
      const box = element.getBoundingClientRect();
      if (box.width === 0) return [];
      let hidden = box.left < -0.5 || box.right > width + 0.5 || element.scrollWidth > element.clientWidth + 1;
      for (let ancestor = element.parentElement; ancestor !== null && !hidden; ancestor = ancestor.parentElement) {
        if (getComputedStyle(ancestor).overflowX === 'visible') continue;
        const clip = ancestor.getBoundingClientRect();
        hidden = box.left < clip.left - 0.5 || box.right > clip.right + 0.5;
      }
      return hidden ? [`${element.closest('[id]')?.id ?? ''}: ${(element.textContent ?? '').slice(0, 60)}`] : [];
    });
  });
}

test('the real notebooks\' pages fit: wide tables, charts and listings in their boxes, captions visible on a phone, print on the page', {skip}, async (t) => {
  assert.deepEqual(notebooks.pages, ['000-python-vs-go.html', '001-gil-vs-goroutines.html', '002-python-performance-advice.html', '003-go-from-python.html', '004-intuition-vs-reality.html', 'example-gauss-sum.html', 'index.html']);
  for (const file of notebooks.pages) {
    await t.test(file, async () => {
      const wide = await visit(file, 1100, 'light', notebooks.dir);
      assert.deepEqual(wide.errors, []);
      assert.deepEqual(await overflowing(wide.page), [], 'at 1100 px no table, figure or pre is wider than its box');
      assert.deepEqual(await labelsOutside(wide.page), [], 'every tick label fits in its chart');
      const anchors = await wide.page.evaluate(() => [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!));
      const dangling = await wide.page.evaluate((hrefs) => hrefs.filter((href) => document.getElementById(decodeURIComponent(href.slice(1))) === null), anchors);
      assert.deepEqual(dangling, [], 'every link to the page resolves (#parameters, #how-to-reproduce...)');
      await wide.page.screenshot({path: path.join(screenshots, `notebook-${file.replace(/\.html$/, '')}-1100.png`), fullPage: true});
      await wide.page.emulateMedia({media: 'print'});
      await wide.page.setViewportSize({width: 718, height: 1000});
      assert.deepEqual((await overflowing(wide.page)).filter((problem) => !problem.startsWith('pre')), [], 'on paper (718 px) every table and figure fits the page');
      await wide.page.context().close();

      const phone = await visit(file, 375, 'light', notebooks.dir);
      assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'no horizontal scroll of the page');
      assert.deepEqual(await hiddenCaptions(phone.page), [], 'at 375 px every caption is fully visible');
      await phone.page.screenshot({path: path.join(screenshots, `notebook-${file.replace(/\.html$/, '')}-375.png`), fullPage: true});
      await phone.page.context().close();
    });
  }
});

test('the site in headless Chromium', {skip}, async (t) => {
  assert.deepEqual(site.pages, ['index.html', 'mixed.html', 'showcase.html']);

  for (const file of site.pages) {
    await t.test(`${file}: no script, no request, no console error; charts drawn; every anchor resolves`, async () => {
      const {page, url, errors, requests, dialogs} = await visit(file, 1280);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [url], 'the page loads nothing but itself');
      assert.deepEqual(dialogs, []);
      assert.equal(await page.locator('script').count(), 0);

      const charts = await visibleCharts(page);
      if (file !== 'index.html') assert.ok(charts.length > 0, 'the page has charts');
      for (const chart of charts) {
        assert.equal(chart.shown.length, 1, `chart #${chart.id} shows exactly one rendering`);
        assert.ok(chart.shown[0]!.width > 300, `chart #${chart.id} is drawn wide on a desktop`);
      }
      assert.deepEqual(await labelsOutside(page), [], 'every tick label fits in its chart');
      assert.deepEqual(await overflowing(page), [], 'no table, figure or pre wider than its box');

      const anchors = await page.evaluate(() => [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!));
      const dangling = await page.evaluate(
        (hrefs) => hrefs.filter((href) => document.getElementById(decodeURIComponent(href.slice(1))) === null),
        anchors
      );
      assert.deepEqual(dangling, []);
      if (file !== 'index.html') assert.ok(anchors.length > 5, 'headings, blocks and charts have anchors');

      await page.screenshot({path: path.join(screenshots, `${file.replace(/\.html$/, '')}-1280.png`), fullPage: true});
      await page.context().close();
    });

    await t.test(`${file}: at 375 px the page does not scroll sideways and charts use the narrow rendering`, async () => {
      const {page} = await visit(file, 375);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scroll of the page');
      for (const chart of await visibleCharts(page)) {
        assert.equal(chart.shown.length, 1, `chart #${chart.id} shows exactly one rendering`);
        assert.ok(chart.shown[0]!.width <= 375 && chart.shown[0]!.height > 0, `chart #${chart.id} fits the phone`);
      }
      assert.deepEqual(await labelsOutside(page), [], 'every tick label fits in its chart');
      assert.deepEqual(await hiddenCaptions(page), [], 'every caption fully visible');
      await page.screenshot({path: path.join(screenshots, `${file.replace(/\.html$/, '')}-375.png`), fullPage: true});
      await page.context().close();
    });
  }

  await t.test('dark mode switches the colours; print expands collapsed code and hides navigation', async () => {
    const dark = await visit('showcase.html', 1280, 'dark');
    const background = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(13, 17, 23)');
    await dark.page.screenshot({path: path.join(screenshots, 'showcase-1280-dark.png'), fullPage: true});
    await dark.page.context().close();

    const {page} = await visit('showcase.html', 1280);
    const code = page.locator('details.code pre').first();
    assert.equal(await code.isVisible(), false, 'bench code starts collapsed on screen');
    await page.emulateMedia({media: 'print'});
    assert.equal(await code.isVisible(), true, 'printed pages show the code');
    assert.equal(await page.locator('nav.toc').isVisible(), false, 'no table of contents on paper');
    assert.equal(await page.locator('nav.site').isVisible(), false, 'no site navigation on paper');
    await page.context().close();
  });
});
