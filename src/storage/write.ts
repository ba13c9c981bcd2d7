/**
 * The decision part of a write, shared by every backend: given the key's current value and the next
 * revision, either the change the write makes or the error it fails with. Backends only apply the result.
 */

import type { KeyValue, WatchEvent, WriteResult } from "./backend.js";
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError } from "./backend.js";
import { checkKey, checkRevision, checkValue } from "./keys.js";

/** One requested write, as queued by a backend. */
export type WriteRequest =
  | { op: "create"; key: string; value: string }
  | { op: "update"; key: string; value: string; expectedRevision: number }
  | { op: "delete"; key: string; expectedRevision?: number };

/** What a successful write hands back: the revision, and for a delete the deleted value. */
export type WriteReply = WriteResult & { prev?: KeyValue };

/** Throws InvalidKeyError or RangeError if `req` is malformed, before it is queued. */
export function checkWriteRequest(req: WriteRequest): void {
  checkKey(req.key);
  if (req.op !== "delete") checkValue(req.key, req.value);
  if (req.op !== "create" && req.expectedRevision !== undefined) {
    checkRevision(req.expectedRevision, "expected revision");
  }
}

/**
 * The change `req` makes at `revision` when the key currently holds `current`; throws KeyExistsError,
 * KeyNotFoundError or RevisionMismatchError when the write's precondition does not hold.
 */
export function planWrite(
  req: WriteRequest,
  current: KeyValue | undefined,
  revision: number,
): WatchEvent {
  const { key } = req;
  if (req.op === "create") {
    if (current) throw new KeyExistsError(key, current);
    return {
      type: "put",
      kv: { key, value: req.value, createRevision: revision, modRevision: revision },
    };
  }

  if (!current) throw new KeyNotFoundError(key);
  if (req.expectedRevision !== undefined && current.modRevision !== req.expectedRevision) {
    throw new RevisionMismatchError(key, req.expectedRevision, current);
  }

  if (req.op === "update") {
    const kv = {
      key,
      value: req.value,
      createRevision: current.createRevision,
      modRevision: revision,
    };
    return { type: "put", kv, prevKv: current };
  }
  const kv = {
    key,
    value: current.value,
    createRevision: current.createRevision,
    modRevision: revision,
  };
  return { type: "delete", kv, prevKv: current };
}

/** The reply a caller gets for the change `event`. */
export function replyFor(event: WatchEvent): WriteReply {
  const revision = event.kv.modRevision;
  return event.type === "delete" && event.prevKv ? { revision, prev: event.prevKv } : { revision };
}
