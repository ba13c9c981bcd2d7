/**
 * The status write the owning controllers share: write the status computed from the cached
 * object; on a conflict (the cache was behind) read the object afresh and write once more onto
 * it, unless it was deleted or replaced meanwhile. One retry is enough: the controller's queue
 * brings the object back for anything later.
 */
import type { KubeObject } from "../api/meta/types.js";
import { isConflict, isNotFound } from "../client/api-error.js";
import type { KubeClient } from "../client/client.js";
import type { ResourceDescriptor } from "../client/resource.js";

/**
 * Writes `status` onto `obj` through the status subresource, retrying once on a conflict.
 * `onConflict` may adjust the status to the fresh object first (a field another sync may have
 * moved on, such as a collision count). An object gone, or replaced by another of its name,
 * needs no status and resolves quietly.
 */
export async function writeStatus<T extends KubeObject, S>(
  client: KubeClient,
  res: ResourceDescriptor,
  obj: T,
  status: S,
  onConflict?: (fresh: T, status: S) => S,
): Promise<void> {
  const scope = { namespace: obj.metadata.namespace ?? "" };
  try {
    await client.updateStatus<T>(res, { ...obj, status }, scope);
  } catch (err) {
    if (isNotFound(err)) return;
    if (!isConflict(err)) throw err;
    const fresh = await client.get<T>(res, obj.metadata.name ?? "", scope);
    if (fresh.metadata.uid !== obj.metadata.uid) return;
    const again = onConflict ? onConflict(fresh, status) : status;
    await client.updateStatus<T>(res, { ...fresh, status: again }, scope);
  }
}
