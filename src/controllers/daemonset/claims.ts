/**
 * Claiming for a DaemonSet: the identity the claim rules see, and the patch of an object it
 * already controls. Adoption and release go through the shared `../replicaset/adoption.ts`.
 */
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { KubeObject } from "../../api/meta/types.js";
import { isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { ResourceDescriptor } from "../../client/resource.js";
import { controllerIdentity, type ControllerIdentity } from "../replicaset/controller-ref.js";

/** The DaemonSet as the claim rules see it. */
export function identityOf(ds: DaemonSet): ControllerIdentity {
  return controllerIdentity(ds.metadata, "apps/v1", "DaemonSet");
}

/** Applies a patch (a relabelling) to an object; false when it is gone or was replaced. */
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
