/**
 * The API writes of the claim rules in `controller-ref.ts` (upstream's ControllerRefManager): the
 * live check before a controller adopts, and the adoption and release patches with the errors
 * each may safely meet. Every controller that owns objects through a selector claims through
 * these, so that the rules hold alike for pods, ReplicaSets and ControllerRevisions.
 */
import type { KubeObject } from "../../api/meta/types.js";
import { isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { ResourceDescriptor } from "../../client/resource.js";
import {
  adoptionPatch,
  claimObjects,
  releasePatch,
  type ControllerIdentity,
} from "./controller-ref.js";

/**
 * Checks with a live read of `owner` (a `ownerResource`) that it is still the same object and
 * not being deleted, and throws if not: the cache may lag behind a delete, and adopting then
 * would keep objects the garbage collector is about to delete or orphan.
 */
export async function checkCanAdopt(
  client: KubeClient,
  ownerResource: ResourceDescriptor,
  owner: ControllerIdentity,
): Promise<void> {
  const fresh = await client.get(ownerResource, owner.name, { namespace: owner.namespace ?? "" });
  const key = owner.namespace ? `${owner.namespace}/${owner.name}` : owner.name;
  if (fresh.metadata.uid !== owner.uid) {
    throw new Error(
      `Cannot adopt for ${owner.kind} ${key}: it was replaced (uid ${fresh.metadata.uid ?? ""}, wanted ${owner.uid})`,
    );
  }
  if (fresh.metadata.deletionTimestamp) {
    throw new Error(
      `Cannot adopt for ${owner.kind} ${key}: it is being deleted since ${fresh.metadata.deletionTimestamp}`,
    );
  }
}

/**
 * Patches `owner` in as the controller of the orphan `obj`. Resolves the adopted object, or
 * undefined when it is gone (its deletion brings the owner back to its queue); any other failure,
 * a replaced object included, is thrown for the sync to retry.
 */
export async function adoptObject<T extends KubeObject>(
  client: KubeClient,
  res: ResourceDescriptor,
  owner: ControllerIdentity,
  obj: T,
): Promise<T | undefined> {
  try {
    return await client.patch<T>(res, obj.metadata.name ?? "", adoptionPatch(owner, obj), {
      namespace: obj.metadata.namespace ?? "",
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Patches `owner`'s reference out of `obj`. Resolves the released object, or undefined when
 * there was nothing to release: it is gone, or replaced by another of that name (the UID
 * precondition fails).
 */
export async function releaseObject<T extends KubeObject>(
  client: KubeClient,
  res: ResourceDescriptor,
  owner: ControllerIdentity,
  obj: T,
): Promise<T | undefined> {
  try {
    return await client.patch<T>(res, obj.metadata.name ?? "", releasePatch(owner, obj), {
      namespace: obj.metadata.namespace ?? "",
    });
  } catch (err) {
    if (isNotFound(err) || isInvalid(err) || isConflict(err)) return undefined;
    throw err;
  }
}

/** What `claimThroughApi` claims, and for whom. */
export interface ClaimOptions<T extends KubeObject> {
  client: KubeClient;
  /** The resource of the claimed objects. */
  resource: ResourceDescriptor;
  /** The owner's own resource, for the live check before adopting. */
  ownerResource: ResourceDescriptor;
  owner: ControllerIdentity;
  /** What the owner may claim: the objects it controls and the orphans of its namespace. */
  candidates: readonly T[];
  /** The owner's selector (and any other filter). */
  matches: (obj: T) => boolean;
}

/**
 * One claim pass through the API: adopts the matching orphans (after `checkCanAdopt`) and
 * releases the owned objects that stopped matching. Resolves what the owner now controls, in
 * the order of the candidates, without adopted objects that turned out to be gone.
 */
export async function claimThroughApi<T extends KubeObject>(opts: ClaimOptions<T>): Promise<T[]> {
  const { client, resource, owner } = opts;
  const claim = claimObjects(owner, opts.candidates, opts.matches);
  if (claim.adopt.length) await checkCanAdopt(client, opts.ownerResource, owner);

  const gone = new Set<T>();
  for (const obj of claim.adopt) {
    if (!(await adoptObject(client, resource, owner, obj))) gone.add(obj);
  }
  for (const obj of claim.release) await releaseObject(client, resource, owner, obj);
  return gone.size ? claim.claimed.filter((o) => !gone.has(o)) : claim.claimed;
}
