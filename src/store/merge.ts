import {lstat, readdir, readFile, rm} from 'node:fs/promises';
import path from 'node:path';
import type {StoredResult} from '../model/index.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {fileNameOfKey} from './index.js';
import {manifestFolder, manifestProblem, type ShardManifest} from './manifest.js';
import {defaultMaxFileBytes, isFingerprint, isPlainName, recordProblem} from './validate.js';

/** Options of {@link mergeResults}. */
export interface MergeOptions {
  /** Largest file read from an artifact, in bytes (default 16 MiB): a larger one refuses its artifact. */
  maxFileBytes?: number;
  /** Check everything and say what would change, writing nothing (default false). */
  dryRun?: boolean;
}

/** A file of an artifact that was refused, and why. */
export interface Refusal {
  file: string;
  problem: string;
}

/** What {@link mergeResults} did, folder by folder and file by file. */
export interface MergeReport {
  /** Artifact folders taken in whole. */
  merged: string[];
  /** Artifact folders refused whole (nothing of them written), with every bad file. */
  refused: Array<{dir: string; files: Refusal[]}>;
  /** Results new to `data/`. */
  added: number;
  /** Results that replaced an older one of the same machine and key. */
  replaced: number;
  /** Incoming results older than the one in `data/`: the newer is kept. */
  keptNewer: number;
  /** Incoming results already in `data/` as they are. */
  unchanged: number;
  /** Failed runs kept beside a good result (`<key>.failed.json`), as the store keeps them. */
  failures: number;
  /** Shard manifests copied into `data/shards/`. */
  manifests: number;
  /** What needs a look: the same result from two artifacts, or an older result of other code. */
  conflicts: string[];
  /** Files and folders of an artifact that are not results (a README, `baselines/`): left alone. */
  ignored: string[];
}

interface Incoming {
  source: string;
  notebook: string;
  fingerprint: string;
  base: string;
  failed: boolean;
  record: StoredResult;
  text: string;
}

interface IncomingManifest {
  source: string;
  fingerprint: string;
  name: string;
  manifest: ShardManifest;
  text: string;
}

/**
 * Merges result trees measured elsewhere (shards of a CI matrix, Slurm array tasks, another
 * machine's `data/`) into `dataDir`. Each artifact is untrusted: every file is checked first (plain
 * names, no links, a size limit, the record format, a record that says of itself where it is), and
 * an artifact with any bad file is refused whole, so a bad artifact writes nothing. Then, for each
 * machine and key, the newest run wins; a failed run never replaces a good result but is kept
 * beside it, as a build does. Every write is atomic.
 */
