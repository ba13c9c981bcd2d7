/**
 * When to compact on a timer. History is kept for a time window (so a client that lists, then watches
 * a little later, can still resume) and for a minimum number of revisions (so a quiet store keeps some).
 * The planner samples the current revision at each tick and compacts up to the newest sample that has left
 * the time window.
 */

import { BackendClosedError } from "./backend.js";

/** Settings of periodic compaction. */
export interface CompactionOptions {
  /** How often to compact, in milliseconds; 0 turns periodic compaction off. Default 60 s. */
  intervalMs?: number;
  /** Keep every change newer than this many milliseconds. Default 5 minutes. */
  retainMs?: number;
  /** Keep at least this many of the latest revisions. Default 1,000. */
  minRevisions?: number;
}

/** The defaults of CompactionOptions. */
export const DEFAULT_COMPACTION: Required<CompactionOptions> = {
  intervalMs: 60_000,
  retainMs: 5 * 60_000,
  minRevisions: 1_000,
};

interface Sample {
  at: number;
  revision: number;
}

/** Picks compaction targets from revision samples; pure, so it is tested with a fake clock. */
export class CompactionPlanner {
  readonly #retainMs: number;
  readonly #minRevisions: number;
  #samples: Sample[] = [];

  constructor(opts: CompactionOptions = {}) {
    this.#retainMs = opts.retainMs ?? DEFAULT_COMPACTION.retainMs;
    this.#minRevisions = opts.minRevisions ?? DEFAULT_COMPACTION.minRevisions;
    if (!(this.#retainMs >= 0) || !(this.#minRevisions >= 0)) {
      throw new RangeError(
        "Cannot plan compaction: retainMs and minRevisions must be non-negative",
      );
    }
  }

  /** Notes that the store was at `revision` at time `now` (milliseconds). */
  record(now: number, revision: number): void {
    const last = this.#samples[this.#samples.length - 1];
    if (last && last.revision === revision) return;
    this.#samples.push({ at: now, revision });
  }

  /**
   * The revision to compact up to at time `now`, or 0 for none: the newest sample older than the time
   * window, capped to leave `minRevisions` revisions before `currentRevision`.
   */
  target(now: number, currentRevision: number): number {
    const cutoff = now - this.#retainMs;
    let chosen = -1;
    for (let i = 0; i < this.#samples.length && (this.#samples[i] as Sample).at <= cutoff; i++) {
      chosen = i;
    }
    if (chosen < 0) return 0;

    const sample = this.#samples[chosen] as Sample;
    // Older samples can never be chosen again; the chosen one stays in case the cap held it back.
    this.#samples = this.#samples.slice(chosen);
    return Math.max(0, Math.min(sample.revision, currentRevision - this.#minRevisions));
  }
}

/** Checks CompactionOptions, throwing RangeError for a negative or non-numeric setting. */
export function checkCompactionOptions(opts: CompactionOptions): Required<CompactionOptions> {
  const full = { ...DEFAULT_COMPACTION, ...stripUndefined(opts) };
  for (const [name, value] of Object.entries(full)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Cannot use compaction ${name} ${String(value)}: expected a number >= 0`,
      );
    }
  }
  return full;
}

function stripUndefined(opts: CompactionOptions): CompactionOptions {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}

/** What a CompactionTimer drives: a backend's revisions and its compact(). */
export interface Compactable {
  revisionNow(): number;
  compactedNow(): number;
  compact(revision: number): Promise<void>;
}

/** Compacts a store on an unref'd interval timer, as CompactionOptions say; failures go to `onError`. */
export class CompactionTimer {
  readonly #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    opts: Required<CompactionOptions>,
    store: Compactable,
    onError: (err: unknown) => void,
    now: () => number = Date.now,
  ) {
    if (opts.intervalMs === 0) return;
    const planner = new CompactionPlanner(opts);
    planner.record(now(), store.revisionNow());
    this.#timer = setInterval(() => {
      if (this.#running) return;
      planner.record(now(), store.revisionNow());
      const target = planner.target(now(), store.revisionNow());
      if (target <= store.compactedNow()) return;
      this.#running = true;
      store
        .compact(target)
        .catch((err: unknown) => {
          // Closing the store mid-compaction is a normal shutdown, not a failure to report.
          if (!(err instanceof BackendClosedError)) onError(err);
        })
        .finally(() => (this.#running = false));
    }, opts.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer; a compaction already running finishes on its own. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
