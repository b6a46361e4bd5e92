import {escapeHtml} from './escape.js';
import {formatCount} from './format.js';

/** Most lines of a block's output shown on its page; the rest is in a file beside the page. */
export const OUTPUT_LINES = 200;

/** Most bytes (UTF-8) of a block's output shown on its page. */
export const OUTPUT_BYTES = 64 * 1024;

/** A block's output cut to what a page shows. */
export interface CappedOutput {
  /** The text shown: the whole output, or its first lines. */
  text: string;
  /** Set when the output was cut: how much is shown of how much. */
  cut?: {lines: number; totalLines: number; bytes: number; totalBytes: number};
}

/**
 * The first {@link OUTPUT_LINES} lines or {@link OUTPUT_BYTES} bytes of `text`, whichever is less
 * (cut at a line end when there is one, never inside a character).
 */
export function capOutput(text: string): CappedOutput {
  const totalBytes = Buffer.byteLength(text);
  const totalLines = countLines(text);
  if (totalLines <= OUTPUT_LINES && totalBytes <= OUTPUT_BYTES) return {text};
  let end = 0;
  for (let line = 0; line < OUTPUT_LINES; line++) {
    const next = text.indexOf('\n', end);
    if (next === -1) {
      end = text.length;
      break;
    }
    end = next + 1;
  }
  let shown = text.slice(0, end);
  if (Buffer.byteLength(shown) > OUTPUT_BYTES) {
    // Decode the first 64 KiB leniently, drop a character cut in two, then back off to a line end.
    shown = Buffer.from(shown).subarray(0, OUTPUT_BYTES).toString('utf8').replace(/\uFFFD$/, '');
    const lineEnd = shown.lastIndexOf('\n');
    if (lineEnd > 0) shown = shown.slice(0, lineEnd + 1);
  }
  return {text: shown, cut: {lines: countLines(shown), totalLines, bytes: Buffer.byteLength(shown), totalBytes}};
}

/** The file beside a page that holds a run's whole output: `<notebook>.<key>.<stream>.txt`. */
export function fullOutputName(notebook: string, key: string, stream: 'stdout' | 'stderr'): string {
  return `${notebook}.${key.replace(/[^A-Za-z0-9._-]+/g, '_')}.${stream}.txt`;
}

/**
 * Output as a reader sees it: the execute stage's temporary folders (`/tmp/benchbook-Ab12Cd/`) are
 * dropped from paths, so a profile reads `block-profile.py:11(slow_unique)`.
 */
export function readableOutput(text: string): string {
  return text.replace(/(?:\/[\w.-]+)*\/benchbook-[A-Za-z0-9]{6}\//g, '');
}

/**
 * A block's output as `<pre>`: readable, capped, with a line saying how much was cut and linking the
 * whole output beside the page when it was.
 */
export function renderOutput(text: string, options: {className: string; notebook: string; key: string; stream: 'stdout' | 'stderr'}): string {
  const {text: shown, cut} = capOutput(text);
  const pre = `<pre class="${options.className}">${escapeHtml(readableOutput(shown))}</pre>`;
  if (cut === undefined) return pre;
  const file = fullOutputName(options.notebook, options.key, options.stream);
  const what = options.stream === 'stdout' ? 'output' : 'error output';
  return (
    `${pre}<p class="output-cut">Cut: the first ${formatCount(cut.lines)} of ${formatCount(cut.totalLines)} lines ` +
    `(${formatBytes(cut.bytes)} of ${formatBytes(cut.totalBytes)}) are shown. The whole ${what}: ` +
    `<a href="${escapeHtml(file)}" download>${escapeHtml(file)}</a>.</p>`
  );
}

/** Bytes in a binary unit: `512 B`, `64 KiB`, `47.7 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${formatCount(value)} B` : `${Number(value.toPrecision(3)).toLocaleString('en-US')} ${units[unit]}`;
}

function countLines(text: string): number {
  if (text === '') return 0;
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.endsWith('\n') ? lines : lines + 1;
}
