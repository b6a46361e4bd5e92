/**
 * How quiet the machine is before measuring: what a result's spread owes to the machine rather than
 * to the code. pyperf's `system show` and hyperfine's warnings ask the same questions: load, other
 * busy processes, the CPU frequency governor and turbo, simultaneous multithreading, and whether this
 * is a virtual machine (a hypervisor may steal time). Linux only; elsewhere what cannot be read is
 * left out. Each finding that matters comes with what to do.
 */
import {readdir, readFile} from 'node:fs/promises';
import os from 'node:os';

import type {BusyProcess, NoiseReport} from '../model/index.js';

export type {BusyProcess, NoiseReport} from '../model/index.js';

/** Options of {@link checkNoise}. */
export interface NoiseOptions {
  /** How long to watch the other processes, ms (default 200). */
  watchMs?: number;
  /** Processes of ours, left out of `busy` (default: this process). */
  ownPids?: number[];
}

/** Looks at the machine for {@link NoiseOptions.watchMs}; never throws. */
export async function checkNoise(options: NoiseOptions = {}): Promise<NoiseReport> {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const loadavg = Math.round(os.loadavg()[0]! * 100) / 100;
  const own = new Set([process.pid, process.ppid, ...(options.ownPids ?? [])]);
  const busy = await busyProcesses(options.watchMs ?? 200, own);
  const governor = await readText('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor');
  const noTurbo = await readText('/sys/devices/system/cpu/intel_pstate/no_turbo');
  const boost = (await readText('/sys/devices/system/cpu/cpufreq/boost')) ?? (await readText('/sys/devices/system/cpu/cpu0/cpufreq/boost'));
  const turbo = noTurbo !== undefined ? noTurbo === '0' : boost !== undefined ? boost === '1' : undefined;
  const smtActive = await readText('/sys/devices/system/cpu/smt/active');
  const smt = smtActive === undefined ? undefined : smtActive === '1';
  const virtualization = await hypervisor();
  const report: NoiseReport = {
    loadavg,
    cpus,
    busy,
    ...(governor ? {governor} : {}),
    ...(turbo === undefined ? {} : {turbo}),
    ...(smt === undefined ? {} : {smt}),
    ...(virtualization ? {virtualization} : {}),
    warnings: []
  };
  report.warnings = noiseWarnings(report);
  return report;
}

/** The warnings of a report: pure, so they can be tested on made-up machines. */
export function noiseWarnings(report: Omit<NoiseReport, 'warnings'>): string[] {
  const warnings: string[] = [];
  if (report.loadavg >= Math.max(1, report.cpus * 0.5)) {
    warnings.push(`load average ${report.loadavg} on ${report.cpus} CPUs: other work shares the CPUs and widens every interval; measure on a quieter machine, or expect noisy figures`);
  }
  const heavy = report.busy.filter((process) => process.cpuPercent >= 20);
  if (heavy.length > 0) {
    const named = heavy.map((process) => `${process.name} (${process.pid}, ${Math.round(process.cpuPercent)}%)`).join(', ');
    warnings.push(`busy processes while measuring: ${named}; stop them, or measure elsewhere`);
  }
  if (report.governor !== undefined && report.governor !== 'performance') {
    warnings.push(`CPU frequency governor ${report.governor}: the clock speed moves with the load; set it to performance (cpupower frequency-set -g performance) for steadier timings`);
  }
  if (report.turbo === true) warnings.push('turbo boost is on: the clock speed depends on temperature and other cores; turn it off for steadier timings, or keep it on and compare only runs taken alike');
  if (report.virtualization !== undefined) warnings.push(`virtual machine (${report.virtualization}): the hypervisor may take CPU time away at any moment; prefer bare metal for small differences`);
  return warnings;
}

/** Processes that used the CPU while we watched, busiest first, from two readings of /proc/<pid>/stat. */
async function busyProcesses(watchMs: number, own: Set<number>): Promise<BusyProcess[]> {
  const first = await cpuTimes();
  if (first.size === 0) return [];
  await new Promise((resolve) => setTimeout(resolve, watchMs));
  const second = await cpuTimes();
  const ticksPerSecond = 100;
  const busy: BusyProcess[] = [];
  for (const [pid, after] of second) {
    const before = first.get(pid);
    if (!before || own.has(pid)) continue;
    const cpuPercent = (((after.ticks - before.ticks) / ticksPerSecond) * 1000 * 100) / watchMs;
    if (cpuPercent > 5) busy.push({pid, name: after.name, cpuPercent: Math.round(cpuPercent)});
  }
  return busy.sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, 5);
}

/** User plus system CPU ticks of every process, by pid (empty where /proc is not there). */
async function cpuTimes(): Promise<Map<number, {name: string; ticks: number}>> {
  const times = new Map<number, {name: string; ticks: number}>();
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return times;
  }
  await Promise.all(
    entries.map(async (entry) => {
      const stat = await readText(`/proc/${entry}/stat`);
      if (!stat) return;
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) times.set(Number(entry), {name: stat.slice(open + 1, close), ticks});
    })
  );
  return times;
}

/** The hypervisor's vendor when the CPU says it runs under one (the `hypervisor` flag), from /sys or dmi. */
async function hypervisor(): Promise<string | undefined> {
  const cpuinfo = await readText('/proc/cpuinfo');
  if (!cpuinfo || !/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) return undefined;
  const vendor = (await readText('/sys/hypervisor/type')) ?? (await readText('/sys/class/dmi/id/sys_vendor')) ?? (await readText('/sys/class/dmi/id/product_name'));
  return vendor && vendor !== '' ? vendor : 'a hypervisor';
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}
