/**
 * The messages between SqliteBackend (main thread) and its SQLite worker thread. The main thread sends an
 * array of requests in one message; the worker handles them in order and answers with one message holding
 * one reply per request, in the same order. A MessagePort delivers in order, so replies need no ids.
 */

import type { MessagePort } from "node:worker_threads";
import type { KeyValue, ListResult, WatchEvent } from "../backend.js";
import { CompactedError, FutureRevisionError, StorageError } from "../backend.js";
import type { WriteRequest } from "../write.js";
import type { StoredState, SyncMode } from "./schema.js";

/** What the worker gets as `workerData`. */
export interface WorkerInit {
  path: string;
  sync: SyncMode;
  /** The worker's end of the request channel. */
  port: MessagePort;
  /** Set to 1 (and notified) once the open reply is posted, so a blocked opener can wake up. */
  opened: Int32Array;
}

/** The worker's first message: the stored state, or why the file could not be opened. */
export type OpenReply = { ok: true; state: StoredState } | { ok: false; error: ErrorInfo };

/**
 * One request. `commit` decides and applies writes in order inside one transaction and commits it.
 * `compact` drops the history of at most one slice of revisions towards `revision` and answers how far it
 * got. Reads see the worker's state, which includes every commit the main thread has heard of.
 */
export type Request =
  | { op: "commit"; writes: WriteRequest[] }
  | { op: "get"; key: string }
  | { op: "list"; from: string; to: string; revision: number; limit: number }
  | { op: "count"; from: string; to: string }
  | { op: "changes"; after: number; upTo: number; from: string; to: string }
  | { op: "compact"; revision: number }
  | { op: "close" };

/**
 * The outcome of one write of a commit: its revision (0 if its precondition failed) and the key's value
 * before it. `planWrite(request, current, revision)` rebuilds the change or the error from these, so the
 * new value itself never travels back.
 */
export type WriteOutcome = [revision: number, current: KeyValue | undefined];

/** What each request answers with. */
export interface ReplyValues {
  commit: WriteOutcome[];
  get: KeyValue | undefined;
  list: ListResult;
  count: number;
  changes: WatchEvent[];
  compact: number;
  close: null;
}

/** One reply, in the order of the requests. */
export type Reply = { ok: true; value: unknown } | { ok: false; error: ErrorInfo };

/** An error, flattened so it survives the structured clone with its class and fields. */
export interface ErrorInfo {
  name: string;
  message: string;
  /** SQLite's error code, such as SQLITE_FULL. */
  code?: string;
  /** For CompactedError and FutureRevisionError: the requested revision and the bound it crossed. */
  requested?: number;
  bound?: number;
}

/** Flattens `err` for posting. */
export function describeError(err: unknown): ErrorInfo {
  if (err instanceof CompactedError) {
    return { name: err.name, message: err.message, requested: err.requested, bound: err.compacted };
  }
  if (err instanceof FutureRevisionError) {
    return { name: err.name, message: err.message, requested: err.requested, bound: err.current };
  }
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const code = (err as { code?: unknown }).code;
  const info: ErrorInfo = { name: err.name, message: err.message };
  if (typeof code === "string") info.code = code;
  return info;
}

/**
 * Rebuilds a posted error as a StorageError: the revision errors as their own classes, the backend's own
 * errors with their message, and anything else (SQLite's errors) as `${context}: message` with the
 * original kept as `cause`.
 */
export function rebuildError(info: ErrorInfo, context: string): StorageError {
  const { requested = 0, bound = 0 } = info;
  if (info.name === "CompactedError") return new CompactedError(requested, bound);
  if (info.name === "FutureRevisionError") return new FutureRevisionError(requested, bound);
  if (info.name === "StorageError") return new StorageError(info.message);

  const cause = Object.assign(
    new Error(info.message),
    { name: info.name },
    info.code ? { code: info.code } : {},
  );
  return new StorageError(`${context}: ${info.message}`, { cause });
}
