/**
 * The worker thread that owns a SqliteBackend's connection: every statement, every commit and so every
 * fsync runs here, never on the main thread. It handles requests in arrival order, one at a time (see
 * protocol.ts); the main thread sends at most one commit at a time, so a commit's reply, posted once
 * the COMMIT has returned, means its writes are durable.
 */

import { workerData } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { KeyValue, ListResult, WatchEvent } from "../backend.js";
import { CompactedError, FutureRevisionError, StorageError } from "../backend.js";
import type { WriteRequest } from "../write.js";
import { planWrite } from "../write.js";
import type {
  OpenReply,
  Reply,
  Request,
  ReplyValues,
  WorkerInit,
  WriteOutcome,
} from "./protocol.js";
import { describeError } from "./protocol.js";
import type { StoredState, SyncMode } from "./schema.js";
import { openDatabase } from "./schema.js";
import { Statements } from "./statements.js";

// Compaction deletes the history of at most this many revisions per transaction, so writes keep flowing.
const COMPACT_SLICE = 2000;

/** The connection and the revisions as this thread has committed them. */
class Session {
  readonly #db: Database.Database;
  readonly #stmts: Statements;
  readonly #commit: (writes: WriteRequest[]) => WriteOutcome[];
  /** The revision of the last committed write. */
  #revision: number;
  #compacted: number;

  constructor(path: string, sync: SyncMode) {
    const { db, state } = openDatabase(path, sync);
    this.#db = db;
    this.#stmts = new Statements(db);
    this.#revision = state.revision;
    this.#compacted = state.compacted;
    this.#commit = db.transaction((writes: WriteRequest[]) => this.#apply(writes));
  }

  get state(): StoredState {
    return { revision: this.#revision, compacted: this.#compacted };
  }

  handle(req: Request): ReplyValues[Request["op"]] {
    switch (req.op) {
      case "commit":
        return this.#commitBatch(req.writes);
      case "get":
        return this.#stmts.current(req.key);
      case "list":
        return this.#list(req.from, req.to, req.revision, req.limit);
      case "count":
        return this.#stmts.count(req.from, req.to);
      case "changes":
        return this.#changes(req.after, req.upTo, req.from, req.to);
      case "compact":
        return this.#compactSlice(req.revision);
      case "close":
        this.#db.close();
        return null;
    }
  }

  #commitBatch(writes: WriteRequest[]): WriteOutcome[] {
    const before = this.#revision;
    try {
      return this.#commit(writes);
    } catch (err) {
      // The transaction rolled back as a whole; none of its revisions were handed out.
      this.#revision = before;
      throw err;
    }
  }

  /**
   * Runs inside the batch transaction: decides each write against the state the earlier ones left, so
   * compare-and-swap conflicts inside a batch resolve as if the writes ran one by one.
   */
  #apply(writes: WriteRequest[]): WriteOutcome[] {
    const outcomes: WriteOutcome[] = [];
    for (const req of writes) {
      const current = this.#stmts.current(req.key);
      let event: WatchEvent;
      try {
        event = planWrite(req, current, this.#revision + 1);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        outcomes.push([0, current]);
        continue;
      }
      this.#stmts.append(event);
      this.#revision = event.kv.modRevision;
      outcomes.push([this.#revision, current]);
    }
    return outcomes;
  }

  #list(from: string, to: string, requested: number, limit: number): ListResult {
    const revision = requested === 0 ? this.#revision : requested;
    this.#checkKept(revision);
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);

    // One row past the limit tells whether there is more.
    const sqlLimit = limit > 0 ? limit + 1 : -1;
    const items: KeyValue[] =
      revision === this.#revision
        ? this.#stmts.listCurrent(from, to, sqlLimit)
        : this.#stmts.listAt(from, to, revision, sqlLimit);
    const more = limit > 0 && items.length > limit;
    if (more) items.pop();
    return { items, revision, more };
  }

  #changes(after: number, upTo: number, from: string, to: string): WatchEvent[] {
    // A compaction may have run here after the main thread checked the start.
    this.#checkKept(after);
    return this.#stmts.changes(after, Math.min(upTo, this.#revision), from, to);
  }

  /** Compacts one slice towards `revision` and answers the new compacted revision. */
  #compactSlice(revision: number): number {
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);
    // Two compactions may race on the main thread; each slice starts where the last one ended here.
    const after = this.#compacted;
    if (revision <= after) return after;
    const upTo = Math.min(revision, after + COMPACT_SLICE);
    this.#db.transaction(() => this.#stmts.compactRange(after, upTo))();
    this.#compacted = upTo;
    return upTo;
  }

  #checkKept(revision: number): void {
    if (revision < this.#compacted) throw new CompactedError(revision, this.#compacted);
  }
}

function run(init: WorkerInit): void {
  const { port } = init;
  let session: Session;
  try {
    session = new Session(init.path, init.sync);
  } catch (err) {
    answerOpen(init, { ok: false, error: describeError(err) });
    port.close();
    return;
  }
  answerOpen(init, { ok: true, state: session.state });

  // After a close request the main thread ends this thread once it has the reply.
  port.on("message", (requests: Request[]) => {
    const replies = requests.map((req): Reply => {
      try {
        return { ok: true, value: session.handle(req) };
      } catch (err) {
        return { ok: false, error: describeError(err) };
      }
    });
    port.postMessage(replies);
  });
}

function answerOpen(init: WorkerInit, reply: OpenReply): void {
  init.port.postMessage(reply);
  Atomics.store(init.opened, 0, 1);
  Atomics.notify(init.opened, 0);
}

run(workerData as WorkerInit);
