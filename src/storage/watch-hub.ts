/**
 * The watcher registry both backends share. A backend publishes each committed batch of changes here; a
 * watch that starts behind the current revision first replays the backend's log in bounded slices, and
 * live changes that arrive meanwhile are held back until the replay catches up, so every watcher sees each
 * revision once, in order, with no gap between the replayed and the live part.
 */

import type { Watch, WatchEvent, WatchOptions } from "./backend.js";
import { CompactedError } from "./backend.js";

/** One slice of a backend's log: every change under the prefix up to revision `readTo`. */
export interface ChangeSlice {
  events: WatchEvent[];
  readTo: number;
}

/** Where replayed changes come from: a backend's log. */
export interface ChangeSource {
  /**
   * Changes under `prefix` with revisions in (after, upTo], in revision order. May stop early to bound the
   * work of one call; `readTo` says how far it read. A backend whose log lives elsewhere (another
   * thread) answers with a promise; live changes are held back meanwhile as during any replay.
   */
  readChanges(prefix: string, after: number, upTo: number): ChangeSlice | Promise<ChangeSlice>;
}

interface Watcher {
  prefix: string;
  opts: WatchOptions;
  /** The revision of the last change delivered (or skipped as not matching). */
  position: number;
  /** While replaying: the revision the replay runs up to; live changes past it wait in `held`. */
  replayTo: number | undefined;
  held: WatchEvent[];
  stopped: boolean;
}

/** Fans committed changes out to watchers, replaying history for those that start behind. */
export class WatchHub {
  readonly #source: ChangeSource;
  readonly #watchers = new Set<Watcher>();

  constructor(source: ChangeSource) {
    this.#source = source;
  }

  /** How many watches are running. */
  get size(): number {
    return this.#watchers.size;
  }

  /**
   * Starts a watch of `prefix` from `opts.afterRevision`; `currentRevision` is the last revision already
   * published. The caller has checked the start against the compacted revision.
   */
  add(prefix: string, opts: WatchOptions, currentRevision: number): Watch {
    const behind = opts.afterRevision < currentRevision;
    const w: Watcher = {
      prefix,
      opts,
      position: opts.afterRevision,
      replayTo: behind ? currentRevision : undefined,
      held: [],
      stopped: false,
    };
    this.#watchers.add(w);
    if (behind) setImmediate(() => this.#replayStep(w));
    return {
      stop: () => {
        w.stopped = true;
        this.#watchers.delete(w);
      },
    };
  }

  /** Hands a committed batch of changes, in revision order, to every watcher. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.#watchers) {
      if (w.replayTo !== undefined) {
        for (const e of events) if (e.kv.key.startsWith(w.prefix)) w.held.push(e);
      } else {
        this.#deliver(w, events);
      }
    }
  }

  /** Fails every watcher still replaying history older than `revision`, which compaction is dropping. */
  compacted(revision: number): void {
    for (const w of this.#watchers) {
      if (w.replayTo !== undefined && w.position < revision) {
        this.#fail(w, new CompactedError(w.position, revision));
      }
    }
  }

  /** Ends every watch with `err`. */
  closeAll(err: Error): void {
    for (const w of [...this.#watchers]) this.#fail(w, err);
  }

  #replayStep(w: Watcher): void {
    if (w.stopped || w.replayTo === undefined) return;

    let slice: ChangeSlice | Promise<ChangeSlice>;
    try {
      slice = this.#source.readChanges(w.prefix, w.position, w.replayTo);
    } catch (err) {
      this.#fail(w, toError(err));
      return;
    }
    if (slice instanceof Promise) {
      slice.then(
        (s) => this.#replayed(w, s),
        (err: unknown) => this.#fail(w, toError(err)),
      );
    } else {
      this.#replayed(w, slice);
    }
  }

  /** Delivers one replayed slice, then reads the next or switches the watcher to live changes. */
  #replayed(w: Watcher, slice: ChangeSlice): void {
    if (w.stopped || w.replayTo === undefined) return;
    this.#deliver(w, slice.events);
    if (w.stopped) return;
    w.position = Math.max(w.position, slice.readTo);

    if (w.position < w.replayTo) {
      setImmediate(() => this.#replayStep(w));
      return;
    }
    w.replayTo = undefined;
    const held = w.held;
    w.held = [];
    this.#deliver(w, held);
  }

  #deliver(w: Watcher, events: readonly WatchEvent[]): void {
    if (w.stopped) return;
    const fresh = events.filter(
      (e) => e.kv.modRevision > w.position && e.kv.key.startsWith(w.prefix),
    );
    if (fresh.length === 0) return;
    w.position = (fresh[fresh.length - 1] as WatchEvent).kv.modRevision;
    try {
      w.opts.onEvents(fresh);
    } catch (err) {
      // A throwing consumer would otherwise break the commit path; its watch ends instead.
      this.#fail(w, toError(err));
    }
  }

  #fail(w: Watcher, err: Error): void {
    if (w.stopped) return;
    w.stopped = true;
    this.#watchers.delete(w);
    if (!w.opts.onError) return;
    try {
      w.opts.onError(err);
    } catch {
      // The watch is already over; an error from its error handler has nowhere left to go.
    }
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
