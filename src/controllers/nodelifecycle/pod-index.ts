/**
 * The node-name index of the shared pod informer: pods by `spec.nodeName` (unscheduled pods under
 * ""), which the node lifecycle, taint eviction and pod GC controllers read to find a node's pods.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { Informer } from "../../client/informer.js";

/** The index name. */
export const POD_NODE_NAME_INDEX = "spec.nodeName";

const indexed = new WeakSet<Informer<Pod>>();

/** Adds the node-name index to a (shared) pod informer unless another controller already did. */
export function ensurePodNodeNameIndex(informer: Informer<Pod>): void {
  if (indexed.has(informer)) return;
  indexed.add(informer);
  informer.indexer.addIndexers({ [POD_NODE_NAME_INDEX]: (pod) => [pod.spec?.nodeName ?? ""] });
}

/** The pods bound to `nodeName`, from the informer's cache. */
export function podsOnNode(informer: Informer<Pod>, nodeName: string): Pod[] {
  return informer.indexer.byIndex(POD_NODE_NAME_INDEX, nodeName);
}
