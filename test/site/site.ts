import {readdir} from 'node:fs/promises';
import {fixture} from '../helpers/paths.js';
import {scratchProject, type Scratch} from '../helpers/build.js';

/** The notebooks of the test site: every feature of a page, and a notebook whose blocks fail or print HTML. */
export const SITE_NOTEBOOKS = [fixture('site', 'showcase.md'), fixture('report', 'mixed.md')];

/** A site built by the real pipeline (real runtimes) into a scratch folder, with the files it wrote. */
export interface BuiltSite {
  scratch: Scratch;
  /** Every file of `output/`, sorted. */
  files: string[];
  /** The HTML pages of `output/`, sorted. */
  pages: string[];
}

/** Builds {@link SITE_NOTEBOOKS}; the caller disposes of `scratch`. */
export async function buildSite(): Promise<BuiltSite> {
  const scratch = await scratchProject();
  const summary = await scratch.build(SITE_NOTEBOOKS);
  if (summary.notebooks !== SITE_NOTEBOOKS.length) {
    await scratch.dispose();
    throw new Error(`the test site did not build: ${summary.messages.map((message) => message.message).join('; ')}\n${scratch.lines.join('\n')}`);
  }
  const files = (await readdir(scratch.outputDir)).sort();
  return {scratch, files, pages: files.filter((file) => file.endsWith('.html'))};
}
