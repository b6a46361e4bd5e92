// benchbook's memory probe for JS and TS bench blocks.
//
// Usage: node memory.mjs <block.mjs> <fn> <calls>, with BENCHBOOK_RESULT set.
//
// Timings of JS blocks are taken in worker threads of the JS pool, whose process is shared, so its
// resident set says nothing of one block. This process imports the block alone, calls its function
// `calls` times (a function returning a promise is awaited), and writes {"maxRssKiB": n} to
// BENCHBOOK_RESULT: its own peak resident set (VmHWM), as /usr/bin/time would report it.
import {readFileSync, writeFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';

const [file, name, count] = process.argv.slice(2);
const result = process.env.BENCHBOOK_RESULT;
if (!file || !name || !result) {
  console.error('usage: BENCHBOOK_RESULT=<file> node memory.mjs <block.mjs> <fn> <calls>');
  process.exit(2);
}
const block = await import(pathToFileURL(file).href);
const fn = block[name];
if (typeof fn !== 'function') {
  console.error(`benchbook: the module exports no function ${name}`);
  process.exit(2);
}
let sink;
for (let i = 0; i < Math.max(1, Number(count) || 1); i++) {
  sink = fn();
  if (typeof sink?.then === 'function') sink = await sink;
}
const status = readFileSync('/proc/self/status', 'utf8');
const kib = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
writeFileSync(result, JSON.stringify({maxRssKiB: kib, kept: typeof sink}));
