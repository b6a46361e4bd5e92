import os from 'node:os';
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import type {Machine} from '../model/index.js';

/**
 * Describes this machine. The fingerprint covers what changes a measurement (CPU model, cores,
 * memory, OS, architecture), not the host name, so results from identical CI runners agree.
 * Cores are those this process may run on (its CPU affinity), not every CPU the kernel sees: under
 * `taskset -c 0`, a Slurm allocation or a container's cpuset, the machine is the smaller one.
 */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  const cpu = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const cores = usableCores(cpus.length);
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  const osName = osRelease() ?? `${os.type()} ${os.release()}`;
  const fingerprint = createHash('sha256')
    .update([cpu, cores, memoryGiB, os.platform(), osName, os.arch()].join('\n'))
    .digest('hex')
    .slice(0, 12);
  return {
    fingerprint,
    hostname: os.hostname(),
    cpu,
    cores,
    memoryGiB,
    os: osName,
    kernel: os.release(),
    arch: os.arch(),
    loadavg: Math.round(os.loadavg()[0]! * 100) / 100,
    ...physicalCoresField(),
    ...frequencyScaling()
  };
}

function physicalCoresField(): {physicalCores?: number} {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const allowed = parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(read('/proc/self/status') ?? '')?.[1] ?? '');
  const count = countPhysicalCores({cpuinfo: read('/proc/cpuinfo'), allowed, topology: (cpu) => {
    const core = read(`/sys/devices/system/cpu/cpu${cpu}/topology/core_id`)?.trim();
    const socket = read(`/sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`)?.trim();
    return core === undefined ? undefined : `${socket ?? '0'}:${core}`;
  }});
  return count === undefined ? {} : {physicalCores: count};
}

/** What {@link countPhysicalCores} reads: passed in so it can be tested on other machines' files. */
export interface CpuTopology {
  /** Text of /proc/cpuinfo, when readable. */
  cpuinfo?: string;
  /** CPUs this process may run on (its affinity mask), undefined when unknown: then every CPU. */
  allowed?: Set<number>;
  /** `package:core` of a CPU from /sys, the fallback when /proc/cpuinfo has no `core id`. */
  topology?: (cpu: number) => string | undefined;
}

/**
 * Physical cores among the CPUs a process may run on: hyperthreads of one core count once, and
 * CPUs outside the affinity mask (`taskset`, a container's cpuset) not at all. Undefined when the
 * topology is unknown.
 */
export function countPhysicalCores({cpuinfo, allowed, topology}: CpuTopology): number | undefined {
  const cores = new Set<string>();
  let processors = 0;
  for (const section of (cpuinfo ?? '').split(/\n\s*\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(section)?.[1]?.trim();
    const processor = field('processor');
    if (processor === undefined || !/^\d+$/.test(processor)) continue;
    const cpu = Number(processor);
    if (allowed && !allowed.has(cpu)) continue;
    processors++;
    const core = field('core id');
    const id = core !== undefined ? `${field('physical id') ?? '0'}:${core}` : topology?.(cpu);
    if (id === undefined) return undefined;
    cores.add(id);
  }
  if (processors === 0) return undefined;
  return cores.size;
}

/** Reads a CPU list such as `0-3,8,10-11` (Linux's `Cpus_allowed_list`), or undefined when empty or unreadable. */
export function parseCpuList(text: string): Set<number> | undefined {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) return undefined;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    for (let cpu = from; cpu <= to && cpu - from < 4096; cpu++) cpus.add(cpu);
  }
  return cpus.size > 0 ? cpus : undefined;
}

/**
 * The CPU frequency governor and whether turbo (boost) is on, from Linux's /sys, when readable:
 * absent in most VMs and containers. Not part of the fingerprint: they are settings, not hardware.
 */
function frequencyScaling(): {governor?: string; turbo?: boolean} {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const governor = read('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor');
  // intel_pstate says whether turbo is off; acpi-cpufreq and amd-pstate say whether boost is on.
  const noTurbo = read('/sys/devices/system/cpu/intel_pstate/no_turbo');
  const boost = read('/sys/devices/system/cpu/cpufreq/boost') ?? read('/sys/devices/system/cpu/cpu0/cpufreq/boost');
  const turbo = noTurbo !== undefined ? noTurbo === '0' : boost !== undefined ? boost === '1' : undefined;
  return {...(governor ? {governor} : {}), ...(turbo === undefined ? {} : {turbo})};
}

/**
 * The CPUs this process may run on: Linux's `Cpus_allowed_list` (sched_getaffinity), else Node's
 * `availableParallelism()` (which reads the same affinity where libuv can), else every CPU.
 */
export function usableCores(total: number, status?: string): number {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      text = undefined;
    }
  }
  const list = text === undefined ? undefined : /^Cpus_allowed_list:\s*(\S+)/m.exec(text)?.[1];
  const counted = list === undefined ? undefined : parseCpuList(list)?.size;
  if (counted !== undefined && counted > 0) return counted;
  return Math.max(1, Math.min(total || Infinity, os.availableParallelism()));
}

function osRelease(): string | undefined {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
