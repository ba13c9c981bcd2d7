/**
 * The controller-UID index that the ReplicaSet, ReplicationController and Deployment controllers
 * share on the pod and ReplicaSet informers: an object is indexed under its controller's UID, an
 * orphan under its namespace's orphan value, so that one sync reads only what it may own or adopt.
 */
import type { KubeObject } from "../../api/meta/types.js";
import { ApiError } from "../../client/api-error.js";
import type { Informer } from "../../client/informer.js";
import { controllerRefOf } from "./controller-ref.js";

/** The index name: controller UID, or `orphanIndexValue(namespace)` for objects without one. */
export const CONTROLLER_UID_INDEX = "controllerUid";

/** The index value of the orphans of a namespace; UIDs never contain a slash. */
export function orphanIndexValue(namespace: string): string {
  return `orphan/${namespace}`;
}

const indexed = new WeakSet<Informer<KubeObject>>();

/** Adds the controller-UID index to a (shared) informer unless another controller already did. */
export function ensureControllerUidIndex<T extends KubeObject>(informer: Informer<T>): void {
  const key = informer as unknown as Informer<KubeObject>;
  if (indexed.has(key)) return;
  indexed.add(key);
  informer.indexer.addIndexers({
    [CONTROLLER_UID_INDEX]: (obj) => {
      const ref = controllerRefOf(obj);
      return [ref ? ref.uid : orphanIndexValue(obj.metadata.namespace ?? "")];
    },
  });
}

/** What a controller may own in `namespace`: the objects it controls, then the orphans. */
export function ownedAndOrphans<T extends KubeObject>(
  informer: Informer<T>,
  namespace: string,
  uid: string,
): T[] {
  const owned = informer.indexer.byIndex(CONTROLLER_UID_INDEX, uid);
  const orphans = informer.indexer.byIndex(CONTROLLER_UID_INDEX, orphanIndexValue(namespace));
  return orphans.length ? owned.concat(orphans) : owned;
}

/**
 * Whether a create failed because its namespace is being deleted: upstream then records no
 * event, since the failure is expected and the controller's objects are going away too.
 */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.code !== 403) return false;
  if (err.details?.causes?.some((c) => c.type === "NamespaceTerminating")) return true;
  return /because it is being terminated/.test(err.message);
}
