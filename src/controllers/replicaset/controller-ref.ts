/**
 * Controller references: which object controls which, and the adoption and release rules every
 * controller applies to the objects its selector finds (upstream's ControllerRefManager). A
 * controller owns an object when the object's controller reference names its UID; it adopts
 * matching orphans and releases owned objects that stopped matching.
 */
import type { KubeObject, ObjectMeta, OwnerReference } from "../../api/meta/types.js";
import type { Lister } from "../../client/lister.js";

/** The controller as the claim rules see it. */
export interface ControllerIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  namespace?: string | undefined;
  /** Set when the controller is being deleted: it then neither adopts nor releases. */
  deletionTimestamp?: string | undefined;
}

/** The identity of the controller whose metadata is `meta`, of type `apiVersion` and `kind`. */
export function controllerIdentity(
  meta: ObjectMeta,
  apiVersion: string,
  kind: string,
): ControllerIdentity {
  return {
    apiVersion,
    kind,
    name: meta.name ?? "",
    uid: meta.uid ?? "",
    namespace: meta.namespace,
    deletionTimestamp: meta.deletionTimestamp,
  };
}

/** What the claim rules decide for one object. */
export type ClaimDecision =
  /** Owned and matching: the controller counts it. */
  | "owned"
  /** An orphan that matches: the controller patches itself in as controller, then counts it. */
  | "adopt"
  /** Owned but no longer matching: the controller patches its reference out. */
  | "release"
  /** Someone else's, or an orphan the controller may not take: left alone. */
  | "ignore";

/** The objects of one claim pass, each list in the order of the input. */
export interface ClaimResult<T> {
  /** What the controller counts once its adoptions succeed: owned matches and adopted orphans. */
  claimed: T[];
  adopt: T[];
  release: T[];
}

/** The owner reference that marks `obj` as controlled, if any (the first with `controller: true`). */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/**
 * The controller of `obj` that `ref` (by default its controller reference) names, when the
 * reference is to `kind` in `group` and `lister` holds that controller under the same UID: a
 * controller deleted and made again under the same name does not own its predecessor's objects
 * (upstream's resolveControllerRef).
 */
export function resolveControllerRef<T extends KubeObject>(
  lister: Lister<T>,
  type: { group: string; kind: string },
  obj: KubeObject,
  ref: OwnerReference | undefined = controllerRefOf(obj),
): T | undefined {
  if (!ref || ref.kind !== type.kind) return undefined;
  const slash = ref.apiVersion.indexOf("/");
  if ((slash < 0 ? "" : ref.apiVersion.slice(0, slash)) !== type.group) return undefined;
  const owner = lister.get(obj.metadata.namespace ?? "", ref.name);
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** The owner reference a controller puts on what it creates or adopts. */
export function newControllerRef(owner: ControllerIdentity): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Decides what `owner` does with `obj`, given whether its selector (and any other filter) matches
 * `obj`. A controller being deleted releases nothing, so that garbage collection still finds its
 * objects, and adopts nothing; an orphan being deleted or in another namespace is never adopted.
 */
export function claimDecision(
  owner: ControllerIdentity,
  obj: KubeObject,
  matches: boolean,
): ClaimDecision {
  const ref = controllerRefOf(obj);
  if (ref) {
    if (ref.uid !== owner.uid) return "ignore";
    if (matches) return "owned";
    return owner.deletionTimestamp ? "ignore" : "release";
  }
  if (owner.deletionTimestamp || !matches) return "ignore";
  if (obj.metadata.deletionTimestamp) return "ignore";
  if (owner.namespace && owner.namespace !== obj.metadata.namespace) return "ignore";
  return "adopt";
}

/** Applies `claimDecision` to each object; `matches` is the selector test. */
export function claimObjects<T extends KubeObject>(
  owner: ControllerIdentity,
  objects: readonly T[],
  matches: (obj: T) => boolean,
): ClaimResult<T> {
  const result: ClaimResult<T> = { claimed: [], adopt: [], release: [] };
  for (const obj of objects) {
    switch (claimDecision(owner, obj, matches(obj))) {
      case "owned":
        result.claimed.push(obj);
        break;
      case "adopt":
        result.adopt.push(obj);
        result.claimed.push(obj);
        break;
      case "release":
        result.release.push(obj);
        break;
      case "ignore":
        break;
    }
  }
  return result;
}

/**
 * The strategic merge patch that adopts `obj`: it adds the controller reference, and names the
 * object's UID so that the patch fails on a different object that took the same name.
 */
export function adoptionPatch(owner: ControllerIdentity, obj: KubeObject): Record<string, unknown> {
  return {
    metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid },
  };
}

/** The strategic merge patch that releases `obj`: it deletes the owner reference by UID. */
export function releasePatch(owner: ControllerIdentity, obj: KubeObject): Record<string, unknown> {
  return {
    metadata: { ownerReferences: [{ $patch: "delete", uid: owner.uid }], uid: obj.metadata.uid },
  };
}