export async function mergeResults(dirs: string[], dataDir: string, options: MergeOptions = {}): Promise<MergeReport> {
  const report: MergeReport = {merged: [], refused: [], added: 0, replaced: 0, keptNewer: 0, unchanged: 0, failures: 0, manifests: 0, conflicts: [], ignored: []};
  const maxBytes = options.maxFileBytes ?? defaultMaxFileBytes;
  const incoming = new Map<string, Incoming>();
  const manifests = new Map<string, IncomingManifest>();
  for (const dir of dirs) {
    const read = await readArtifact(dir, maxBytes, report.ignored);
    if (read.refusals.length > 0) {
      report.refused.push({dir, files: read.refusals});
      continue;
    }
    report.merged.push(dir);
    for (const item of read.records) {
      const target = path.join(item.notebook, item.fingerprint, item.base + (item.failed ? '.failed.json' : '.json'));
      const other = incoming.get(target);
      if (other && other.text !== item.text) {
        report.conflicts.push(`${target}: measured in both ${other.source} (${other.record.date}) and ${item.source} (${item.record.date}); the newest is kept`);
      }
      if (!other || item.record.date > other.record.date) incoming.set(target, item);
    }
    for (const item of read.manifests) {
      const target = path.join(item.fingerprint, item.name);
      const other = manifests.get(target);
      if (!other || item.manifest.date > other.manifest.date) manifests.set(target, item);
    }
  }
  const write = async (file: string, text: string): Promise<void> => {
    if (!options.dryRun) await writeFileAtomic(file, text);
  };
  // Good results first: a failure is only kept beside the good result it is newer than.
  const ordered = [...incoming.entries()].sort(([a, x], [b, y]) => Number(x.failed) - Number(y.failed) || (a < b ? -1 : 1));
  for (const [, item] of ordered) {
    const file = path.join(dataDir, item.notebook, item.fingerprint, `${item.base}.json`);
    const failureFile = path.join(dataDir, item.notebook, item.fingerprint, `${item.base}.failed.json`);
    const existing = await readExisting(file);
    const where = `${item.notebook}/${item.fingerprint}/${item.record.key}`;
    const failed = item.failed || item.record.result.status !== 'ok';
    if (failed && existing?.result.status === 'ok') {
      const existingFailure = await readExisting(failureFile);
      if (item.record.date > existing.date && (!existingFailure || item.record.date > existingFailure.date)) {
        await write(failureFile, item.text);
        report.failures++;
      } else {
        report.keptNewer++;
      }
      continue;
    }
    if (item.failed) {
      // A failure with no good result beside it: nothing to keep it beside.
      report.keptNewer++;
      continue;
    }
    if (existing && existing.date === item.record.date && existing.hash === item.record.hash) {
      report.unchanged++;
      continue;
    }
    if (existing && existing.date > item.record.date) {
      report.keptNewer++;
      if (existing.hash !== item.record.hash) report.conflicts.push(`${where}: ${item.source} has an older result (${item.record.date}) of other code than data/ (${existing.date}); the newer is kept`);
      continue;
    }
    await write(file, item.text);
    if (!options.dryRun && !failed) {
      const failure = await readExisting(failureFile);
      if (failure && failure.date <= item.record.date) await rm(failureFile, {force: true});
    }
    if (existing) report.replaced++;
    else report.added++;
  }
  for (const [target, item] of manifests) {
    const file = path.join(dataDir, manifestFolder, target);
    const existing = await readFile(file, 'utf8').then((text) => JSON.parse(text) as ShardManifest, () => undefined);
    if (existing?.date !== undefined && existing.date >= item.manifest.date) continue;
    await write(file, item.text);
    report.manifests++;
  }
  return report;
}

/** Reads and checks every file of one artifact folder; nothing is written. */
async function readArtifact(dir: string, maxBytes: number, ignored: string[]): Promise<{records: Incoming[]; manifests: IncomingManifest[]; refusals: Refusal[]}> {
  const records: Incoming[] = [];
  const manifests: IncomingManifest[] = [];
  const refusals: Refusal[] = [];
  const refuse = (file: string, problem: string): void => {
    refusals.push({file, problem});
  };
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory()) {
    refuse(dir, top ? 'not a folder' : 'no such folder');
    return {records, manifests, refusals};
  }
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) refuse(full, 'a symbolic link (artifacts hold plain files only)');
    else if (!entry.isDirectory()) ignored.push(full);
    else if (entry.name === 'baselines') ignored.push(full);
    else if (!isPlainName(entry.name)) refuse(full, `folder name ${JSON.stringify(entry.name)} is not a plain name`);
    else if (entry.name === manifestFolder) await readManifests(full, maxBytes, manifests, refuse, dir);
    else await readNotebookFolder(full, entry.name, maxBytes, records, refuse, ignored, dir);
  }
  return {records, manifests, refusals};
}

async function readNotebookFolder(
  folder: string,
  notebook: string,
  maxBytes: number,
  records: Incoming[],
  refuse: (file: string, problem: string) => void,
  ignored: string[],
  source: string
): Promise<void> {
  for (const machine of await readdir(folder, {withFileTypes: true})) {
    const machineDir = path.join(folder, machine.name);
    if (machine.isSymbolicLink()) {
      refuse(machineDir, 'a symbolic link (artifacts hold plain files only)');
      continue;
    }
    if (!machine.isDirectory()) {
      ignored.push(machineDir);
      continue;
    }
    if (!isFingerprint(machine.name)) {
      refuse(machineDir, `machine fingerprint ${JSON.stringify(machine.name)} is not a plain name`);
      continue;
    }
    for (const entry of await readdir(machineDir, {withFileTypes: true})) {
      const file = path.join(machineDir, entry.name);
      if (entry.name.endsWith('.tmp')) {
        // An interrupted atomic write: never a result.
        ignored.push(file);
        continue;
      }
      const failed = entry.name.endsWith('.failed.json');
      const base = entry.name.slice(0, -(failed ? '.failed.json' : '.json').length);
      if (!entry.name.endsWith('.json') || !isPlainName(base)) {
        refuse(file, `file name ${JSON.stringify(entry.name)} is not <key>.json with a plain key`);
        continue;
      }
      const read = await readJson(file, entry, maxBytes, refuse);
      if (read === undefined) continue;
      const {text, value} = read;
      const problem = recordProblem(value, {notebook, fingerprint: machine.name, fileBase: base, fileNameOfKey});
      if (problem) refuse(file, problem);
      else records.push({source, notebook, fingerprint: machine.name, base, failed, record: value as StoredResult, text});
    }
  }
}

