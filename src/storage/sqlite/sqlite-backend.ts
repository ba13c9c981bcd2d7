/**
 * The default Backend: one SQLite file (see schema.ts for its tables), owned by a worker thread
 * (sqlite-worker.ts) so that no statement, and above all no commit's fsync, runs on the main thread.
 * Writes are group-committed: the main thread queues them while the worker commits the previous batch,
 * and sends them all as the next batch when that commit is reported. Only then (and so, with
 * `synchronous = FULL`, only once they are synced) do their promises resolve and watchers hear of them.
 * Reads go to the worker too, which answers them in order with commits, from the state every reported
 * commit has left, so a read sees every acknowledged write.
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
import type { WriteOutcome } from "./protocol.js";
import type { SyncMode } from "./schema.js";
import { WorkerClient } from "./worker-client.js";

/** Settings of a SqliteBackend. */
export interface SqliteBackendOptions {
  /** The database file; created with its tables if missing. */
  path: string;
  /** `full` (default) syncs the WAL on every commit; `normal` survives a process crash but not power loss. */
  sync?: SyncMode;
  /** Periodic compaction; by default every 60 s, keeping 5 minutes and at least 1,000 revisions. */
  compaction?: CompactionOptions;
  /**
   * Receives errors that have no caller to throw to: a failed background compaction, and the death of
   * the worker thread (after which every call fails with that StorageError).
   */
  onBackgroundError?: (err: unknown) => void;
}

interface PendingWrite {
  req: WriteRequest;
  resolve: (reply: WriteReply) => void;
  reject: (err: unknown) => void;
}

// A watch replay reads at most this many revisions per request to the worker.
const REPLAY_SLICE = 1000;

/** A Backend on a SQLite file in WAL mode, with group commit, watch replay and periodic compaction. */
export class SqliteBackend implements Backend {
  readonly #worker: WorkerClient;
  readonly #hub: WatchHub;
  readonly #timer: CompactionTimer;
  readonly #onBackgroundError: (err: unknown) => void;
  /** Writes waiting for the next batch. */
  #queue: PendingWrite[] = [];
  /** Whether a batch is with the worker; the next one waits for its reply. */
  #committing = false;
  /** Called once no write is queued or committing (close() waits for that). */
  #drained: (() => void)[] = [];
  /** The revision of the last write the worker reported committed. */
  #revision: number;
  #compacted: number;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Why the worker thread died, if it did. */
  #failure: StorageError | undefined;

  /**
   * Opens (creating if needed) the file at `opts.path`. Blocks until the worker thread has opened it,
   * and throws its StorageError if it cannot (another process holds the file, or it is no database).
   */
  constructor(opts: SqliteBackendOptions) {
    const compaction = checkCompactionOptions(opts.compaction ?? {});
    const sync = opts.sync ?? "full";
    if (sync !== "full" && sync !== "normal") {
      throw new RangeError(`Cannot use sync mode ${String(sync)}: expected full or normal`);
    }

    this.#onBackgroundError = opts.onBackgroundError ?? (() => {});
    const { client, state } = WorkerClient.open(opts.path, sync, (err) => this.#fail(err));
    this.#worker = client;
    this.#revision = state.revision;
    this.#compacted = state.compacted;
    this.#hub = new WatchHub({ readChanges: (p, a, u) => this.#readChanges(p, a, u) });
    this.#timer = new CompactionTimer(
      compaction,
      {
        revisionNow: () => this.#revision,
        compactedNow: () => this.#compacted,
        compact: (revision) => this.compact(revision),
      },
      this.#onBackgroundError,
    );
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#checkOpen();
    checkKey(key);
    return this.#worker.call({ op: "get", key });
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkPrefix(prefix);
    checkStartKey(opts.startKey);
    const revision = this.#readRevision(opts.revision);
    const limit = opts.limit ?? 0;
    checkRevision(limit, "limit");
    const { from, to } = keyRange(prefix, opts.startKey);

    // 0 reads at the worker's current revision: this one, once the replies before this one are in.
    return this.#worker.call({ op: "list", from, to, revision, limit });
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkPrefix(prefix);
    const { from, to } = keyRange(prefix);
    return this.#worker.call({ op: "count", from, to });
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
   * Compacts one slice of revisions per request, each its own transaction in the worker that also records
   * the new compacted revision; write batches go between the slices.
   */
  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    checkRevision(revision, "compaction revision");
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);

    while (this.#compacted < revision) {
      this.#checkOpen();
      const upTo = await this.#worker.call({ op: "compact", revision });
      if (upTo <= this.#compacted) continue;
      this.#compacted = upTo;
      this.#hub.compacted(upTo);
    }
  }

