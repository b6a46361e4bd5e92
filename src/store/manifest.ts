import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {Machine} from '../model/index.js';
import {packageRoot} from '../paths.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {isFingerprint, isPlainName, machineProblemOf, storedFormat} from './validate.js';

/** What one run of a shard came to. */
export interface ShardRun {
  key: string;
  hash: string;
  /** `run` measured now, `reused` a stored current result, `failed`, or `skipped` (runtime missing, time limit). */
  status: 'run' | 'reused' | 'failed' | 'skipped';
}

/**
 * The small file a shard writes beside its results (`<data>/shards/<fingerprint>/<K>-of-<N>.json`):
 * which notebooks and runs it measured, where, with what, so a merge can say what it took in.
 */
export interface ShardManifest {
  format: typeof storedFormat;
  kind: 'benchbook-shard';
  /** ISO date the shard finished. */
  date: string;
  profile: string;
  shard: {index: number; count: number};
  machine: Machine;
  versions: {benchbook: string; node: string; runtimes: Record<string, string>};
  notebooks: Array<{name: string; runs: ShardRun[]}>;
}

/** Folder of the shard manifests inside a data folder (notebook folders sit beside it, as `baselines/` does). */
export const manifestFolder = 'shards';

/** Where a shard's manifest goes. */
export function manifestFile(dataDir: string, fingerprint: string, shard: {index: number; count: number}): string {
  return path.join(dataDir, manifestFolder, fingerprint, `${shard.index}-of-${shard.count}.json`);
}

/** This benchbook's version, from its package.json. */
export function benchbookVersion(): string {
  try {
    return String((JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version?: unknown}).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Writes a shard's manifest atomically and returns its path. */
export async function writeShardManifest(dataDir: string, manifest: ShardManifest): Promise<string> {
  const file = manifestFile(dataDir, manifest.machine.fingerprint, manifest.shard);
  await writeFileAtomic(file, JSON.stringify(manifest, null, 1) + '\n');
  return file;
}

/** The first problem of a manifest read from `<fingerprint>/<name>`, or undefined when well formed. */
export function manifestProblem(value: unknown, fingerprint: string, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const manifest = value as Partial<ShardManifest>;
  if (manifest.format !== storedFormat || manifest.kind !== 'benchbook-shard') return `unknown manifest format ${JSON.stringify(manifest.format)} (this benchbook reads format ${storedFormat})`;
  const shard = manifest.shard;
  if (!shard || !Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.index < 1 || shard.index > shard.count) return 'shard is not {index, count} with 1 <= index <= count';
  if (name !== `${shard.index}-of-${shard.count}.json`) return `its shard ${shard.index}/${shard.count} does not match the file name`;
  const machine = machineProblemOf(manifest.machine);
  if (machine) return machine;
  if (!isFingerprint(fingerprint) || manifest.machine!.fingerprint !== fingerprint) return `its machine ${JSON.stringify(manifest.machine!.fingerprint)} is not the folder it is in (${fingerprint})`;
  if (typeof manifest.profile !== 'string' || typeof manifest.date !== 'string' || Number.isNaN(Date.parse(manifest.date))) return 'profile or date missing';
  const versions = manifest.versions;
  if (!versions || typeof versions.benchbook !== 'string' || typeof versions.node !== 'string' || typeof versions.runtimes !== 'object' || versions.runtimes === null) return 'versions are not {benchbook, node, runtimes}';
  if (!Array.isArray(manifest.notebooks)) return 'notebooks is not a list';
  for (const notebook of manifest.notebooks) {
    if (typeof notebook?.name !== 'string' || !isPlainName(notebook.name) || !Array.isArray(notebook.runs)) return `notebook ${JSON.stringify(notebook?.name)} is not a plain name with runs`;
    if (!notebook.runs.every((run) => typeof run?.key === 'string' && typeof run.hash === 'string' && ['run', 'reused', 'failed', 'skipped'].includes(run.status))) return `a run of ${notebook.name} is not {key, hash, status}`;
  }
  return undefined;
}
