/**
 * One pod's scheduling cycle: the filter plugins that apply to it and their pre-computed states.
 * Shared by the scheduling loop and by preemption's dry runs (which clone it).
 */
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import type { FilterPlugin } from "./plugin.js";
import { SKIP } from "./plugin.js";
import type { Snapshot } from "./snapshot.js";
import type { Status } from "./status.js";

/** The filters that apply to a pod, with their states; or the pre-filter failure. */
export interface FilterCycle {
  readonly pod: PodInfo;
  readonly filters: readonly FilterPlugin[];
  readonly states: unknown[];
  /** Nodes a pre-filter restricted the pod to, with the plugins that did. */
  readonly nodeNames: ReadonlySet<string> | undefined;
  readonly restrictedBy: readonly string[];
  /** Set when a pre-filter rejected every node. */
  readonly failed: Status | undefined;
}

/** Runs every plugin's pre-filter, keeping those that apply. */
export function preFilter(
  pod: PodInfo,
  snapshot: Snapshot,
  plugins: readonly FilterPlugin[],
): FilterCycle {
  const filters: FilterPlugin[] = [];
  const states: unknown[] = [];
  let nodeNames: Set<string> | undefined;
  const restrictedBy: string[] = [];
  for (const plugin of plugins) {
    const r = plugin.preFilter(pod, snapshot);
    if (r === SKIP) continue;
    if ("code" in r) {
      return { pod, filters, states, nodeNames, restrictedBy, failed: r };
    }
    filters.push(plugin);
    states.push(r.state);
    if (r.nodeNames) {
      restrictedBy.push(plugin.name);
      nodeNames = nodeNames
        ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n)))
        : new Set(r.nodeNames);
    }
  }
  return { pod, filters, states, nodeNames, restrictedBy, failed: undefined };
}

/** Runs the filters on a node in order, stopping at the first that rejects it. */
export function runFilters(cycle: FilterCycle, node: NodeInfo): Status | null {
  const { filters, states, pod } = cycle;
  for (let i = 0; i < filters.length; i++) {
    const status = filters[i]!.filter(states[i], pod, node);
    if (status !== null) return status;
  }
  return null;
}

/** A copy whose plugin states preemption may change through addPod and removePod. */
export function cloneCycle(cycle: FilterCycle): FilterCycle {
  const states = cycle.states.map((s, i) => {
    const clone = cycle.filters[i]!.cloneState;
    return clone ? clone(s) : s;
  });
  return { ...cycle, states };
}

/** Tells the filters' states that a pod was added to or removed from a node. */
export function notifyPod(
  cycle: FilterCycle,
  other: PodInfo,
  node: NodeInfo,
  change: "add" | "remove",
): void {
  cycle.filters.forEach((f, i) => {
    const hook = change === "add" ? f.addPod : f.removePod;
    hook?.(cycle.states[i], cycle.pod, other, node);
  });
}