async function readManifests(folder: string, maxBytes: number, manifests: IncomingManifest[], refuse: (file: string, problem: string) => void, source: string): Promise<void> {
  for (const machine of await readdir(folder, {withFileTypes: true})) {
    const machineDir = path.join(folder, machine.name);
    if (!machine.isDirectory() || machine.isSymbolicLink() || !isFingerprint(machine.name)) {
      refuse(machineDir, 'not a folder named after a machine fingerprint');
      continue;
    }
    for (const entry of await readdir(machineDir, {withFileTypes: true})) {
      const file = path.join(machineDir, entry.name);
      if (!/^\d+-of-\d+\.json$/.test(entry.name)) {
        refuse(file, `file name ${JSON.stringify(entry.name)} is not <K>-of-<N>.json`);
        continue;
      }
      const read = await readJson(file, entry, maxBytes, refuse);
      if (read === undefined) continue;
      const {text, value} = read;
      const problem = manifestProblem(value, machine.name, entry.name);
      if (problem) refuse(file, problem);
      else manifests.push({source, fingerprint: machine.name, name: entry.name, manifest: value as ShardManifest, text});
    }
  }
}

/** A plain file's text, refused when it is a link, a folder or larger than the limit. */
async function readChecked(file: string, entry: {isFile(): boolean}, maxBytes: number, refuse: (file: string, problem: string) => void): Promise<string | undefined> {
  if (!entry.isFile()) {
    refuse(file, 'not a plain file');
    return undefined;
  }
  const stat = await lstat(file);
  if (stat.size > maxBytes) {
    refuse(file, `${stat.size} bytes, over the limit of ${maxBytes} bytes (--max-file-size)`);
    return undefined;
  }
  return readFile(file, 'utf8');
}

/** A checked file's text and its JSON, or undefined once refused (too big, not a file, not JSON). */
async function readJson(file: string, entry: {isFile(): boolean}, maxBytes: number, refuse: (file: string, problem: string) => void): Promise<{text: string; value: unknown} | undefined> {
  const text = await readChecked(file, entry, maxBytes, refuse);
  if (text === undefined) return undefined;
  try {
    return {text, value: JSON.parse(text) as unknown};
  } catch (error) {
    refuse(file, `not JSON: ${(error as Error).message}`);
    return undefined;
  }
}

async function readExisting(file: string): Promise<StoredResult | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as StoredResult;
    return typeof record?.date === 'string' && typeof record.hash === 'string' && record.result ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The report of a merge as lines for a terminal: every refusal and conflict, then the counts. */
export function formatMergeReport(report: MergeReport, dataDir: string): string[] {
  const lines: string[] = [];
  for (const {dir, files} of report.refused) {
    lines.push(`refused ${dir}: nothing of it was merged`);
    for (const {file, problem} of files) lines.push(`  ${file}: ${problem}`);
  }
  for (const conflict of report.conflicts) lines.push(`conflict ${conflict}`);
  const counts = [
    `${report.added} added`,
    `${report.replaced} replaced by newer runs`,
    `${report.keptNewer} older kept out`,
    `${report.unchanged} unchanged`,
    ...(report.failures > 0 ? [`${report.failures} failures kept beside good results`] : []),
    ...(report.manifests > 0 ? [`${report.manifests} shard manifests`] : [])
  ];
  const folders = `${report.merged.length} of ${report.merged.length + report.refused.length} folders merged`;
  lines.push(`benchbook: merge into ${dataDir}: ${folders}; results ${counts.join(', ')}${report.conflicts.length > 0 ? `; ${report.conflicts.length} conflicts` : ''}`);
  return lines;
}
