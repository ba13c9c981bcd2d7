/**
 * A Backend held in memory, for tests and for `kates server --storage memory`. It keeps the current values
 * in a map plus a sorted key list, and every change since the compacted revision in an array indexed by
 * revision, from which it serves watches and lists at past revisions. Nothing survives the process.
 */

import type {
  Backend,
  KeyValue,
  ListOptions,
  ListResult,
  Watch,
  WatchEvent,
  WatchOptions,
  WriteResult,
} from "../backend.js";
import { SortedKeys } from "../sorted-keys.js";
import { BackendClosedError, CompactedError, FutureRevisionError } from "../backend.js";
import type { CompactionOptions } from "../compaction-planner.js";
import { checkCompactionOptions, CompactionTimer } from "../compaction-planner.js";
import {
  checkKey,
  checkPrefix,
  checkRevision,
  checkStartKey,
  compareKeys,
  keyRange,
} from "../keys.js";
import { WatchHub } from "../watch-hub.js";
import type { WriteReply, WriteRequest } from "../write.js";
import { checkWriteRequest, planWrite, replyFor } from "../write.js";

/** Settings of a MemoryBackend. */
export interface MemoryBackendOptions {
  /** Periodic compaction; by default every 60 s, keeping 5 minutes and at least 1,000 revisions. */
  compaction?: CompactionOptions;
  /** Receives errors of background compaction, which has no caller to throw to. */
  onBackgroundError?: (err: unknown) => void;
}

// A watch replay slice covers at most this many revisions, so one slow watcher cannot stall the loop.
const REPLAY_SLICE = 1000;

/** The in-memory Backend: same contract as the SQLite one, without durability across processes. */
export class MemoryBackend implements Backend {
  readonly #values = new Map<string, KeyValue>();
  /** Every current key, sorted by compareKeys. */
  readonly #keys = new SortedKeys();
  /** The change of revision r sits at index r - #compacted - 1. */
  #log: WatchEvent[] = [];
  #revision = 0;
  #compacted = 0;
  #closed = false;
  /** Changes applied but not yet handed to watchers; published together once the current tick ends. */
  #unpublished: WatchEvent[] = [];
  readonly #hub: WatchHub;
  readonly #timer: CompactionTimer;

  constructor(opts: MemoryBackendOptions = {}) {
    this.#hub = new WatchHub({ readChanges: (p, a, u) => this.#readChanges(p, a, u) });
    this.#timer = new CompactionTimer(
      checkCompactionOptions(opts.compaction ?? {}),
      {
        revisionNow: () => this.#revision,
        compactedNow: () => this.#compacted,
        compact: (revision) => this.compact(revision),
      },
      opts.onBackgroundError ?? (() => {}),
    );
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#checkOpen();
    checkKey(key);
    return this.#values.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkPrefix(prefix);
    checkStartKey(opts.startKey);
    const revision = this.#readRevision(opts.revision);
    const limit = opts.limit ?? 0;
    checkRevision(limit, "limit");
    const { from, to } = keyRange(prefix, opts.startKey);

    const items: KeyValue[] = [];
    const keys =
      revision === this.#revision ? this.#keys.range(from, to) : this.#keysAt(revision, from, to);
    const lookup = revision === this.#revision ? this.#lookupNow : this.#lookupAt(revision);
    for (const key of keys) {
      const kv = lookup(key);
      if (!kv) continue;
      if (limit > 0 && items.length === limit) return { items, revision, more: true };
      items.push(kv);
    }
    return { items, revision, more: false };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkPrefix(prefix);
    const { from, to } = keyRange(prefix);
    return this.#keys.rank(to) - this.#keys.rank(from);
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.#write({ op: "create", key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<WriteResult> {
    return this.#write({ op: "update", key, value, expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<WriteResult & { prev: KeyValue }> {
    const req: WriteRequest =
      expectedRevision === undefined
        ? { op: "delete", key }
        : { op: "delete", key, expectedRevision };
    return this.#write(req) as Promise<WriteResult & { prev: KeyValue }>;
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.#checkOpen();
    checkPrefix(prefix);
    checkRevision(opts.afterRevision, "watch start revision");
    if (opts.afterRevision < this.#compacted) {
      throw new CompactedError(opts.afterRevision, this.#compacted);
    }
    // Changes not yet published are already in the log; the hub skips them when they arrive live.
    return this.#hub.add(prefix, opts, this.#revision);
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  compactedRevision(): number {
    this.#checkOpen();
    return this.#compacted;
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    checkRevision(revision, "compaction revision");
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);
    if (revision <= this.#compacted) return;

    this.#log = this.#log.slice(revision - this.#compacted);
    this.#compacted = revision;
    this.#hub.compacted(revision);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#publish();
    this.#closed = true;
    this.#timer.stop();
    this.#hub.closeAll(new BackendClosedError());
  }

  async #write(req: WriteRequest): Promise<WriteReply> {
    this.#checkOpen();
    checkWriteRequest(req);

    const event = planWrite(req, this.#values.get(req.key), this.#revision + 1);
    this.#apply(event);

    if (this.#unpublished.length === 0) queueMicrotask(() => this.#publish());
    this.#unpublished.push(event);
    return replyFor(event);
  }

  #apply(event: WatchEvent): void {
    const { key } = event.kv;
    this.#revision = event.kv.modRevision;
    this.#log.push(event);
    if (event.type === "delete") {
      this.#values.delete(key);
      this.#keys.delete(key);
      return;
    }
    this.#keys.insert(key);
    this.#values.set(key, event.kv);
  }

  #publish(): void {
    const events = this.#unpublished;
    this.#unpublished = [];
    this.#hub.publish(events);
  }

  #readChanges(prefix: string, after: number, upTo: number) {
    if (after < this.#compacted) throw new CompactedError(after, this.#compacted);
    const readTo = Math.min(upTo, after + REPLAY_SLICE, this.#revision);
    const slice = this.#log.slice(after - this.#compacted, readTo - this.#compacted);
    return { events: slice.filter((e) => e.kv.key.startsWith(prefix)), readTo };
  }

  /** The revision a read at `requested` is served at, after checking it is still kept. */
  #readRevision(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return this.#revision;
    checkRevision(requested, "list revision");
    if (requested < this.#compacted) throw new CompactedError(requested, this.#compacted);
    if (requested > this.#revision) throw new FutureRevisionError(requested, this.#revision);
    return requested;
  }

  /** Sorted keys in [from, to) that existed at `revision`, or were touched after it. */
  #keysAt(revision: number, from: string, to: string): string[] {
    const keys = new Set(this.#keys.range(from, to));
    for (const e of this.#changesAfter(revision)) {
      if (compareKeys(e.kv.key, from) >= 0 && compareKeys(e.kv.key, to) < 0) keys.add(e.kv.key);
    }
    return [...keys].sort(compareKeys);
  }

  readonly #lookupNow = (key: string): KeyValue | undefined => this.#values.get(key);

  /** Looks keys up as of `revision`: a key changed since then gets the value before its oldest change. */
  #lookupAt(revision: number): (key: string) => KeyValue | undefined {
    const undone = new Map<string, KeyValue | undefined>();
    const later = this.#changesAfter(revision);
    for (let i = later.length - 1; i >= 0; i--) {
      const e = later[i] as WatchEvent;
      undone.set(e.kv.key, e.prevKv);
    }
    return (key) => (undone.has(key) ? undone.get(key) : this.#values.get(key));
  }

  #changesAfter(revision: number): WatchEvent[] {
    return this.#log.slice(revision - this.#compacted);
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendClosedError();
  }
}
