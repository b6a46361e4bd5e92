/**
 * How many processes, and how many samples in each, a block's measurement takes: Kalibera and
 * Jones's dimensioning ("Rigorous benchmarking in reasonable time", ISMM 2013). A short pilot of a
 * few processes gives the variance at each level (samples within a process, process means between
 * processes) and what each level costs (starting a process, calibrating and warming up, versus one
 * more sample). The optimal number of samples per process balances the two:
 * r = sqrt((processCost / sampleCost) * (within / between)); the number of processes is the
 * smallest that brings the median's interval to the wanted precision, within the time budget.
 */
import type {MeasureDesign} from '../model/index.js';
import {varianceComponents} from './hierarchical.js';

/** What the pilot processes measured. */
export interface PilotFigures {
  /** Steady samples of each pilot process (ns per call). */
  groups: number[][];
  /** Wall time of each pilot process, start to exit, ms (start-up, calibration, warm-up and samples). */
  processMs: number[];
  /** How long one sample lasts, ms (a sample is `loops` calls). */
  sampleMs: number;
}

/** The bounds of a design. */
export interface DesignSettings {
  /** Samples per process at least (the block's `repeat`). */
  repeat: number;
  /** Processes at least, pilot included (default 3: fewer says nothing of the spread between processes). */
  minProcesses?: number;
  /** Processes at most (default 40). */
  maxProcesses?: number;
  /** Samples per process at most (default 8 x `repeat`). */
  maxRepeat?: number;
  /** Time allowed for the whole measurement, ms. */
  budgetMs: number;
  /** Time the pilot already took, ms. */
  spentMs: number;
  /** Wanted half-width of the median's 95% interval, as a fraction of it (default 0.01). */
  precision?: number;
}

/** The design for the rest of a measurement after its pilot. */
export function chooseDesign(pilot: PilotFigures, settings: DesignSettings): MeasureDesign {
  const precision = settings.precision ?? 0.01;
  const minProcesses = Math.max(pilot.groups.length, settings.minProcesses ?? 3);
  const maxProcesses = Math.max(minProcesses, settings.maxProcesses ?? 40);
  const repeat = Math.max(1, settings.repeat);
  const maxRepeat = Math.max(repeat, settings.maxRepeat ?? 8 * repeat);
  const components = varianceComponents(pilot.groups);
  const {within, mean} = components;
  // A handful of pilot processes can show no spread between them by chance; real processes differ
  // by layout and placement by about half a percent at least, so that is the least assumed.
  const between = Math.max(components.between, (0.005 * mean) ** 2);
  const perProcess = pilot.groups.reduce((sum, group) => sum + group.length, 0) / Math.max(1, pilot.groups.length);
  const sampleMs = Math.max(1e-3, pilot.sampleMs);
  // What a process costs besides its steady samples: start-up, calibration, warm-up, writing its result.
  const processMs = Math.max(sampleMs, average(pilot.processMs) - perProcess * sampleMs);
  const optimal = between > 0 ? Math.sqrt((processMs / sampleMs) * (within / between)) : maxRepeat;
  const samplesPerProcess = clamp(Math.round(optimal), repeat, maxRepeat);
  const variancePerProcess = between + within / samplesPerProcess;
  const wanted = mean > 0 ? Math.ceil((1.96 ** 2 * variancePerProcess) / (precision * mean) ** 2) : minProcesses;
  const perNewProcessMs = processMs + samplesPerProcess * sampleMs;
  const affordable = pilot.groups.length + Math.floor(Math.max(0, settings.budgetMs - settings.spentMs) / perNewProcessMs);
  const processes = clamp(Math.min(wanted, affordable), minProcesses, maxProcesses);
  const percent = (value: number) => (mean > 0 ? `${((100 * Math.sqrt(value)) / mean).toFixed(1)}%` : '–');
  const limit = wanted <= affordable ? `±${(precision * 100).toFixed(0)}% needs ${Math.max(wanted, 1)}` : `the ${formatSeconds(settings.budgetMs)} budget allows ${Math.max(affordable, pilot.groups.length)} (±${(precision * 100).toFixed(0)}% would need ${wanted})`;
  return {
    mode: 'auto',
    processes,
    samplesPerProcess,
    within,
    between,
    processMs,
    sampleMs,
    budgetMs: settings.budgetMs,
    reason: `${processes} processes × ${samplesPerProcess} samples: ${limit}; spread between processes ${percent(between)}, within ${percent(within)}`
  };
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
