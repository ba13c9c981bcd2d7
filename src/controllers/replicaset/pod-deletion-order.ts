/**
 * Which pods a replicated controller deletes first when it has too many: the cheapest to lose
 * (not scheduled, not running, not ready, cheap by annotation, doubled up on a node, recently
 * ready, crash-looping, recently created), as upstream's ActivePodsWithRanks orders them.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import {
  isPodActive,
  isPodReady,
  maxContainerRestarts,
  parseTime,
  podDeletionCost,
  podReadyCondition,
} from "./pod-state.js";

/** A pod with the facts the ordering compares, read once rather than at every comparison. */
interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node; more means deleted sooner. */
  rank: number;
  assigned: boolean;
  phaseOrder: number;
  ready: boolean;
  cost: number;
  /** When the pod became ready (ms), 0 when unknown or not ready. */
  readySince: number;
  restarts: number;
  /** Creation time (ms), 0 when unknown. */
  created: number;
  uid: string;
}

// Pending before Unknown before Running; any other phase sorts with Pending, as upstream's map
// lookup gives it 0.
const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The pods to delete, first `count` of `pods` in deletion order. `relatedPods` are the pods of
 * the controller and its siblings (the ReplicaSets of one Deployment); a pod whose node runs more
 * of them ranks before one on a quieter node. `now` makes the ready and creation times compare
 * on a logarithmic scale, so that pods of similar age are picked by UID rather than strictly by
 * age. All pods are returned, in order, when `count` is at least their number.
 */
export function podsToDelete(
  pods: readonly Pod[],
  relatedPods: readonly Pod[],
  count: number,
  now: number,
): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  return sortPodsForDeletion(pods, relatedPods, now).slice(0, count);
}

/** All of `pods` sorted into deletion order (see `podsToDelete`). */
export function sortPodsForDeletion(
  pods: readonly Pod[],
  relatedPods: readonly Pod[],
  now: number,
): Pod[] {
  const perNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? "";
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => rankPod(pod, perNode.get(pod.spec?.nodeName ?? "") ?? 0));
  ranked.sort((a, b) => compareRanked(a, b, now));
  return ranked.map((r) => r.pod);
}

function rankPod(pod: Pod, rank: number): RankedPod {
  const ready = isPodReady(pod);
  return {
    pod,
    rank,
    assigned: !!pod.spec?.nodeName,
    phaseOrder: PHASE_ORDER[pod.status?.phase ?? ""] ?? 0,
    ready,
    cost: podDeletionCost(pod),
    readySince: ready ? (parseTime(podReadyCondition(pod)?.lastTransitionTime) ?? 0) : 0,
    restarts: maxContainerRestarts(pod),
    created: parseTime(pod.metadata.creationTimestamp) ?? 0,
    uid: pod.metadata.uid ?? "",
  };
}

/** Negative when `a` should be deleted before `b`. */
function compareRanked(a: RankedPod, b: RankedPod, now: number): number {
  if (a.assigned !== b.assigned) return a.assigned ? 1 : -1;
  if (a.phaseOrder !== b.phaseOrder) return a.phaseOrder - b.phaseOrder;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.cost !== b.cost) return a.cost - b.cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.ready && b.ready && a.readySince !== b.readySince) {
    return compareTimes(a.readySince, b.readySince, a.uid, b.uid, now);
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  if (a.created !== b.created) return compareTimes(a.created, b.created, a.uid, b.uid, now);
  return 0;
}

/**
 * Orders two different times so that an unknown one (0) comes first, then the more recent. On a
 * logarithmic scale of their age, times in the same power-of-two bucket tie and go by UID.
 */
function compareTimes(t1: number, t2: number, uid1: string, uid2: string, now: number): number {
  if (t1 === 0 || t2 === 0) return t1 === 0 ? -1 : 1;
  const diff = logBucket(now - t1) - logBucket(now - t2);
  if (diff !== 0) return diff;
  return uid1 < uid2 ? -1 : uid1 > uid2 ? 1 : 0;
}

/** The power-of-two bucket of an age in nanoseconds, as upstream computes it; -1 for none. */
function logBucket(ageMs: number): number {
  if (ageMs <= 0) return -1;
  return Math.floor(Math.log2(ageMs * 1e6));
}
