/**
 * The taints the node lifecycle controller owns, without I/O. NoSchedule taints follow the node's
 * conditions and `spec.unschedulable` at once (upstream's doNoScheduleTaintingPass); NoExecute taints
 * follow the Ready condition, and adding one waits for the zone's rate limiter (evictions), while
 * swapping one kind for the other or removing them does not.
 */
import type { Node, NodeCondition, Taint } from "../../api/core/v1/node.js";

/** The well-known taint keys (k8s.io/api/core/v1 well_known_taints). */
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

/** Which NoSchedule taint each condition status calls for. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
};

/** Every NoSchedule taint key the controller manages; others are left alone. */
const MANAGED_NO_SCHEDULE = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
]);

/** The NoSchedule taints a node's conditions and `spec.unschedulable` call for. */
export function desiredNoScheduleTaints(node: Node): Taint[] {
  const taints: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) taints.push({ key, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable) taints.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
  return taints;
}

/**
 * The node's taints with the managed NoSchedule ones made to match `desired`; undefined when they
 * already do. Taints the controller does not manage keep their place.
 */
export function reconcileNoScheduleTaints(node: Node): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const desired = desiredNoScheduleTaints(node);
  const isManaged = (t: Taint): boolean =>
    t.effect === "NoSchedule" && MANAGED_NO_SCHEDULE.has(t.key);
  const kept = current.filter((t) => !isManaged(t) || desired.some((d) => d.key === t.key));
  const added = desired.filter((d) => !kept.some((t) => isManaged(t) && t.key === d.key));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

/** What the NoExecute taints of a node need, given its Ready condition. */
export type NoExecuteAction =
  /** Nothing to change. */
  | { kind: "none" }
  /** Add `key`, through the zone's rate limiter. */
  | { kind: "queue"; key: string }
  /** Replace the other NoExecute taint by `key` at once (the node was already being evicted). */
  | { kind: "swap"; key: string }
  /** Remove both NoExecute taints: the node is Ready. */
  | { kind: "untaint" };

/** Decides the NoExecute taint of a node whose Ready condition is `ready`. */
export function noExecuteAction(node: Node, ready: NodeCondition | undefined): NoExecuteAction {
  const has = (key: string): boolean =>
    (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === "NoExecute");
  if (!ready) return { kind: "none" };
  if (ready.status === "True") {
    return has(TAINT_NOT_READY) || has(TAINT_UNREACHABLE) ? { kind: "untaint" } : { kind: "none" };
  }
  const want = ready.status === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
  const other = want === TAINT_NOT_READY ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  if (has(want) && !has(other)) return { kind: "none" };
  if (has(other)) return { kind: "swap", key: want };
  return { kind: "queue", key: want };
}

/**
 * The node's taints after adding NoExecute `add` (stamped with `now`) and removing the NoExecute
 * taints with the keys in `remove`; undefined when nothing changes.
 */
export function withNoExecuteTaint(
  node: Node,
  add: string | undefined,
  remove: readonly string[],
  now: string,
): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const next = current.filter((t) => !(t.effect === "NoExecute" && remove.includes(t.key)));
  if (add && !next.some((t) => t.key === add && t.effect === "NoExecute")) {
    next.push({ key: add, effect: "NoExecute", timeAdded: now });
  }
  if (next.length === current.length && next.every((t, i) => t === current[i])) return undefined;
  return next;
}
