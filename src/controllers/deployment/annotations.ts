/**
 * The annotations a Deployment keeps on itself and its ReplicaSets: revision numbers (what
 * `kubectl rollout history` lists), the revisions a ReplicaSet held before a rollback brought it
 * back, the replica counts proportional scaling reads, and the user's annotations copied from the
 * Deployment to its new ReplicaSet.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { KubeObject } from "../../api/meta/types.js";

/** The revision of a ReplicaSet, and of the Deployment (the revision of its new ReplicaSet). */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** Earlier revisions of a ReplicaSet that a rollback made current again, comma-separated. */
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
/** The Deployment's replicas when the ReplicaSet was last scaled. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
/** The Deployment's replicas plus maxSurge when the ReplicaSet was last scaled. */
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
/** The rollback request of extensions/v1beta1, kept as an annotation; the controller still obeys it. */
export const ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to";
/** kubectl's record of the last applied configuration; never copied to ReplicaSets. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** The longest revision-history annotation kept, in characters. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

/** Whether an annotation belongs to the controller rather than the user, so it is never copied. */
export function isControllerAnnotation(key: string): boolean {
  return NOT_COPIED.has(key);
}

/** A decimal integer annotation as upstream's ParseInt reads it; undefined when not one. */
function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The revision of an object: 0 without the annotation, undefined when the annotation is not an
 * integer (callers skip such objects, as upstream does).
 */
export function revisionOf(obj: KubeObject): number | undefined {
  const text = obj.metadata.annotations?.[REVISION_ANNOTATION];
  return text === undefined ? 0 : parseInteger(text);
}

/** The highest revision among `replicaSets` (0 when none has one). */
export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) max = Math.max(max, revisionOf(rs) ?? 0);
  return max;
}

/** The second-highest revision among `replicaSets`: what a rollback to revision 0 goes back to. */
export function lastRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  let second = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) {
      second = v;
    }
  }
  return second;
}

/** The desired-replicas annotation of a ReplicaSet, when present and an integer. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInteger(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
}

/** The max-replicas annotation of a ReplicaSet, when present and an integer. */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseInteger(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
}

/** Whether the desired- and max-replicas annotations differ from these values. */
export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata.annotations;
  return (
    a?.[DESIRED_REPLICAS_ANNOTATION] !== String(desired) ||
    a?.[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

/** Sets the desired- and max-replicas annotations; true when that changed anything. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const a = (rs.metadata.annotations ??= {});
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

/** Copies the Deployment's user annotations onto the ReplicaSet; true when any changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key) || rs.metadata.annotations?.[key] === value) continue;
    (rs.metadata.annotations ??= {})[key] = value;
    changed = true;
  }
  return changed;
}

/**
 * Brings the annotations of the Deployment's new ReplicaSet up to date: the user's annotations,
 * the revision `newRevision` when the ReplicaSet's is lower, the revision it had before (into the
 * revision history, oldest dropped past MAX_REVISION_HISTORY_CHARS) when a rollback made it new
 * again, and, for a ReplicaSet about to be created (`exists` false), the replica annotations.
 * Returns whether anything changed; a ReplicaSet whose revision is not an integer is left alone.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  maxSurge: number,
): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = (rs.metadata.annotations ??= {});
  const oldText = annotations[REVISION_ANNOTATION];
  const oldRevision = oldText === undefined ? 0 : parseInteger(oldText);
  if (oldRevision === undefined) return changed;

  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) appendRevisionHistory(annotations, oldText);
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, replicas, replicas + maxSurge)) changed = true;
  return changed;
}

function appendRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const history = annotations[REVISION_HISTORY_ANNOTATION] ?? "";
  if (history === "") {
    annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const revisions = history.split(",");
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
    total -= (revisions[start]?.length ?? 0) + 1;
    start++;
  }
  // When even the new entry alone is too long, the history is left as it was.
  if (total <= MAX_REVISION_HISTORY_CHARS) {
    annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(",");
  }
}

/** Sets the Deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: Deployment, revision: number): boolean {
  const text = String(revision);
  if (d.metadata.annotations?.[REVISION_ANNOTATION] === text) return false;
  (d.metadata.annotations ??= {})[REVISION_ANNOTATION] = text;
  return true;
}

/**
 * Replaces the Deployment's user annotations with those of `rs`, keeping the controller's own:
 * a rollback brings back the annotations (such as a change cause) of the revision it restores.
 */
export function setDeploymentAnnotationsTo(d: Deployment, rs: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key)) kept[key] = value;
  }
  for (const [key, value] of Object.entries(rs.metadata.annotations ?? {})) {
    if (!NOT_COPIED.has(key)) kept[key] = value;
  }
  d.metadata.annotations = kept;
}
