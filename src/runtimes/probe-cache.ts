/**
 * The probe cache: what each runtime's resolver answered, kept with what the answer depended on.
 * Probing a runtime starts processes (`python3 -c ...`, `go env`, `rustc --print sysroot`), which
 * made a report that runs nothing spend most of its second asking eleven runtimes their versions.
 * An answer is reused only when the runtime's probe key (its files on PATH with their size and
 * modification time, the variables and version files that select it) and PATH itself are
 * unchanged, and the executable it named is still the same file: a reinstalled or switched
 * toolchain is probed again. Missing runtimes are never cached, so installing one is seen at once.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {RuntimeInfo} from '../model/index.js';
import {defaultCacheDir} from '../paths.js';
import {writeFileAtomic} from '../system/atomic-write.js';
import {fileFacts} from '../system/probe.js';
import type {RuntimeEntry} from './types.js';

/** Options of the probe cache. */
export interface ProbeCacheOptions {
  /** The cache file (string, default `node_modules/.cache/benchbook/runtimes.json`); `false` probes every runtime. */
  probeCache?: string | false;
}

/** Where the probe cache lives unless told otherwise. */
export const defaultProbeCacheFile = path.join(defaultCacheDir, 'runtimes.json');

interface CachedAnswer {
  /** PATH and the runtime's probe key when it was probed. */
  key: string;
  info: RuntimeInfo;
  /** `fileFacts` of `info.executable` then. */
  executable: string;
}

/** The cache as read: resolves entries through it and records new answers. */
export interface ProbeCache {
  resolve(entry: RuntimeEntry): Promise<RuntimeInfo | string>;
  /** Answers by runtime name, as they will be written. */
  readonly answers: Record<string, CachedAnswer>;
  /** Whether an answer was added or replaced. */
  changed: boolean;
}

const format = 1;

/** Reads the cache file (a missing or unreadable one is an empty cache: it only costs probes). */
export async function readProbeCache(options: ProbeCacheOptions = {}): Promise<ProbeCache> {
  const file = options.probeCache ?? defaultProbeCacheFile;
  const answers: Record<string, CachedAnswer> = Object.create(null);
  if (file !== false) {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as {format?: unknown; runtimes?: Record<string, unknown>};
      if (parsed.format === format && parsed.runtimes && typeof parsed.runtimes === 'object') {
        for (const [name, answer] of Object.entries(parsed.runtimes)) if (isAnswer(answer, name)) answers[name] = answer;
      }
    } catch {
      // No cache yet, or a damaged one: probe everything and write a new one.
    }
  }
  const cache: ProbeCache = {
    answers,
    changed: false,
    async resolve(entry) {
      if (!entry.probeKey || file === false) return entry.resolve();
      const key = `PATH=${process.env['PATH'] ?? ''}\n${await entry.probeKey()}`;
      const cached = answers[entry.name];
      if (cached && cached.key === key && (await fileFacts(cached.info.executable)) === cached.executable) return cached.info;
      const info = await entry.resolve();
      if (typeof info === 'string') {
        if (cached) {
          delete answers[entry.name];
          cache.changed = true;
        }
        return info;
      }
      answers[entry.name] = {key, info, executable: await fileFacts(info.executable)};
      cache.changed = true;
      return info;
    }
  };
  return cache;
}

/** Writes the cache back when an answer changed (atomically: concurrent reports never read half a file). */
export async function writeProbeCache(cache: ProbeCache, options: ProbeCacheOptions = {}): Promise<void> {
  const file = options.probeCache ?? defaultProbeCacheFile;
  if (file === false || !cache.changed) return;
  try {
    await writeFileAtomic(file, JSON.stringify({format, runtimes: cache.answers}, null, 1) + '\n');
  } catch {
    // A read-only cache folder only costs probes next time.
  }
}

function isAnswer(value: unknown, name: string): value is CachedAnswer {
  const answer = value as Partial<CachedAnswer> | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.key === 'string' &&
    typeof answer.executable === 'string' &&
    typeof answer.info?.executable === 'string' &&
    typeof answer.info.version === 'string' &&
    answer.info.name === name
  );
}
