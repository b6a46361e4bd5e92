import {formatDuration, formatMedian} from '../model/index.js';
import type {RunEvent} from './index.js';

/** The log line of an event (`running mixed/py`, `done    mixed/py in 0.52 s: median 1.2 µs`), or undefined for `queued` and `phase`. */
export function formatEvent(event: RunEvent): string | undefined {
  const label = `${event.notebook}/${event.key}`;
  switch (event.type) {
    case 'queued':
    case 'phase':
      return undefined;
    case 'running':
      return `running ${label}${event.why ? ` (${event.why})` : ''}`;
    case 'built':
      return `built   ${label}: libraries ${event.libraries.join(', ')} in ${formatDuration(event.durationMs)}`;
    case 'done':
      return `done    ${label} in ${formatDuration(event.durationMs)}${event.stored.stats ? `: median ${formatMedian(event.stored.stats)}` : ''}`;
    case 'failed':
      return `failed  ${label}: ${event.reason}`;
    case 'reused':
      return `reused  ${label}`;
    case 'skipped':
      return `skipped ${label}: ${event.reason}`;
  }
}