  /** Commits queued writes, ends every watch, stops compaction, closes the file and ends the worker. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /** Ends the worker thread abruptly, as a crash of it would: for tests of what pending work sees. */
  async crashWorkerForTest(): Promise<void> {
    await this.#worker.kill();
  }

  async #shutDown(): Promise<void> {
    this.#closed = true;
    this.#timer.stop();
    if (!this.#failure) {
      this.#sendBatch();
      await new Promise<void>((resolve) => this.#whenDrained(resolve));
    }
    this.#hub.closeAll(new BackendClosedError());
    await this.#worker.close();
  }

  async #enqueue(req: WriteRequest): Promise<WriteReply> {
    this.#checkOpen();
    checkWriteRequest(req);
    return new Promise((resolve, reject) => {
      // The first write while the worker is idle sends a batch at the end of this turn, so the writes of
      // the turn share it; while a batch commits, writes wait for its reply.
      if (this.#queue.length === 0 && !this.#committing) setImmediate(() => this.#sendBatch());
      this.#queue.push({ req, resolve, reject });
    });
  }

  #sendBatch(): void {
    if (this.#committing || this.#queue.length === 0 || this.#failure) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#committing = true;
    this.#worker.call({ op: "commit", writes: batch.map((p) => p.req) }, true).then(
      (outcomes) => this.#committed(batch, outcomes),
      (err: unknown) => this.#rejected(batch, err),
    );
  }

  #committed(batch: PendingWrite[], outcomes: WriteOutcome[]): void {
    // The next batch goes first, so the worker commits it while this one's callers run.
    this.#committing = false;
    this.#sendBatch();

    const results = batch.map((p, i) => rebuildOutcome(p.req, outcomes[i]));
    const events = results.filter((r): r is WatchEvent => !(r instanceof StorageError));
    const last = events[events.length - 1];
    if (last) this.#revision = last.kv.modRevision;

    this.#hub.publish(events);
    batch.forEach((p, i) => {
      const result = results[i] as WatchEvent | StorageError;
      if (result instanceof StorageError) p.reject(result);
      else p.resolve(replyFor(result));
    });
    this.#checkDrained();
  }

  /** The whole batch failed: the transaction rolled back, so none of its revisions were handed out. */
  #rejected(batch: PendingWrite[], err: unknown): void {
    this.#committing = false;
    for (const p of batch) p.reject(err);
    this.#sendBatch();
    this.#checkDrained();
  }

  /** The worker thread died: fails everything waiting, every watch, and every later call. */
  #fail(err: StorageError): void {
    this.#failure = err;
    this.#timer.stop();
    const queued = this.#queue;
    this.#queue = [];
    for (const p of queued) p.reject(err);
    this.#hub.closeAll(err);
    this.#checkDrained();
    this.#onBackgroundError(err);
  }

  #whenDrained(resolve: () => void): void {
    this.#drained.push(resolve);
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#committing || this.#queue.length > 0) return;
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  }

  async #readChanges(prefix: string, after: number, upTo: number) {
    this.#checkOpen();
    if (after < this.#compacted) throw new CompactedError(after, this.#compacted);
    const readTo = Math.min(upTo, after + REPLAY_SLICE);
    const { from, to } = keyRange(prefix);
    const events = await this.#worker.call({ op: "changes", after, upTo: readTo, from, to });
    return { events, readTo };
  }

  /** The revision a read at `requested` is served at (0 for the current one), after checking it is kept. */
  #readRevision(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return 0;
    checkRevision(requested, "list revision");
    if (requested < this.#compacted) throw new CompactedError(requested, this.#compacted);
    if (requested > this.#revision) throw new FutureRevisionError(requested, this.#revision);
    return requested;
  }

  #checkOpen(): void {
    if (this.#closed) throw new BackendClosedError();
    if (this.#failure) throw this.#failure;
  }
}

/**
 * The change (or the error) the worker's decision on `req` made, rebuilt from the key's value before it
 * and its revision: planWrite is pure, so it decides here exactly as it did in the worker.
 */
function rebuildOutcome(
  req: WriteRequest,
  outcome: WriteOutcome | undefined,
): WatchEvent | StorageError {
  const [revision, current] = outcome ?? [0, undefined];
  let event: WatchEvent;
  try {
    event = planWrite(req, current, revision);
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  // A write that failed in the worker but would succeed here means the two disagree.
  return revision > 0
    ? event
    : new StorageError(`Cannot tell the outcome of the write to ${req.key}`);
}
