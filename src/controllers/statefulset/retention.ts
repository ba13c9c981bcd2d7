/**
 * `persistentVolumeClaimRetentionPolicy`: whether a pod's claims outlive it, expressed as owner
 * references that the garbage collector follows, as upstream sets them:
 *
 * | whenScaled | whenDeleted | claim of a pod in range | claim of a pod scaled away |
 * | ---------- | ----------- | ----------------------- | -------------------------- |
 * | Retain     | Retain      | no reference            | no reference               |
 * | Retain     | Delete      | the set                 | the set                    |
 * | Delete     | Retain      | no reference            | the pod                    |
 * | Delete     | Delete      | the set                 | the pod                    |
 *
 * Claims with a reference to an earlier set or pod of the same name (another UID), or with
 * another controller, are left alone. Pure functions.
 */
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { claimsFor, inOrdinalRange, ordinalOf } from "./identity.js";

/** The retention policy with upstream's defaults (Retain, Retain). */
export function retentionPolicy(set: StatefulSet): { whenDeleted: string; whenScaled: string } {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  return {
    whenDeleted: policy?.whenDeleted || "Retain",
    whenScaled: policy?.whenScaled || "Retain",
  };
}

const SET_KIND = { apiVersion: "apps/v1", kind: "StatefulSet" };
const POD_KIND = { apiVersion: "v1", kind: "Pod" };

interface Named {
  name: string;
  uid: string;
}

function setOf(set: StatefulSet): Named {
  return { name: set.metadata.name ?? "", uid: set.metadata.uid ?? "" };
}

function podOf(pod: Pod): Named {
  return { name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
}

/** Whether the reference names this object by kind and name (whatever its UID). */
function refersTo(
  ref: OwnerReference,
  obj: Named,
  kind: { apiVersion: string; kind: string },
): boolean {
  return ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.name;
}

function hasOwnerRef(claim: PersistentVolumeClaim, obj: Named): boolean {
  return (claim.metadata.ownerReferences ?? []).some((ref) => ref.uid === obj.uid);
}

/** Whether the claim refers to an object of this kind and name but another UID (an earlier one). */
export function hasStaleOwnerRef(
  claim: PersistentVolumeClaim,
  obj: Named,
  kind: { apiVersion: string; kind: string },
): boolean {
  const ref = (claim.metadata.ownerReferences ?? []).find((r) => refersTo(r, obj, kind));
  return ref !== undefined && ref.uid !== obj.uid;
}

/**
 * Whether a controller other than this set and pod controls the claim, which matters only when
 * the policy deletes something (a stale set or pod reference counts as another controller).
 */
export function hasUnexpectedController(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === "Retain" && policy.whenDeleted === "Retain") return false;
  const s = setOf(set);
  const p = podOf(pod);
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (refersTo(ref, s, SET_KIND)) {
      if (ref.uid !== s.uid) return true;
      continue;
    }
    if (refersTo(ref, p, POD_KIND)) {
      if (ref.uid !== p.uid) return true;
      continue;
    }
    if (ref.controller === true) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const uids = new Set([set.metadata.uid ?? "", pod.metadata.uid ?? ""]);
  uids.delete("");
  return (claim.metadata.ownerReferences ?? []).some(
    (ref) => uids.has(ref.uid) && ref.controller !== true,
  );
}

/** Whether the claim should have a reference to the set and to the pod under the policy. */
function wantedOwners(set: StatefulSet, pod: Pod): { set: boolean; pod: boolean } {
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(set, pod);
  const deleteWhenScaled = policy.whenScaled === "Delete";
  const deleteWhenDeleted = policy.whenDeleted === "Delete";
  if (deleteWhenScaled && scaledDown) return { set: false, pod: true };
  return { set: deleteWhenDeleted, pod: false };
}

/**
 * Whether the claim's owner references agree with the policy for this pod. A claim with stale
 * references is reported as agreeing, so that it is never touched; one with another controller
 * agrees unless it also refers to this set or pod (those references must go).
 */
export function isClaimOwnerUpToDate(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): boolean {
  if (hasStaleOwnerRef(claim, setOf(set), SET_KIND)) return true;
  if (hasStaleOwnerRef(claim, podOf(pod), POD_KIND)) return true;
  if (hasUnexpectedController(claim, set, pod)) {
    return !hasOwnerRef(claim, setOf(set)) && !hasOwnerRef(claim, podOf(pod));
  }
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const wanted = wantedOwners(set, pod);
  return (
    wanted.set === hasOwnerRef(claim, setOf(set)) && wanted.pod === hasOwnerRef(claim, podOf(pod))
  );
}

function controllerRefTo(obj: Named, kind: { apiVersion: string; kind: string }): OwnerReference {
  return { ...kind, name: obj.name, uid: obj.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * The claim's owner references as the policy wants them for this pod: references to this set
 * and pod removed, then the wanted ones added as controller references (none when another
 * controller holds the claim). Other owners are kept.
 */
export function claimOwnerRefsFor(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): OwnerReference[] {
  const s = setOf(set);
  const p = podOf(pod);
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs = (claim.metadata.ownerReferences ?? []).filter(
    (ref) => !refersTo(ref, s, SET_KIND) && !refersTo(ref, p, POD_KIND),
  );
  if (unexpected) return refs;
  const wanted = wantedOwners(set, pod);
  if (wanted.set && s.uid) refs.push(controllerRefTo(s, SET_KIND));
  if (wanted.pod && p.uid) refs.push(controllerRefTo(p, POD_KIND));
  return refs;
}

/**
 * The owner references a claim gets when the controller creates it for a pod in range: the set's
 * when the policy deletes claims with the set.
 */
export function ownerRefsForNewClaim(set: StatefulSet): OwnerReference[] {
  const s = setOf(set);
  return retentionPolicy(set).whenDeleted === "Delete" && s.uid
    ? [controllerRefTo(s, SET_KIND)]
    : [];
}

/**
 * Whether a claim of the pod is stale: with `whenScaled: Delete`, a claim that refers to an
 * earlier pod of this name (or any pod, while this one is not created yet) is on its way out,
 * and the pod must wait for the garbage collector rather than mount it.
 */
export function podClaimIsStale(
  set: StatefulSet,
  pod: Pod,
  claims: ReadonlyMap<string, PersistentVolumeClaim>,
): boolean {
  if (retentionPolicy(set).whenScaled === "Retain") return false;
  for (const { claim } of claimsFor(set, ordinalOf(pod))) {
    const existing = claims.get(claim.metadata.name ?? "");
    if (existing && hasStaleOwnerRef(existing, podOf(pod), POD_KIND)) return true;
  }
  return false;
}
