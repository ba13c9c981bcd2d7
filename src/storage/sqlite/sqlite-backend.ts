/**
 * The default Backend: one SQLite file (see schema.ts for its tables). Writes are group-committed: every
 * write requested during one turn of the event loop is decided and applied in request order inside one
 * transaction, which is committed (and, with `synchronous = FULL`, synced) before any of their promises
 * resolve or any watcher hears of them. Reads run directly against the connection; better-sqlite3 is
 * synchronous, so a read never sees a half-applied batch.
 */

import type Database from "better-sqlite3";
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
import {
  BackendClosedError,
  CompactedError,
  FutureRevisionError,
  StorageError,
} from "../backend.js";
import type { CompactionOptions } from "../compaction-planner.js";
import { checkCompactionOptions, CompactionTimer } from "../compaction-planner.js";
import { checkKey, checkPrefix, checkRevision, checkStartKey, keyRange } from "../keys.js";
import { WatchHub } from "../watch-hub.js";
import type { WriteReply, WriteRequest } from "../write.js";
import { checkWriteRequest, planWrite, replyFor } from "../write.js";
import type { SyncMode } from "./schema.js";
import { openDatabase } from "./schema.js";
import { Statements } from "./statements.js";

/** Settings of a SqliteBackend. */
export interface SqliteBackendOptions {
  /** The database file; created with its tables if missing. */
  path: string;
  /** `full` (default) syncs the WAL on every commit; `normal` survives a process crash but not power loss. */
  sync?: SyncMode;
  /** Periodic compaction; by default every 60 s, keeping 5 minutes and at least 1,000 revisions. */
  compaction?: CompactionOptions;
  /** Receives errors of background compaction, which has no caller to throw to. */
  onBackgroundError?: (err: unknown) => void;
}

interface PendingWrite {
  req: WriteRequest;
  resolve: (reply: WriteReply) => void;
  reject: (err: unknown) => void;
}

// A watch replay reads at most this many revisions per turn of the event loop.
const REPLAY_SLICE = 1000;
// Compaction deletes the history of at most this many revisions per transaction, so writes keep flowing.
const COMPACT_SLICE = 2000;

/** A Backend on a SQLite file in WAL mode, with group commit, watch replay and periodic compaction. */
export class SqliteBackend implements Backend {
  readonly #path: string;
  readonly #db: Database.Database;
  readonly #stmts: Statements;
  readonly #commitBatch: (batch: PendingWrite[], outcomes: (WatchEvent | StorageError)[]) => void;
  readonly #hub: WatchHub;
  readonly #timer: CompactionTimer;
  #queue: PendingWrite[] = [];
  /** The revision of the last committed write. */
  #revision: number;
  #compacted: number;
  #closed = false;

