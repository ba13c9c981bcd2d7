/**
 * The prepared statements of the SQLite backend, each with the row shape it returns. Key ranges are
 * half-open [from, to) as `keyRange()` builds them; SQLite's BINARY collation orders keys like
 * `compareKeys()`.
 */

import type Database from "better-sqlite3";
import type { KeyValue, WatchEvent } from "../backend.js";
import { StorageError } from "../backend.js";

interface LogRow {
  id: number;
  key: string;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string | null;
  prev_value: string | null;
}

// Selecting with these aliases yields KeyValue objects straight from the driver.
const KV =
  "l.key AS key, l.value AS value, l.create_revision AS createRevision, l.id AS modRevision";

/** Every statement the backend runs, prepared once per connection. */
export class Statements {
  readonly #current: Database.Statement<[string], KeyValue>;
  readonly #listCurrent: Database.Statement<[string, string, number], KeyValue>;
  readonly #listAt: Database.Statement<
    [{ from: string; to: string; rev: number; limit: number }],
    KeyValue
  >;
  readonly #count: Database.Statement<[string, string], number>;
  readonly #insert: Database.Statement<
    [number, string, number, number, number, number, string | null]
  >;
  readonly #insertCurrent: Database.Statement<[string, number]>;
  readonly #moveCurrent: Database.Statement<[number, string]>;
  readonly #dropCurrent: Database.Statement<[string]>;
  readonly #changes: Database.Statement<[number, number, string, string], LogRow>;
  readonly #superseded: Database.Statement<[number, number], number>;
  readonly #deleteRow: Database.Statement<[number]>;
  readonly #deleteDeletions: Database.Statement<[number, number]>;
  readonly #setCompacted: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.#current = db.prepare(
      `SELECT ${KV} FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?`,
    );
    this.#listCurrent = db.prepare(
      `SELECT ${KV} FROM current c JOIN log l ON l.id = c.id
       WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?`,
    );
    // The newest row of each key at or before @rev, unless that row is a deletion. Walking the (key, id)
    // index in key order lets LIMIT stop the scan early.
    this.#listAt = db.prepare(
      `SELECT ${KV} FROM log l INDEXED BY log_key_id
       WHERE l.key >= @from AND l.key < @to AND l.id <= @rev AND l.deleted = 0
         AND NOT EXISTS (SELECT 1 FROM log n WHERE n.key = l.key AND n.id > l.id AND n.id <= @rev)
       ORDER BY l.key LIMIT @limit`,
    );
    this.#count = db
      .prepare<[string, string], number>("SELECT count(*) FROM current WHERE key >= ? AND key < ?")
      .pluck() as Database.Statement<[string, string], number>;
    this.#insert = db.prepare(
      `INSERT INTO log (id, key, created, deleted, create_revision, prev_revision, value)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertCurrent = db.prepare("INSERT INTO current (key, id) VALUES (?, ?)");
    this.#moveCurrent = db.prepare("UPDATE current SET id = ? WHERE key = ?");
    this.#dropCurrent = db.prepare("DELETE FROM current WHERE key = ?");
    // NOT INDEXED keeps the planner on the revision range: a prefix such as the registry root matches
    // every key, and walking the key index would need a sort.
    this.#changes = db.prepare(
      `SELECT l.id, l.key, l.deleted, l.create_revision, l.prev_revision, l.value, p.value AS prev_value
       FROM log l NOT INDEXED LEFT JOIN log p ON p.id = l.prev_revision
       WHERE l.id > ? AND l.id <= ? AND l.key >= ? AND l.key < ? ORDER BY l.id`,
    );
    this.#superseded = db
      .prepare("SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0")
      .pluck() as Database.Statement<[number, number], number>;
    this.#deleteRow = db.prepare("DELETE FROM log WHERE id = ?");
    this.#deleteDeletions = db.prepare("DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1");
    this.#setCompacted = db.prepare(
      `INSERT INTO meta (name, value) VALUES ('compact_revision', ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    );
  }

  /** The current value of `key`. */
  current(key: string): KeyValue | undefined {
    return this.#current.get(key);
  }

  /** Current keys in [from, to), in key order; `limit` < 0 means all. */
  listCurrent(from: string, to: string, limit: number): KeyValue[] {
    return this.#listCurrent.all(from, to, limit);
  }

  /** Keys in [from, to) as of revision `rev`, in key order; `limit` < 0 means all. */
  listAt(from: string, to: string, rev: number, limit: number): KeyValue[] {
    return this.#listAt.all({ from, to, rev, limit });
  }

  /** How many current keys lie in [from, to). */
  count(from: string, to: string): number {
    return this.#count.get(from, to) ?? 0;
  }

  /** Appends the log row of `event` and points `current` at it. */
  append(event: WatchEvent): void {
    const { key, value, createRevision, modRevision } = event.kv;
    const prev = event.prevKv?.modRevision ?? 0;
    if (event.type === "delete") {
      this.#insert.run(modRevision, key, 0, 1, createRevision, prev, null);
      this.#dropCurrent.run(key);
    } else if (prev === 0) {
      this.#insert.run(modRevision, key, 1, 0, createRevision, 0, value);
      this.#insertCurrent.run(key, modRevision);
    } else {
      this.#insert.run(modRevision, key, 0, 0, createRevision, prev, value);
      this.#moveCurrent.run(modRevision, key);
    }
  }

  /** The changes with revisions in (after, upTo] to keys in [from, to), in revision order. */
  changes(after: number, upTo: number, from: string, to: string): WatchEvent[] {
    return this.#changes.all(after, upTo, from, to).map(toEvent);
  }

  /**
   * Drops the history that revisions (after, upTo] made obsolete: each row those revisions superseded,
   * and their deletions (nothing needs a deletion once it is at or before the compacted revision).
   */
  compactRange(after: number, upTo: number): void {
    for (const id of this.#superseded.all(after, upTo)) this.#deleteRow.run(id);
    this.#deleteDeletions.run(after, upTo);
    this.#setCompacted.run(upTo);
  }
}

function toEvent(row: LogRow): WatchEvent {
  const { key, id, create_revision: createRevision, prev_revision: prevRevision } = row;
  if (prevRevision === 0) {
    return { type: "put", kv: { key, value: row.value ?? "", createRevision, modRevision: id } };
  }
  if (row.prev_value === null) {
    throw new StorageError(
      `Cannot replay revision ${id}: its previous revision ${prevRevision} is gone`,
    );
  }
  const prevKv = { key, value: row.prev_value, createRevision, modRevision: prevRevision };
  const value = row.deleted ? row.prev_value : (row.value ?? "");
  return {
    type: row.deleted ? "delete" : "put",
    kv: { key, value, createRevision, modRevision: id },
    prevKv,
  };
}
