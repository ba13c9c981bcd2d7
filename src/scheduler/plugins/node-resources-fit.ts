/**
 * NodeResourcesFit: a pod fits when its requests fit in what the node's pods leave of its
 * allocatable resources; among feasible nodes it prefers the least allocated (upstream's default
 * LeastAllocated strategy, CPU and memory weighted 1 each).
 */
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import type { FilterPlugin, ScorePlugin } from "../plugin.js";

import { MAX_NODE_SCORE, PluginName, type Status } from "../status.js";

/** Upstream's reason when the node already holds as many pods as it allows. */
export const ERR_REASON_TOO_MANY_PODS = "Too many pods";

/** The resources a pod lacks on a node, as upstream's `Insufficient <name>` reasons. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.length + 1 > node.allowedPods) out.push(ERR_REASON_TOO_MANY_PODS);
  const req = pod.requests.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar) {
    return out;
  }
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push("Insufficient cpu");
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push("Insufficient memory");
  if (
    req.ephemeralStorage > 0 &&
    req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage
  ) {
    out.push("Insufficient ephemeral-storage");
  }
  if (req.scalar) {
    for (const [name, amount] of req.scalar) {
      if (amount === 0) continue;
      const free = (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0);
      if (amount > free) out.push(`Insufficient ${name}`);
    }
  }
  return out;
}

/** Filters out nodes without room for the pod's requests or for one more pod. */
export const nodeResourcesFitFilter: FilterPlugin<null> = {
  name: PluginName.NodeResourcesFit,
  preFilter() {
    return { state: null };
  },
  filter(_state, pod, node): Status | null {
    // The common case (everything fits) is decided without building the reasons list.
    const req = pod.requests.requests;
    const alloc = node.allocatable;
    const used = node.requested;
    if (
      node.pods.length + 1 <= node.allowedPods &&
      req.milliCPU <= alloc.milliCPU - used.milliCPU &&
      req.memory <= alloc.memory - used.memory &&
      req.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage &&
      !req.scalar
    ) {
      return null;
    }
    const reasons = insufficientResources(pod, node);
    return reasons.length === 0
      ? null
      : { code: "Unschedulable", reasons, plugin: PluginName.NodeResourcesFit };
  },
};

/** One resource a scorer looks at: what the pod adds, and its weight. */
export interface ScoredResource {
  name: string;
  weight: number;
  podRequest: number;
}

/** A node's allocatable amount of a resource; 0 means the scorers skip the resource. */
export function allocatableOf(node: NodeInfo, r: ScoredResource): number {
  switch (r.name) {
    case "cpu":
      return node.allocatable.milliCPU;
    case "memory":
      return node.allocatable.memory;
    case "ephemeral-storage":
      return node.allocatable.ephemeralStorage;
    default:
      // Extended resources the pod does not ask for do not count.
      return r.podRequest === 0 ? 0 : (node.allocatable.scalar?.get(r.name) ?? 0);
  }
}

/**
 * What a node's pods request of a resource plus the pod's request. `nonZero` uses the defaulted
 * CPU and memory sums, as LeastAllocated does.
 */
export function requestedWith(node: NodeInfo, r: ScoredResource, nonZero: boolean): number {
  switch (r.name) {
    case "cpu":
      return (nonZero ? node.nonZeroMilliCPU : node.requested.milliCPU) + r.podRequest;
    case "memory":
      return (nonZero ? node.nonZeroMemory : node.requested.memory) + r.podRequest;
    case "ephemeral-storage":
      return node.requested.ephemeralStorage + r.podRequest;
    default:
      return (node.requested.scalar?.get(r.name) ?? 0) + r.podRequest;
  }
}

/** The pod's request for one resource; `nonZero` applies the scoring defaults to CPU and memory. */
export function podRequestFor(pod: PodInfo, name: string, nonZero: boolean): number {
  const r = pod.requests;
  switch (name) {
    case "cpu":
      return nonZero ? r.nonZeroMilliCPU : r.requests.milliCPU;
    case "memory":
      return nonZero ? r.nonZeroMemory : r.requests.memory;
    case "ephemeral-storage":
      return r.requests.ephemeralStorage;
    default:
      return r.requests.scalar?.get(name) ?? 0;
  }
}

/** Upstream's default scored resources: CPU and memory, weight 1 each. */
export const DEFAULT_SCORED_RESOURCES: readonly { name: string; weight: number }[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

/** Upstream's leastRequestedScore: the free fraction scaled to 100, in integers. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** Builds the LeastAllocated score plugin over the given resources (weight 1). */
export function leastAllocatedScore(
  resources: readonly { name: string; weight: number }[] = DEFAULT_SCORED_RESOURCES,
): ScorePlugin<ScoredResource[]> {
  return {
    name: PluginName.NodeResourcesFit,
    weight: 1,
    preScore(pod) {
      return resources.map((r) => ({ ...r, podRequest: podRequestFor(pod, r.name, true) }));
    },
    score(state, _pod, node) {
      let total = 0;
      let weights = 0;
      for (let i = 0; i < state.length; i++) {
        const r = state[i]!;
        const alloc = allocatableOf(node, r);
        if (alloc === 0) continue;
        total += leastRequestedScore(requestedWith(node, r, true), alloc) * r.weight;
        weights += r.weight;
      }
      return weights === 0 ? 0 : Math.trunc(total / weights);
    },
  };
}
