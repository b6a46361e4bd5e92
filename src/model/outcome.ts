import type {StoredResult} from './stored.js';

/** A block's outcome as the page shows it: a stored result, or why there is none. */
export interface BlockOutcome {
  key: string;
  /** The stored result shown (absent when the block never ran or was skipped). */
  stored?: StoredResult;
  /** Set when the block was skipped on this run (runtime missing, `--from-data` without data). */
  skipped?: string;
  /**
   * Set when `stored` is not this build's measurement of the current code: why (the run was skipped,
   * its re-run failed, `--filter` left it out). Every stage shows such a result as stale, with its
   * date and machine, and claims say they rest on it.
   */
  stale?: string;
  /**
   * A failed re-run whose good predecessor is still shown in `stored`: the page marks the stored
   * result stale and shows this error beside it.
   */
  failure?: StoredResult;
}
