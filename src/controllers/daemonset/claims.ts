/**
 * Claiming for a DaemonSet: it counts the pods and revisions it controls that still match its
 * selector, adopts matching orphans (after a live check that it is not being deleted), and
 * releases what stopped matching, through the same patches as the other controllers.
 */
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { LabelSelector } from "../../api/selectors/label-selector.js";
import { isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { objectKey, resources, type ResourceDescriptor } from "../../client/resource.js";
import {
  adoptionPatch,
  claimObjects,
  releasePatch,
  type ControllerIdentity,
} from "../replicaset/controller-ref.js";

/** The DaemonSet as the claim rules see it. */
export function identityOf(ds: DaemonSet): ControllerIdentity {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    name: ds.metadata.name ?? "",
    uid: ds.metadata.uid ?? "",
    namespace: ds.metadata.namespace,
    deletionTimestamp: ds.metadata.deletionTimestamp,
  };
}

/**
 * A live read before adopting: the cache may lag behind the DaemonSet's deletion, and adopting
 * then would keep objects the garbage collector is about to delete or orphan. Throws if so.
 */
export async function checkCanAdopt(client: KubeClient, ds: DaemonSet): Promise<void> {
  const fresh = await client.get<DaemonSet>(resources.daemonSets, ds.metadata.name ?? "", {
    namespace: ds.metadata.namespace ?? "",
  });
  if (fresh.metadata.uid !== ds.metadata.uid) {
    throw new Error(
      `original DaemonSet ${objectKey(ds.metadata)} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`,
    );
  }
  if (fresh.metadata.deletionTimestamp) {
    throw new Error(
      `DaemonSet ${objectKey(ds.metadata)} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
    );
  }
}

/** Applies a claim (or label) patch; false when the object is gone or was replaced. */
export async function patchClaimed(
  client: KubeClient,
  res: ResourceDescriptor,
  obj: KubeObject,
  patch: unknown,
): Promise<boolean> {
  try {
    await client.patch(res, obj.metadata.name ?? "", patch, {
      namespace: obj.metadata.namespace ?? "",
    });
    return true;
  } catch (err) {
    // Deleted meanwhile, or replaced by another of that name (the UID precondition fails).
    if (isNotFound(err) || isInvalid(err) || isConflict(err)) return false;
    throw err;
  }
}

/**
 * Claims `candidates` (the owned objects and the orphans of the namespace) of resource `res` for
 * `ds`: patches adoptions and releases, and returns what the DaemonSet now controls.
 */
export async function claimFor<T extends KubeObject>(
  client: KubeClient,
  res: ResourceDescriptor,
  ds: DaemonSet,
  selector: LabelSelector,
  candidates: readonly T[],
): Promise<T[]> {
  const identity = identityOf(ds);
  const claim = claimObjects(identity, candidates, (o) => selector.matches(o.metadata.labels));
  if (claim.adopt.length) await checkCanAdopt(client, ds);
  const gone = new Set<T>();
  for (const obj of claim.adopt) {
    if (!(await patchClaimed(client, res, obj, adoptionPatch(identity, obj)))) gone.add(obj);
  }
  for (const obj of claim.release) {
    await patchClaimed(client, res, obj, releasePatch(identity, obj));
  }
  return gone.size ? claim.claimed.filter((o) => !gone.has(o)) : claim.claimed;
}
