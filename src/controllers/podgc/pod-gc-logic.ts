/**
 * What the pod garbage collector deletes, without I/O (upstream's podgc): finished pods beyond the
 * threshold, oldest first (evicted ones before others); pods bound to nodes that no longer exist;
 * pods being deleted that never reached a node; and pods being deleted on nodes that are out of
 * service (not ready and tainted `node.kubernetes.io/out-of-service`), whose kubelet will never
 * finish them.
 */
import type { Node } from "../../api/core/v1/node.js";
import { DISRUPTION_TARGET, setPodCondition } from "../../api/core/v1/pod-conditions.js";
import type { PodStatus } from "../../api/core/v1/pod-shapes.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { parseTime } from "../replicaset/pod-state.js";

/** The taint that says a node is gone for good and its pods may be cleaned up. */
export const TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

/** Whether a pod has finished (Succeeded or Failed). */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * The finished pods to delete so that at most `threshold` remain: evicted pods first, then the
 * oldest by creation time (ties by name). A threshold of 0 or less turns this off.
 */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  const rank = (p: Pod): [number, number, string] => [
    p.status?.reason === "Evicted" ? 0 : 1,
    parseTime(p.metadata.creationTimestamp) ?? 0,
    `${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""}`,
  ];
  const sorted = [...terminated].sort((a, b) => {
    const [ea, ta, na] = rank(a);
    const [eb, tb, nb] = rank(b);
    return ea - eb || ta - tb || (na < nb ? -1 : na > nb ? 1 : 0);
  });
  return sorted.slice(0, excess);
}

/** The names of nodes pods are bound to that the node cache does not hold. */
export function missingNodeNames(
  pods: readonly Pod[],
  nodeExists: (name: string) => boolean,
): Set<string> {
  const missing = new Set<string>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (node && !nodeExists(node)) missing.add(node);
  }
  return missing;
}

/** Pods being deleted that were never scheduled: no kubelet will finish them. */
export function unscheduledTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => !!p.metadata.deletionTimestamp && !p.spec?.nodeName);
}

/** Pods being deleted on nodes that are not ready and carry the out-of-service taint. */
export function terminatingOnOutOfServiceNodes(
  pods: readonly Pod[],
  nodeOf: (name: string) => Node | undefined,
): Pod[] {
  return pods.filter((p) => {
    if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) return false;
    const node = nodeOf(p.spec.nodeName);
    if (!node) return false;
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status === "True") return false;
    return (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);
  });
}

/** Why pod GC deletes a pod, when it says so on the pod (orphans). */
export interface GcCondition {
  reason: string;
  message: string;
}

/** The condition pods of deleted nodes get before they are deleted. */
export const ORPHAN_CONDITION: GcCondition = {
  reason: "DeletionByPodGC",
  message: "PodGC: node no longer exists",
};

/**
 * The status a pod should have before pod GC deletes it: Failed unless it already finished, with
 * the DisruptionTarget condition when `condition` is given; undefined when it already has it.
 */
export function failedStatus(
  pod: Pod,
  condition: GcCondition | undefined,
  now: string,
): PodStatus | undefined {
  const status: PodStatus = structuredClone(pod.status ?? {});
  let changed = false;
  if (!isPodTerminated(pod)) {
    status.phase = "Failed";
    changed = true;
  }
  if (condition) {
    changed =
      setPodCondition(
        status,
        {
          type: DISRUPTION_TARGET,
          status: "True",
          reason: condition.reason,
          message: condition.message,
        },
        now,
      ) || changed;
  }
  return changed ? status : undefined;
}
