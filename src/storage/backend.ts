/**
 * The storage contract of the API server: a revisioned key-value log with watch, modelled on what the API
 * server needs from etcd. Implementations: `memory/` (tests) and `sqlite/` (default); `etcd/` later.
 *
 * Contract, for every implementation:
 * - Every successful write (create, update, delete) gets the next revision of one global, strictly increasing
 *   integer counter starting at 1. Revisions are never reused, even after a restart or compaction.
 * - A write's promise resolves only once the write is durable: after a crash (kill -9) of the process, every
 *   write whose promise resolved is still there on reopen.
 * - Writes are linearisable: they take effect in revision order, and a compare-and-swap sees every write with
 *   a lower revision.
 * - Watchers see every change after their start revision, in revision order, with no gaps and no duplicates,
 *   and never see a change before it is durable.
 * - Keys are strings; values are opaque strings (the API server stores JSON). Keys are non-empty, well-formed
 *   Unicode without NUL or U+10FFFF; values are well-formed Unicode (InvalidKeyError otherwise). "Key order"
 *   is Unicode code-point order, which is the byte order of the keys' UTF-8 form.
 */

/** One stored key at some revision. */
export interface KeyValue {
  key: string;
  value: string;
  /** The revision that created this key (the first write since it last did not exist). */
  createRevision: number;
  /** The revision of the last write to this key. */
  modRevision: number;
}

/** Where and how much a list reads. */
export interface ListOptions {
  /** Read as of this revision; 0 or absent means the current revision. */
  revision?: number;
  /** At most this many items; 0 or absent means no limit. */
  limit?: number;
  /** Only keys greater than or equal to this one (for continuing a paged list). */
  startKey?: string;
}

/** One page of a list. */
export interface ListResult {
  /** Items in ascending key order. */
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the list short. */
  more: boolean;
}

/** One change, as watchers see it. */
export interface WatchEvent {
  type: "put" | "delete";
  /** For `put`, the new value; for `delete`, the key with the deleted value and the deletion's revision as modRevision. */
  kv: KeyValue;
  /** The value before this change; absent for a `put` that created the key. */
  prevKv?: KeyValue;
}

/** A running watch; `stop()` ends it and is idempotent. */
export interface Watch {
  stop(): void;
}

/** Where a watch starts and where its events go. */
export interface WatchOptions {
  /** Deliver every change with a revision greater than this one. */
  afterRevision: number;
  /**
   * Called with events in revision order; a batch holds one or more changes, consecutive among those
   * under the prefix. Never called from inside `watch()` itself. If it throws, the watch ends with onError.
   */
  onEvents: (events: WatchEvent[]) => void;
  /**
   * Called once if the watch fails: the backend closes (BackendClosedError), or compaction drops history
   * the watch has yet to replay (CompactedError). No events follow.
   */
  onError?: (err: Error) => void;
}

/** The result of a successful write. */
export interface WriteResult {
  /** The revision of the write. */
  revision: number;
}

/** A revisioned key-value store with watch; see the contract at the top of this file. */
export interface Backend {
  /** The current value of `key`, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;

  /**
   * Keys under `prefix`, in key order, as of a revision. Throws CompactedError for a revision before the
   * compacted one and FutureRevisionError for one after the current one.
   */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /** Counts keys under `prefix` at the current revision. */
  count(prefix: string): Promise<number>;

  /** Creates `key` if absent; throws KeyExistsError if present. */
  create(key: string, value: string): Promise<WriteResult>;

  /**
   * Replaces `key` if its modRevision equals `expectedRevision`. Throws KeyNotFoundError if absent and
   * RevisionMismatchError (carrying the current value) if it changed.
   */
  update(key: string, value: string, expectedRevision: number): Promise<WriteResult>;

  /**
   * Deletes `key`, if `expectedRevision` is given only when its modRevision equals it. Returns the deleted
   * value. Throws KeyNotFoundError or RevisionMismatchError.
   */
  delete(key: string, expectedRevision?: number): Promise<WriteResult & { prev: KeyValue }>;

  /**
   * Watches keys under `prefix`. Throws CompactedError (synchronously) if `afterRevision` is older than the
   * oldest change still kept (the compacted revision).
   */
  watch(prefix: string, opts: WatchOptions): Watch;

  /** The revision of the last durable write (0 for an empty store). */
  currentRevision(): Promise<number>;

  /** The oldest revision a watch or list may still start from; older ones are compacted. */
  compactedRevision(): number;

  /**
   * Drops history of changes at or before `revision`; current values and the state as of `revision` are
   * kept. A revision at or below the compacted one does nothing; one past the current revision throws
   * FutureRevisionError.
   */
  compact(revision: number): Promise<void>;

  /** Flushes and releases everything; later calls throw BackendClosedError. */
  close(): Promise<void>;
}

/** Base of every storage error, so the API layer can map them to Status. */
export class StorageError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = new.target.name;
  }
}

/** A create found the key already present; `current` is its value. */
export class KeyExistsError extends StorageError {
  constructor(
    readonly key: string,
    readonly current?: KeyValue,
  ) {
    super(`Cannot create key ${key}: it already exists`);
  }
}

/** An update or delete found no such key. */
export class KeyNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super(`Cannot find key ${key}`);
  }
}

/** A compare-and-swap found the key at another revision; `current` is its value now. */
export class RevisionMismatchError extends StorageError {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly current: KeyValue,
  ) {
    super(`Cannot write key ${key}: expected revision ${expected}, found ${current.modRevision}`);
  }
}

/** A read or watch asked for history that compaction has dropped. */
export class CompactedError extends StorageError {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`Cannot read at revision ${requested}: history up to revision ${compacted} is compacted`);
  }
}

/** A read, watch or compaction asked for a revision newer than the current one. */
export class FutureRevisionError extends StorageError {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`Cannot read at revision ${requested}: the current revision is ${current}`);
  }
}

/**
 * A key or value that cannot be stored as given: keys are non-empty, well-formed Unicode without NUL or
 * U+10FFFF (which bounds prefix ranges); values are well-formed Unicode.
 */
export class InvalidKeyError extends StorageError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Cannot store key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** The backend was used after close(). */
export class BackendClosedError extends StorageError {
  constructor() {
    super("Cannot use the storage backend: it is closed");
  }
}
