import os from 'node:os';
import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import type {Machine} from '../model/index.js';

/**
 * Describes this machine. The fingerprint covers what changes a measurement (CPU model, cores,
 * memory, OS, architecture), not the host name, so results from identical CI runners agree.
 */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  const cpu = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const cores = cpus.length;
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

function osRelease(): string | undefined {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
