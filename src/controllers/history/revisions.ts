/**
 * ControllerRevision history, the pure part: what a controller with a revision history (a
 * StatefulSet, a DaemonSet) decides about its revisions from what its informer holds. A revision
 * is an immutable snapshot of the owner's template with a number; the owner's current state is
 * always its highest-numbered revision, and rolling back renumbers an older equal revision to the
 * top instead of copying it.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { LabelSelector } from "../../api/selectors/label-selector.js";
import { newControllerRef } from "../replicaset/controller-ref.js";
import type { ControllerIdentity } from "../replicaset/controller-ref.js";
import { compareByCreation } from "../replicaset/pod-state.js";
import {
  canonicalRevisionData,
  controllerRevisionName,
  hashControllerRevision,
} from "./revision-hash.js";

/** The label that carries the hash of a revision's data (upstream's ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash";

/**
 * The label on the pods of StatefulSets and DaemonSets naming the revision they were made from
 * (upstream's ControllerRevisionHashLabelKey); a DaemonSet's revisions carry it too.
 */
export const POD_REVISION_HASH_LABEL = "controller-revision-hash";

/** What a new revision is made of. */
export interface NewRevisionOptions {
  /** Its owner, which becomes its controller. */
  owner: ControllerIdentity;
  /** The labels of the owner's pod template: revisions are found by the owner's selector. */
  templateLabels?: Readonly<Record<string, string>> | undefined;
  /** Annotations to copy (upstream copies the owner's, so a change cause shows in the history). */
  annotations?: Readonly<Record<string, string>> | undefined;
  /** The snapshot: for StatefulSets and DaemonSets a patch that restores the template. */
  data: unknown;
  revision: number;
  /** The owner's collision count, hashed into the name when set. */
  collisionCount?: number | undefined;
  /**
   * The hash that names the revision, for an owner that hashes something else than the data (a
   * DaemonSet hashes its template); by default `hashControllerRevision(data, collisionCount)`.
   */
  hash?: string | undefined;
  /** The label that carries the hash; `CONTROLLER_REVISION_HASH_LABEL` by default. */
  hashLabel?: string | undefined;
}

/**
 * A new revision, owned by its owner through a controller reference, named `<owner>-<hash>`,
 * labelled with the template's labels and the hash (upstream's NewControllerRevision).
 */
export function newControllerRevision(opts: NewRevisionOptions): ControllerRevision {
  const hash = opts.hash ?? hashControllerRevision(opts.data, opts.collisionCount);
  const revision: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: controllerRevisionName(opts.owner.name, hash),
      labels: { ...opts.templateLabels, [opts.hashLabel ?? CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(opts.owner)],
    },
    data: opts.data,
    revision: opts.revision,
  };
  if (opts.owner.namespace) revision.metadata.namespace = opts.owner.namespace;
  if (opts.annotations && Object.keys(opts.annotations).length) {
    revision.metadata.annotations = { ...opts.annotations };
  }
  return revision;
}

/** The revision renamed for another collision count (upstream rehashes on each AlreadyExists). */
export function renameForCollision(
  revision: ControllerRevision,
  ownerName: string,
  collisionCount: number,
): ControllerRevision {
  const hash = hashControllerRevision(revision.data, collisionCount);
  return {
    ...revision,
    metadata: {
      ...revision.metadata,
      name: controllerRevisionName(ownerName, hash),
      labels: { ...revision.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
    },
  };
}

/** Revisions in history order: by number, then older first, then by name (a new array). */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    const byNumber = (a.revision ?? 0) - (b.revision ?? 0);
    return byNumber !== 0 ? byNumber : compareByCreation(a, b);
  });
}

/**
 * Whether two revisions hold the same data, compared in canonical form (upstream compares the
 * stored bytes, which its encoder writes with sorted keys). Hash labels are not compared: the
 * hash includes the collision count, so equal data may carry different hashes.
 */
export function equalRevision(
  a: ControllerRevision | undefined,
  b: ControllerRevision | undefined,
): boolean {
  if (!a || !b) return a === b;
  return canonicalRevisionData(a.data) === canonicalRevisionData(b.data);
}

/** The revisions equal to `needle`, in the order given. */
export function findEqualRevisions(
  revisions: readonly ControllerRevision[],
  needle: ControllerRevision,
): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/**
 * Of several revisions holding the same data, the one to keep: the highest number, the later in
 * input order among equals. The others are duplicates to delete (upstream's DaemonSet controller
 * dedups its current revisions so).
 */
export function keepOfDuplicates(equal: readonly ControllerRevision[]): {
  keep: ControllerRevision | undefined;
  duplicates: ControllerRevision[];
} {
  let keep: ControllerRevision | undefined;
  for (const r of equal) if (!keep || (r.revision ?? 0) >= (keep.revision ?? 0)) keep = r;
  return { keep, duplicates: equal.filter((r) => r !== keep) };
}

/** The number the next revision gets: one past the highest, or 1 for an empty history. */
export function nextRevisionNumber(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

/**
 * The revisions an owner counts as its history: those its selector matches that it controls or
 * that have no controller (upstream's ListControllerRevisions).
 */
export function ownedOrOrphanRevisions(
  owner: { uid: string },
  revisions: readonly ControllerRevision[],
  selector: LabelSelector,
): ControllerRevision[] {
  return revisions.filter((r) => {
    if (!selector.matches(r.metadata.labels)) return false;
    const ref = r.metadata.ownerReferences?.find((o) => o.controller === true);
    return !ref || ref.uid === owner.uid;
  });
}

/** What to do to make `candidate` (the owner's state now) the owner's newest revision. */
export type UpdateRevisionChoice =
  /** The newest revision already holds this state: use it as it is. */
  | { action: "reuse"; revision: ControllerRevision }
  /** An older revision holds it (a rollback): give it the next number and use it. */
  | { action: "renumber"; revision: ControllerRevision; to: number }
  /** No revision holds it: create `candidate`. */
  | { action: "create"; revision: ControllerRevision };

/**
 * Chooses the update revision from the history (sorted by `sortRevisions`) and a candidate made
 * with the next number, as upstream's StatefulSet and DaemonSet controllers do: reuse the newest
 * when it is equal, otherwise renumber the latest equal one, otherwise create the candidate.
 */
export function chooseUpdateRevision(
  sorted: readonly ControllerRevision[],
  candidate: ControllerRevision,
): UpdateRevisionChoice {
  const equal = findEqualRevisions(sorted, candidate);
  const newest = sorted[sorted.length - 1];
  const lastEqual = equal[equal.length - 1];
  if (lastEqual && newest && equalRevision(newest, lastEqual)) {
    return { action: "reuse", revision: newest };
  }
  if (lastEqual) {
    return { action: "renumber", revision: lastEqual, to: candidate.revision ?? 0 };
  }
  return { action: "create", revision: candidate };
}

/**
 * The revisions to delete so that at most `limit` revisions remain besides the live ones (those
 * named in `live`: the current and update revisions, and any a pod still runs), oldest first
 * (upstream's truncateHistory). `sorted` is in history order.
 */
export function revisionsToTruncate(
  sorted: readonly ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
): ControllerRevision[] {
  const historic = sorted.filter((r) => !live.has(r.metadata.name ?? ""));
  const excess = historic.length - Math.max(0, limit);
  return excess > 0 ? historic.slice(0, excess) : [];
}
