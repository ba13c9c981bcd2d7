/**
 * ControllerRevisions: numbered, immutable snapshots of a controller's template that let it tell
 * current pods from old ones and let `kubectl rollout undo` go back. Nothing here knows which kind
 * owns the revisions; the owner supplies the data it snapshots and the label its pods carry.
 *
 * The hash names a revision (`<owner>-<hash>`) and labels the pods made from it. As upstream, it
 * is a 32-bit FNV-1a hash of the hashed value, followed by the owner's collision count (when set)
 * as eight bytes, written in the safe alphabet. The value is hashed in a canonical JSON form,
 * since Go's printed structs cannot be reproduced here, so hashes differ from upstream's while
 * keeping their properties: equal values, equal hashes; a bumped collision count, a new hash.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { deepEqual } from "../../util/deep-equal.js";
import { canonicalJson, safeEncodeString } from "../deployment/pod-template-hash.js";

/** The label a revision and the pods made from it carry: the revision's hash. */
export const CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvBytes(hash: number, bytes: Iterable<number>): number {
  let h = hash;
  for (const byte of bytes) h = Math.imul((h ^ byte) >>> 0, FNV_PRIME) >>> 0;
  return h;
}

/**
 * The hash of `value` and `collisionCount`: FNV-1a over the canonical JSON of the value, then
 * the count as a little-endian 32-bit number padded to eight bytes, safe-encoded.
 */
export function computeHash(value: unknown, collisionCount?: number): string {
  let h = fnvBytes(FNV_OFFSET, Buffer.from(canonicalJson(value) ?? "", "utf8"));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnvBytes(h, bytes);
  }
  return safeEncodeString(String(h));
}

/** The name of the revision of `ownerName` with `hash`. */
export function revisionName(ownerName: string, hash: string): string {
  return `${ownerName}-${hash}`;
}

/** What a new revision is made of. */
export interface NewRevision {
  ownerName: string;
  namespace: string;
  controllerRef: OwnerReference;
  /** Labels of the snapshotted template; the hash label is added. */
  labels: Readonly<Record<string, string>> | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
  data: unknown;
  revision: number;
  hash: string;
}

/** A ControllerRevision to create. */
export function newControllerRevision(r: NewRevision): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: revisionName(r.ownerName, r.hash),
      namespace: r.namespace,
      labels: { ...r.labels, [CONTROLLER_REVISION_HASH_LABEL]: r.hash },
      ownerReferences: [{ ...r.controllerRef }],
    },
    data: r.data,
    revision: r.revision,
  };
  if (r.annotations && Object.keys(r.annotations).length) {
    cr.metadata.annotations = { ...r.annotations };
  }
  return cr;
}

/** Whether a revision records `data` (JSON equality: the server keeps data as sent). */
export function revisionMatches(cr: ControllerRevision, data: unknown): boolean {
  return deepEqual(cr.data, data);
}

/** The highest revision number among `revisions`, or 0. */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const cr of revisions) max = Math.max(max, cr.revision ?? 0);
  return max;
}

/** Oldest first: by revision number, then by name. */
export function compareRevisions(a: ControllerRevision, b: ControllerRevision): number {
  const d = (a.revision ?? 0) - (b.revision ?? 0);
  if (d !== 0) return d;
  const an = a.metadata.name ?? "";
  const bn = b.metadata.name ?? "";
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** The revisions that record `data` (current) and the others (old), each in input order. */
export function splitRevisions(
  revisions: readonly ControllerRevision[],
  data: unknown,
): { current: ControllerRevision[]; old: ControllerRevision[] } {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const cr of revisions) (revisionMatches(cr, data) ? current : old).push(cr);
  return { current, old };
}

/**
 * Of several revisions recording the same data, the one to keep: the highest revision number,
 * the later in input order among equals. The others are duplicates to delete.
 */
export function keepOfDuplicates(current: readonly ControllerRevision[]): {
  keep: ControllerRevision | undefined;
  duplicates: ControllerRevision[];
} {
  let keep: ControllerRevision | undefined;
  for (const cr of current) if (!keep || (cr.revision ?? 0) >= (keep.revision ?? 0)) keep = cr;
  return { keep, duplicates: current.filter((cr) => cr !== keep) };
}

/**
 * The old revisions to delete so that at most `limit` remain, oldest first, never one whose hash
 * a live pod still carries (`liveHashes`).
 */
export function revisionsToTruncate(
  old: readonly ControllerRevision[],
  limit: number,
  liveHashes: ReadonlySet<string>,
): ControllerRevision[] {
  let excess = old.length - Math.max(0, limit);
  if (excess <= 0) return [];
  const out: ControllerRevision[] = [];
  for (const cr of [...old].sort(compareRevisions)) {
    if (excess <= 0) break;
    const hash = cr.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    if (hash && liveHashes.has(hash)) continue;
    out.push(cr);
    excess--;
  }
  return out;
}
