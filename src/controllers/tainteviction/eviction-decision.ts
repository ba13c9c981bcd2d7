/**
 * When a pod must leave a node with NoExecute taints, without I/O (upstream's taint manager): at
 * once when a taint is not tolerated; after the shortest `tolerationSeconds` of the tolerations in
 * use when all are; never when every toleration in use is unbounded.
 */
import type { Taint } from "../../api/core/v1/node.js";
import type { Toleration } from "../../api/core/v1/pod-shapes.js";
import { toleratesTaint } from "../../scheduler/taints.js";

/** What the taints of a pod's node mean for it. */
export type EvictionDecision =
  /** No NoExecute taint, or tolerated for ever: the pod stays (a pending eviction is cancelled). */
  | { kind: "stay" }
  /** A taint the pod does not tolerate: delete it now. */
  | { kind: "now" }
  /** Delete it once `afterMs` have passed since the taints were first seen. */
  | { kind: "after"; afterMs: number };

/** The NoExecute taints of a node's taints. */
export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === "NoExecute");
}

/** Decides a pod's fate given its tolerations and its node's NoExecute taints. */
export function evictionDecision(
  tolerations: readonly Toleration[] | undefined,
  taints: readonly Taint[],
): EvictionDecision {
  if (taints.length === 0) return { kind: "stay" };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = (tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!match) return { kind: "now" };
    used.push(match);
  }
  let shortest: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return { kind: "now" };
    shortest =
      shortest === undefined ? t.tolerationSeconds : Math.min(shortest, t.tolerationSeconds);
  }
  return shortest === undefined ? { kind: "stay" } : { kind: "after", afterMs: shortest * 1000 };
}

/** A pod's eviction waiting for its toleration to run out: since when, and for which taints. */
export interface PendingEviction {
  uid: string;
  node: string;
  /** The NoExecute taints it was started for, as `key:effect`. */
  taints: string[];
  /** When the wait began (ms). */
  since: number;
}

/**
 * The pending eviction of a pod at `now`: the previous one goes on while it is the same pod on
 * the same node and some of the taints it began for are still there; otherwise the wait starts
 * again (a not-ready taint replaced by unreachable starts a new toleration period).
 */
export function pendingEviction(
  previous: PendingEviction | undefined,
  pod: { uid: string; node: string },
  taints: readonly Taint[],
  now: number,
): PendingEviction {
  const ids = taints.map((t) => `${t.key}:${t.effect}`);
  const overlaps = previous?.taints.some((id) => ids.includes(id)) ?? false;
  if (previous && previous.uid === pod.uid && previous.node === pod.node && overlaps) {
    return previous;
  }
  return { uid: pod.uid, node: pod.node, taints: ids, since: now };
}
