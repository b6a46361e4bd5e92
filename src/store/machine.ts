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
    ...frequencyScaling()
  };
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
  const counted = list === undefined ? undefined : countCpuList(list);
  if (counted !== undefined && counted > 0) return counted;
  return Math.max(1, Math.min(total || Infinity, os.availableParallelism()));
}

/** CPUs in a kernel CPU list such as `0-3,8,10-11`; undefined when it does not read as one. */
function countCpuList(list: string): number | undefined {
  let count = 0;
  for (const part of list.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return undefined;
    count += to - from + 1;
  }
  return count;
}

function osRelease(): string | undefined {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