  constructor(opts: SqliteBackendOptions) {
    const compaction = checkCompactionOptions(opts.compaction ?? {});
    const sync = opts.sync ?? "full";
    if (sync !== "full" && sync !== "normal") {
      throw new RangeError(`Cannot use sync mode ${String(sync)}: expected full or normal`);
    }

    this.#path = opts.path;
    const { db, state } = openDatabase(opts.path, sync);
    this.#db = db;
    this.#stmts = new Statements(db);
    this.#revision = state.revision;
    this.#compacted = state.compacted;
    this.#commitBatch = db.transaction((batch, outcomes) => this.#applyBatch(batch, outcomes));
    this.#hub = new WatchHub({ readChanges: (p, a, u) => this.#readChanges(p, a, u) });
    this.#timer = new CompactionTimer(
      compaction,
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
    return this.#stmts.current(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkPrefix(prefix);
    checkStartKey(opts.startKey);
    const revision = this.#readRevision(opts.revision);
    const limit = opts.limit ?? 0;
    checkRevision(limit, "limit");
    const { from, to } = keyRange(prefix, opts.startKey);

    // One row past the limit tells whether there is more.
    const sqlLimit = limit > 0 ? limit + 1 : -1;
    const items =
      revision === this.#revision
        ? this.#stmts.listCurrent(from, to, sqlLimit)
        : this.#stmts.listAt(from, to, revision, sqlLimit);
    const more = limit > 0 && items.length > limit;
    if (more) items.pop();
    return { items, revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkPrefix(prefix);
    const { from, to } = keyRange(prefix);
    return this.#stmts.count(from, to);
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.#enqueue({ op: "create", key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<WriteResult> {
    return this.#enqueue({ op: "update", key, value, expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<WriteResult & { prev: KeyValue }> {
    const req: WriteRequest =
      expectedRevision === undefined
        ? { op: "delete", key }
        : { op: "delete", key, expectedRevision };
    return this.#enqueue(req) as Promise<WriteResult & { prev: KeyValue }>;
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.#checkOpen();
    checkPrefix(prefix);
    checkRevision(opts.afterRevision, "watch start revision");
    if (opts.afterRevision < this.#compacted) {
      throw new CompactedError(opts.afterRevision, this.#compacted);
    }
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

  /**
   * Compacts in slices of COMPACT_SLICE revisions, each its own transaction that also records the new
   * compacted revision, yielding to other work between slices.
   */
  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    checkRevision(revision, "compaction revision");
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);

    while (this.#compacted < revision) {
      this.#checkOpen();
      const after = this.#compacted;
      const upTo = Math.min(revision, after + COMPACT_SLICE);
      this.#db.transaction(() => this.#stmts.compactRange(after, upTo))();
      this.#compacted = upTo;
      this.#hub.compacted(upTo);
      if (upTo < revision) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Commits queued writes, ends every watch, stops compaction and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.#timer.stop();
    this.#hub.closeAll(new BackendClosedError());
    this.#db.close();
  }

  async #enqueue(req: WriteRequest): Promise<WriteReply> {
    this.#checkOpen();
    checkWriteRequest(req);
    return new Promise((resolve, reject) => {
      // The first write of a turn schedules the commit; later ones in the same turn join its batch.
      if (this.#queue.length === 0) setImmediate(() => this.#flush());
      this.#queue.push({ req, resolve, reject });
    });
  }

  #flush(): void {
    const batch = this.#queue;
    if (batch.length === 0 || this.#closed) return;
    this.#queue = [];

    const before = this.#revision;
    const outcomes: (WatchEvent | StorageError)[] = [];
    try {
      this.#commitBatch(batch, outcomes);
    } catch (err) {
      // The transaction rolled back as a whole; none of its revisions were handed out.
      this.#revision = before;
      const failure = new StorageError(
        `Cannot commit ${batch.length} writes to ${this.#path}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
      for (const p of batch) p.reject(failure);
      return;
    }

    const events = outcomes.filter((o): o is WatchEvent => !(o instanceof StorageError));
    this.#hub.publish(events);
    batch.forEach((p, i) => {
      const outcome = outcomes[i] as WatchEvent | StorageError;
      if (outcome instanceof StorageError) p.reject(outcome);
      else p.resolve(replyFor(outcome));
    });
  }

  /** Runs inside the batch transaction; a write whose precondition fails is recorded, not thrown. */
  #applyBatch(batch: PendingWrite[], outcomes: (WatchEvent | StorageError)[]): void {
    for (const { req } of batch) {
      let event: WatchEvent;
      try {
        event = planWrite(req, this.#stmts.current(req.key), this.#revision + 1);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        outcomes.push(err);
        continue;
      }
      this.#stmts.append(event);
      this.#revision = event.kv.modRevision;
      outcomes.push(event);
    }
  }

  #readChanges(prefix: string, after: number, upTo: number) {
    this.#checkOpen();
    if (after < this.#compacted) throw new CompactedError(after, this.#compacted);
    const readTo = Math.min(upTo, after + REPLAY_SLICE);
    const { from, to } = keyRange(prefix);
    return { events: this.#stmts.changes(after, readTo, from, to), readTo };
  }

  /** The revision a read at `requested` is served at, after checking it is still kept. */
  #readRevision(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return this.#revision;
    checkRevision(requested, "list revision");
    if (requested < this.#compacted) throw new CompactedError(requested, this.#compacted);
    if (requested > this.#revision) throw new FutureRevisionError(requested, this.#revision);
    return requested;
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendClosedError();
  }
}
