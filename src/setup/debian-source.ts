import {createHash} from 'node:crypto';
import {createReadStream, existsSync} from 'node:fs';
import {mkdir, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {findOnPath} from '../system/probe.js';
import {runProcess, type ProcessResult} from '../system/run-process.js';

/** The keyring Debian's archive is signed with; on bookworm it holds the keys of trixie too. */
export const debianKeyring = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** Options of {@link fetchDebianSource}. */
export interface DebianSourceOptions {
  /** The source package, e.g. `python3.13`. */
  package: string;
  /** The suite that carries it, e.g. `trixie`. */
  suite: string;
  /**
   * A folder of our own for apt's state (source list, package lists, caches) and the downloads, so that
   * neither root nor sudo is needed and the machine's apt configuration is left alone.
   */
  dir: string;
  /** The Debian mirror (default: the one the machine's apt uses, see {@link debianMirror}). */
  mirror?: string;
  /** The keyring the suite is signed with (default {@link debianKeyring}). */
  keyring?: string;
  /** Limit for each apt-get command (default 10 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** A downloaded Debian source package. */
export interface DebianSource {
  /** The Debian version, e.g. `3.13.5-2+deb13u5`. */
  version: string;
  /** The upstream version, e.g. `3.13.5`. */
  upstreamVersion: string;
  /** The upstream tarball as Debian ships it, e.g. `python3.13_3.13.5.orig.tar.xz`. */
  orig: string;
  /** Its sha256, as apt checked it against the suite's signed index. */
  sha256: string;
  /** Whether it was downloaded now (false: found in `dir` from an earlier run). */
  downloaded: boolean;
  durationMs: number;
}

/**
 * Downloads a source package with `apt-get source --download-only` from a `deb-src` entry of our own
 * (signed by `keyring`), through apt's `-o Dir::...` options, so that it works as any user. apt checks
 * every file against the suite's signed `Sources` index. Reuses an earlier download of the same package
 * without running apt at all: a second setup does not touch the network. Never throws: a failure is a
 * one-line reason.
 */
export async function fetchDebianSource(options: DebianSourceOptions): Promise<DebianSource | string> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const downloads = path.join(options.dir, 'sources', options.package);
  const stampPath = path.join(downloads, '.benchbook-source.json');
  const previous = await readSourceStamp(stampPath);
  if (previous && existsSync(previous.orig) && (await sha256File(previous.orig)) === previous.sha256) {
    return {...previous, downloaded: false, durationMs: performance.now() - started};
  }

  const aptGet = await findOnPath('apt-get');
  if (!aptGet) return `no apt-get here to download Debian's ${options.package} source`;
  const keyring = options.keyring ?? debianKeyring;
  if (!existsSync(keyring)) return `${keyring} is missing, so Debian's ${options.suite} index cannot be checked: install debian-archive-keyring`;
  const mirror = options.mirror ?? (await debianMirror());
  if (!mirror) return 'no Debian mirror in /etc/apt/sources.list or /etc/apt/sources.list.d: add one, or pass its URL';

  const config = await writeAptConfig(options.dir, sourceList({mirror, suite: options.suite, keyring}));
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  log(`source   apt-get update (deb-src ${mirror} ${options.suite}, in ${path.relative(process.cwd(), options.dir) || options.dir})`);
  const update = await runProcess(aptGet, [...aptOptions(config), 'update'], {timeoutMs});
  // apt-get update exits 0 even when an index could not be fetched; its "W:"/"E:" lines say so.
  const updateProblem = aptProblem(update);
  if (updateProblem) return `apt-get update of Debian ${options.suite}'s sources failed: ${updateProblem}`;

  await rm(downloads, {recursive: true, force: true});
  await mkdir(downloads, {recursive: true});
  log(`source   apt-get source --download-only ${options.package}`);
  const source = await runProcess(aptGet, [...aptOptions(config), 'source', '--download-only', options.package], {cwd: downloads, timeoutMs});
  if (source.exitCode !== 0) return `apt-get source --download-only ${options.package} failed: ${aptProblem(source) ?? `exit code ${source.exitCode}`}`;

  const files = await readdir(downloads);
  const dsc = files.find((file) => file.startsWith(`${options.package}_`) && file.endsWith('.dsc'));
  const orig = files.find((file) => file.startsWith(`${options.package}_`) && /\.orig\.tar\.(xz|gz|bz2)$/.test(file));
  if (!dsc || !orig) return `apt-get source ${options.package} left no .dsc and .orig tarball in ${downloads} (saw ${files.join(', ') || 'nothing'})`;
  const version = /^Version: (\S+)$/m.exec(await readFile(path.join(downloads, dsc), 'utf8'))?.[1];
  if (!version) return `${dsc} has no Version: line`;
  const stamp: SourceStamp = {
    version,
    upstreamVersion: upstreamOf(version),
    orig: path.join(downloads, orig),
    sha256: await sha256File(path.join(downloads, orig))
  };
  await writeFile(`${stampPath}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
  await rename(`${stampPath}.tmp`, stampPath);
  return {...stamp, downloaded: true, durationMs: performance.now() - started};
}

/** The files and folders of our own apt configuration. */
export interface AptConfig {
  sourceList: string;
  /** An empty folder: the machine's `sources.list.d` is left out. */
  sourceParts: string;
  lists: string;
  cache: string;
}

/** Writes `list` as the only source list of an apt configuration under `dir`, with its state folders. */
export async function writeAptConfig(dir: string, list: string): Promise<AptConfig> {
  const config: AptConfig = {
    sourceList: path.join(dir, 'sources.list'),
    sourceParts: path.join(dir, 'sources.list.d'),
    lists: path.join(dir, 'lists'),
    cache: path.join(dir, 'cache')
  };
  for (const folder of [config.sourceParts, path.join(config.lists, 'partial'), path.join(config.cache, 'archives', 'partial')]) {
    await mkdir(folder, {recursive: true});
  }
  await writeFile(config.sourceList, list);
  return config;
}

/** apt-get's options that make it use `config` instead of the machine's sources, lists and caches. */
export function aptOptions(config: AptConfig): string[] {
  const settings = [
    `Dir::Etc::SourceList=${config.sourceList}`,
    `Dir::Etc::SourceParts=${config.sourceParts}`,
    `Dir::State::Lists=${config.lists}`,
    `Dir::Cache=${config.cache}`,
    // As root, apt downloads as the _apt user, which cannot write into a folder of ours: download as ourselves.
    ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : [])
  ];
  return settings.flatMap((setting) => ['-o', setting]);
}

/** A one-line `deb-src` entry, signed by `keyring`. */
export function sourceList(entry: {mirror: string; suite: string; keyring: string; components?: string[]}): string {
  return `deb-src [signed-by=${entry.keyring}] ${entry.mirror} ${entry.suite} ${(entry.components ?? ['main']).join(' ')}\n`;
}

/**
 * The URL of the Debian archive the machine's apt uses (its `deb` entries of Debian's own suites, in
 * one-line `.list` or deb822 `.sources` files under `etcDir`), so that a local mirror is used when
 * there is one. `undefined` when none is configured.
 */
export async function debianMirror(etcDir = '/etc/apt'): Promise<string | undefined> {
  const files = [path.join(etcDir, 'sources.list')];
  const parts = await readdir(path.join(etcDir, 'sources.list.d')).catch(() => [] as string[]);
  files.push(...parts.filter((file) => file.endsWith('.list') || file.endsWith('.sources')).sort().map((file) => path.join(etcDir, 'sources.list.d', file)));
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const uris = file.endsWith('.sources')
      ? [...text.matchAll(/^URIs:\s*(.+)$/gim)].flatMap((match) => match[1]!.trim().split(/\s+/))
      : [...text.matchAll(/^\s*deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)].map((match) => match[1]!);
    // The main archive, not debian-security, debian-ports or a third party's.
    const mirror = uris.find((uri) => /^https?:\/\/.+\/debian\/?$/.test(uri));
    if (mirror) return mirror.replace(/\/$/, '');
  }
  return undefined;
}

/** The upstream part of a Debian version: `3.13.5` of `3.13.5-2+deb13u5` (and of `1:3.13.5-2`). */
export function upstreamOf(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

/** The sha256 of a file, in hex. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

type SourceStamp = Omit<DebianSource, 'downloaded' | 'durationMs'>;

async function readSourceStamp(file: string): Promise<SourceStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(file, 'utf8')) as Partial<SourceStamp>;
    if (typeof stamp.version === 'string' && typeof stamp.upstreamVersion === 'string' && typeof stamp.orig === 'string' && typeof stamp.sha256 === 'string') {
      return stamp as SourceStamp;
    }
  } catch {
    // No stamp: downloaded anew.
  }
  return undefined;
}

/** The first `E:` line apt printed, else the first `W:` line about a failed fetch, else `undefined`. */
function aptProblem(result: ProcessResult): string | undefined {
  if (result.timedOut) return 'timed out';
  if (result.spawnError) return `could not start (${result.spawnError})`;
  const said = `${result.stderr}\n${result.stdout}`.split('\n').map((line) => line.trim());
  const error = said.find((line) => line.startsWith('E:'));
  if (error) return error;
  const failedFetch = said.find((line) => line.startsWith('W:') && /Failed to fetch|not signed|NO_PUBKEY|could not be verified/i.test(line));
  if (failedFetch) return failedFetch;
  return result.exitCode === 0 ? undefined : `exit code ${result.exitCode}`;
}
